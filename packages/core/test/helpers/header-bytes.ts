/**
 * Hand-written MessagePack and envelope bytes for the header tests (core-header), built from the
 * MessagePack spec and DESIGN.md's layout, independent of msgpackr and of the codec under test.
 */
import { FormatError, TruncatedError } from '@dek/core';
import { expect } from 'vitest';

/** A run of bytes. */
export type Part = number[];

/** UTF-8 bytes of a string. */
export function utf8(text: string): Part {
  return [...new TextEncoder().encode(text)];
}

/** A MessagePack str in its shortest form, from raw bytes. */
export function strBytes(bytes: Part): Part {
  const n = bytes.length;
  if (n < 32) return [0xa0 | n, ...bytes];
  if (n < 256) return [0xd9, n, ...bytes];
  if (n < 65536) return [0xda, n >> 8, n & 0xff, ...bytes];
  return [0xdb, n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff, ...bytes];
}

/** A MessagePack str in its shortest form. */
export function str(text: string): Part {
  return strBytes(utf8(text));
}

/** A MessagePack bin in its shortest form. */
export function bin(bytes: Part): Part {
  const n = bytes.length;
  if (n < 256) return [0xc4, n, ...bytes];
  return [0xc5, n >> 8, n & 0xff, ...bytes];
}

/** A MessagePack map header for `n` entries. */
export function mapHeader(n: number): Part {
  return n < 16 ? [0x80 | n] : [0xde, n >> 8, n & 0xff];
}

/** A MessagePack array header for `n` elements. */
export function arrayHeader(n: number): Part {
  return n < 16 ? [0x90 | n] : [0xdc, n >> 8, n & 0xff];
}

/** A map from encoded key/value parts, in the given order. */
export function map(entries: ReadonlyArray<readonly [Part, Part]>): Part {
  return [...mapHeader(entries.length), ...entries.flatMap(([k, v]) => [...k, ...v])];
}

/** An array of encoded elements. */
export function array(items: readonly Part[]): Part {
  return [...arrayHeader(items.length), ...items.flat()];
}

/** Entries keyed by string; `undefined` drops a key. Order: as listed. */
export type Entries = ReadonlyArray<readonly [string | Part, Part | undefined]>;

/** A map from entries whose string keys are encoded as str. */
export function mapOf(entries: Entries): Part {
  return map(
    entries
      .filter((e): e is readonly [string | Part, Part] => e[1] !== undefined)
      .map(([k, v]) => [typeof k === 'string' ? str(k) : k, v] as const),
  );
}

/** The canonical key order of the root and slot maps. */
const ORDER = ['suite', 'context', 'slots', 'kms', 'keyId', 'keyVersionId', 'blob', 'iv', 'algorithm'];
const rank = (k: string | Part): number => (typeof k === 'string' && ORDER.includes(k) ? ORDER.indexOf(k) : ORDER.length);

/**
 * Replaces, removes (undefined) or adds entries of a canonical base list: known keys land in
 * their canonical place, unknown keys at the end.
 */
export function withEntries(base: Entries, changes: Record<string, Part | undefined>): Entries {
  const out: Array<readonly [string | Part, Part | undefined]> = base.map(([k, v]) =>
    typeof k === 'string' && Object.hasOwn(changes, k) ? ([k, changes[k]] as const) : ([k, v] as const),
  );
  for (const [k, v] of Object.entries(changes)) if (!base.some(([bk]) => bk === k)) out.push([k, v]);
  return out.sort((a, b) => rank(a[0]) - rank(b[0]));
}

/** The default slot: kms "local", keyId "key-1", blob 01 02 03. */
export const SLOT: Entries = [
  ['kms', str('local')],
  ['keyId', str('key-1')],
  ['blob', bin([1, 2, 3])],
];

/** The default body entries: suite cobblestone-256, context {a: "1"}, one default slot. */
export function rootEntries(slots: Part = array([mapOf(SLOT)]), context: Part = mapOf([['a', str('1')]])): Entries {
  return [
    ['suite', str('cobblestone-256')],
    ['context', context],
    ['slots', slots],
  ];
}

/** Prelude (magic, version 1, u32be n) + body + a 32-byte MAC of 0xee. */
export function envelope(body: Part, mac: Part = new Array<number>(32).fill(0xee)): Uint8Array {
  const n = body.length;
  return new Uint8Array([0x89, 0x44, 0x45, 0x4b, 0x01, n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff, ...body, ...mac]);
}

/** Runs `fn`, expects it to throw, returns the error. */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  expect.unreachable('expected an error');
}

/** Expects a FormatError naming `field`. */
export function expectFormatError(fn: () => unknown, field: string): FormatError {
  const error = thrown(fn);
  expect(error).toBeInstanceOf(FormatError);
  expect((error as FormatError).details.field).toBe(field);
  return error as FormatError;
}

/** Expects a TruncatedError. */
export function expectTruncated(fn: () => unknown): TruncatedError {
  const error = thrown(fn);
  expect(error).toBeInstanceOf(TruncatedError);
  return error as TruncatedError;
}
