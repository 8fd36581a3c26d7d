/**
 * Parsers of option values (`-c key=value`, `--range start-end`, `--rotate 30d`). Each bad value is
 * a usage error (exit 2) that names the option and shows the expected form.
 *
 * @module
 */
import { CliError, EXIT, usageError } from './errors.js';

/** Collects a repeatable option's values (commander `argParser` accumulator). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Turns `-c key=value` pairs into an encryption context; duplicate or empty keys are refused. */
export function parseContext(pairs: readonly string[] | undefined): Record<string, string> {
  const context: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const pair of pairs ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw usageError(`-c '${pair}' is not key=value`, "write the context as -c key=value (repeat -c for more pairs), e.g. -c purpose=backup");
    const key = pair.slice(0, eq);
    if (Object.hasOwn(context, key)) throw usageError(`-c key '${key}' is given twice`, 'each context key may appear once');
    context[key] = pair.slice(eq + 1);
  }
  return { ...context };
}

/**
 * Checks that `actual` (a file's encryption context) holds every pair of `required`; throws
 * `DEK_CONTEXT` (exit 1) naming the first missing or different key otherwise.
 */
export function requireContext(actual: Readonly<Record<string, string>>, required: Readonly<Record<string, string>>): void {
  for (const [key, value] of Object.entries(required)) {
    if (!Object.hasOwn(actual, key) || actual[key] !== value) {
      const found = Object.hasOwn(actual, key) ? 'a different value' : 'no such key';
      throw new CliError('DEK_CONTEXT', `the file's encryption context has ${found} for '${key}' (required by -c ${key}=...)`, {
        exitCode: EXIT.FAILURE,
        hint: "see the file's context with 'dek inspect <file>'; nothing was decrypted",
      });
    }
  }
}

/** A byte range of the plaintext: `start` inclusive, `end` exclusive (undefined: to the end). */
export interface ByteRange {
  readonly start: number;
  readonly end: number | undefined;
}

/**
 * Parses `--range`: `start-end` (both inclusive, like HTTP Range) or `start-` (to the end).
 * Returns a half-open range.
 */
export function parseRange(text: string): ByteRange {
  const match = /^(\d+)-(\d*)$/.exec(text.trim());
  const hint = "write --range START-END (inclusive byte offsets of the plaintext, e.g. 0-1023) or START- (to the end)";
  if (!match) throw usageError(`--range '${text}' is not START-END`, hint);
  const start = Number(match[1]);
  const end = match[2] === '' ? undefined : Number(match[2]) + 1;
  if (!Number.isSafeInteger(start) || (end !== undefined && !Number.isSafeInteger(end))) throw usageError(`--range '${text}' is too large`, hint);
  if (end !== undefined && end <= start) throw usageError(`--range '${text}' ends before it starts`, hint);
  return { start, end };
}

const SECONDS_PER_UNIT: Readonly<Record<string, number>> = { d: 86_400, h: 3_600, m: 60, s: 1 };

/** Checks `--rotate` (`<n>d`, `<n>h`, `<n>m` or `<n>s`, between 7 and 365 days) and returns it as given. */
export function parseRotation(text: string): string {
  const match = /^([1-9]\d{0,9})([dhms])$/.exec(text);
  const seconds = match ? Number(match[1]) * (SECONDS_PER_UNIT[match[2] as string] ?? 0) : 0;
  if (seconds < 7 * 86_400 || seconds > 365 * 86_400) {
    throw usageError(`--rotate '${text}' is not a period from 7d to 365d`, 'write the rotation period in days, e.g. --rotate 30d (7d to 365d)');
  }
  return text;
}

/** Checks a key reference: a key id, an `alias/...` name or an ARN. */
export function parseKeyRef(text: string, option: string): string {
  if (text.trim() === '' || /\s/.test(text)) throw usageError(`${option} '${text}' is not a key id or alias`, 'name a key by id (key-...) or alias (alias/name); see dek key list');
  return text;
}

/** The `allowedKeys` option of repeated `-k` flags (checked key references); nothing when none were given. */
export function allowedKeysOf(keys: readonly string[] | undefined): { allowedKeys?: string[] } {
  return keys === undefined ? {} : { allowedKeys: keys.map((key) => parseKeyRef(key, '-k')) };
}
