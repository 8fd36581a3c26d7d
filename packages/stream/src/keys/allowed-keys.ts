/**
 * Allow-lists of KMS keys for unwrapping (`allowedKeys`). Without one, decrypt tries every slot
 * of a header, so a planted file makes the caller's credentials ask the KMS to unwrap under a key
 * the file's author chose (the AWS Encryption SDK's "strict mode" closes the same hole). With
 * one, only slots naming an allowed key are tried, the unwrap call names that key so the KMS
 * refuses a blob of any other, and the key the KMS reports having used must be that key too.
 *
 * Entries are key ids, key ARNs (Alibaba `acs:kms:<region>:<account>:key/<id>`, AWS
 * `arn:<partition>:kms:<region>:<account>:key/<id>`) or aliases (`alias/<name>`, alias ARNs).
 * Aliases are resolved through the slot's KMS (`resolveKey`, i.e. DescribeKey) before anything
 * is unwrapped. Keys compare by id; ARNs too when both sides have one. Allowed is by key: any
 * version of an allowed key may unwrap.
 *
 * @module
 */
import { ArgumentError, KeyNotAllowedError } from '@dek/core';
import type { KeySlot } from '@dek/core';
import type { AdvanceKms } from '@dek/kms-adapter';

/** Largest number of `allowedKeys` entries. */
const MAX_ALLOWED_KEYS = 256;

/** A key named by id, with its ARN when the name was one. */
interface KeyName {
  readonly id: string;
  readonly arn?: string;
}

/** One entry: a key, or an alias that a KMS must resolve. */
type Entry = { readonly key: KeyName } | { readonly alias: string };

/** A checked `allowedKeys` option. */
export interface AllowList {
  /** The entries as the caller gave them. */
  readonly given: readonly string[];
  readonly entries: readonly Entry[];
}

const KEY_ARN = /^(?:acs:kms|arn:[^:]+:kms):[^:]*:[^:]*:key\/(.+)$/;
const ALIAS_ARN = /^(?:acs:kms|arn:[^:]+:kms):[^:]*:[^:]*:alias\/.+$/;

function parseName(ref: string): Entry {
  if (ref.startsWith('alias/') || ALIAS_ARN.test(ref)) return { alias: ref };
  const arn = KEY_ARN.exec(ref);
  return { key: arn === null ? { id: ref } : { id: arn[1]!, arn: ref } };
}

function sameKey(a: KeyName, b: KeyName): boolean {
  return a.id === b.id && (a.arn === undefined || b.arn === undefined || a.arn === b.arn);
}

/** Checks `allowedKeys`: undefined, or 1..256 non-empty strings. ArgumentError naming the entry otherwise. */
export function checkAllowedKeys(value: unknown): AllowList | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_ALLOWED_KEYS) {
    throw new ArgumentError(`allowedKeys must be an array of 1..${MAX_ALLOWED_KEYS} key ids, aliases or ARNs (leave it out to allow any key)`, {
      field: 'allowedKeys',
    });
  }
  const given = value.map((ref: unknown, i) => {
    if (typeof ref !== 'string' || ref.length === 0) throw new ArgumentError(`allowedKeys[${i}] must be a non-empty string`, { field: `allowedKeys[${i}]` });
    return ref;
  });
  return { given, entries: given.map(parseName) };
}

/**
 * Quotes text that came from a file or a caller for an error message: JSON string syntax, with
 * C1 controls and bidirectional overrides escaped too, so it cannot drive a terminal.
 */
function quoted(text: string): string {
  return JSON.stringify(text).replace(/[\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** An alias a KMS could not resolve (listed in `KeyNotAllowedError.details.unresolved`). */
interface Unresolved {
  readonly kms: string;
  readonly alias: string;
  readonly code: string;
}

/** The key `alias` names in `kms`, or why it could not be found (the KMS error code, `NoKeyLookup`). */
async function resolveAlias(kms: AdvanceKms, alias: string): Promise<KeyName | Unresolved> {
  if (kms.resolveKey === undefined) return { kms: kms.provider, alias, code: 'NoKeyLookup' };
  try {
    const r = await kms.resolveKey({ keyId: alias });
    return { id: r.keyId, ...(r.arn === undefined ? {} : { arn: r.arn }) };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return { kms: kms.provider, alias, code: typeof code === 'string' && code !== '' ? code : 'Unknown' };
  }
}

/**
 * Which of `slots` name an allowed key. Aliases are resolved (once per KMS) through the KMS of
 * the slot's provider; one that does not resolve allows nothing. Unwraps nothing. Throws
 * {@link KeyNotAllowedError} when no slot is allowed.
 */
export async function allowedSlots(
  slots: readonly KeySlot[],
  allow: AllowList,
  lookup: (provider: string) => AdvanceKms | undefined,
): Promise<boolean[]> {
  const resolved = new Map<AdvanceKms, Map<string, KeyName | undefined>>();
  const unresolved: Unresolved[] = [];
  const isAllowed = async (slot: KeySlot): Promise<boolean> => {
    const named = parseName(slot.keyId);
    if (!('key' in named)) return false; // a slot naming an alias could be re-pointed: never allowed
    if (allow.entries.some((entry) => 'key' in entry && sameKey(entry.key, named.key))) return true;
    const kms = lookup(slot.kms);
    if (kms === undefined) return false;
    for (const entry of allow.entries) {
      if (!('alias' in entry)) continue;
      const key = await resolve(kms, entry.alias);
      if (key !== undefined && sameKey(key, named.key)) return true;
    }
    return false;
  };
  const resolve = async (kms: AdvanceKms, alias: string): Promise<KeyName | undefined> => {
    let cache = resolved.get(kms);
    if (cache === undefined) resolved.set(kms, (cache = new Map()));
    if (!cache.has(alias)) {
      const answer = await resolveAlias(kms, alias);
      if ('code' in answer) unresolved.push(answer);
      cache.set(alias, 'code' in answer ? undefined : answer);
    }
    return cache.get(alias);
  };

  const allowed: boolean[] = [];
  for (const slot of slots) allowed.push(await isAllowed(slot));
  if (!allowed.includes(true)) {
    const requested = slots.map((slot) => ({ kms: slot.kms, keyId: slot.keyId }));
    const asked = requested.map((r) => `${quoted(r.kms)} ${quoted(r.keyId)}`).join(', ');
    const notFound = unresolved.map((u) => `${quoted(u.alias)} through ${quoted(u.kms)} (${quoted(u.code)})`).join(', ');
    throw new KeyNotAllowedError(
      `no slot of the envelope names an allowed key: the file asks for ${asked}; allowed: ${allow.given.map(quoted).join(', ')}` +
        (notFound === '' ? '' : `; not resolved: ${notFound}`),
      { field: 'allowedKeys', requested, allowed: allow.given, ...(unresolved.length > 0 ? { unresolved } : {}) },
    );
  }
  return allowed;
}

/** Whether the key a KMS reports having unwrapped with is the slot's key. */
export function isSlotKey(slot: KeySlot, reportedKeyId: unknown): boolean {
  if (typeof reportedKeyId !== 'string') return false;
  const slotName = parseName(slot.keyId);
  const reported = parseName(reportedKeyId);
  return 'key' in slotName && 'key' in reported && sameKey(slotName.key, reported.key);
}
