/**
 * `assertNoSecret`: fails when text, or anything an error carries (message, code, `details`,
 * `cause`, stack, every own property), holds one of the given secrets in any form it could take on
 * its way there: raw, hex (either case, spaced as Node prints a Buffer), decimal bytes (as Node
 * prints a Uint8Array), base64, base64url, and base64 percent-encoded once or twice (as an
 * Alibaba v1 string to sign holds a parameter).
 */
import { inspect } from 'node:util';
import { expect } from 'vitest';

/** Characters of an encoded form that already identify a secret; a cut or wrapped echo still shows this much. */
const PREFIX = 20;

/** Alibaba's percent-encoding: `encodeURIComponent` plus `!'()*`. */
function percentEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Every form of `secret` to look for (and, for the long ones, their first {@link PREFIX} characters). */
export function secretForms(secret: Uint8Array): string[] {
  const bytes = Buffer.from(secret.buffer, secret.byteOffset, secret.length);
  const hex = bytes.toString('hex');
  const base64 = bytes.toString('base64');
  const forms = [
    bytes.toString('latin1'),
    bytes.toString('utf8'),
    hex,
    hex.toUpperCase(),
    hex.replace(/(..)(?!$)/g, '$1 '),
    [...bytes].join(', '),
    base64,
    base64.replace(/=+$/, ''),
    bytes.toString('base64url'),
    percentEncode(base64),
    percentEncode(percentEncode(base64)),
  ];
  const prefixes = forms.filter((form) => form.length > PREFIX * 2).map((form) => form.slice(0, PREFIX));
  return [...new Set([...forms, ...prefixes])];
}

/** Everything `subject` shows: the text itself, or an error's message, stack, properties and causes. */
export function visibleText(subject: unknown): string {
  if (typeof subject === 'string') return subject;
  const parts = [inspect(subject, { depth: Infinity, showHidden: true, breakLength: Infinity, maxArrayLength: Infinity, maxStringLength: Infinity })];
  if (subject instanceof Error) {
    parts.push(subject.message, subject.stack ?? '');
    try {
      parts.push(JSON.stringify(subject));
    } catch {
      // Not serialisable: inspect above has shown it.
    }
  }
  return parts.join('\n');
}

/** Fails, naming the secret and the form found, when `subject` holds any of `secrets`. */
export function assertNoSecret(subject: unknown, secrets: readonly Uint8Array[]): void {
  // Node aligns long byte arrays in padded columns over several lines: compare a collapsed copy too.
  const seen = visibleText(subject);
  const text = `${seen}\n${seen.replace(/\s+/g, ' ')}`;
  secrets.forEach((secret, index) => {
    if (secret.length < 8) throw new Error(`secret #${index} is ${secret.length} bytes: too short to look for without false alarms`);
    const found = secretForms(secret).findIndex((form) => text.includes(form));
    expect(found, `secret #${index} appears (form #${found}) in: ${text.slice(0, 200)}…`).toBe(-1);
  });
}
