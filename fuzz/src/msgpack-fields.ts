/**
 * Finds the length fields of an envelope header so that mutations can push them to their limits:
 * the prelude's u32 `n` and every MessagePack length prefix (map, array, str, bin) in the body.
 *
 * @module
 */
import type { LengthField } from './mutate.js';

interface Family {
  readonly fixBase?: number;
  readonly fixMax?: number;
  /** Type bytes of the 8-, 16- and 32-bit forms (undefined where the family has none). */
  readonly forms: readonly [number | undefined, number | undefined, number | undefined];
  /** Whether the length counts bytes (str, bin) or entries (map: pairs, array: items). */
  readonly kind: 'bytes' | 'map' | 'array';
}

const MAP: Family = { fixBase: 0x80, fixMax: 15, forms: [undefined, 0xde, 0xdf], kind: 'map' };
const ARRAY: Family = { fixBase: 0x90, fixMax: 15, forms: [undefined, 0xdc, 0xdd], kind: 'array' };
const STR: Family = { fixBase: 0xa0, fixMax: 31, forms: [0xd9, 0xda, 0xdb], kind: 'bytes' };
const BIN: Family = { forms: [0xc4, 0xc5, 0xc6], kind: 'bytes' };
const FAMILIES = [MAP, ARRAY, STR, BIN];
const WIDTHS = [1, 2, 4] as const;

function readBig(bytes: Uint8Array, at: number, width: number): number {
  let v = 0;
  for (let i = 0; i < width; i++) v = v * 256 + bytes[at + i]!;
  return v;
}

/** The next longer form of a length in `family`, after the form at index `form` (-1: fix). */
function widerForm(family: Family, form: number): LengthField['wider'] {
  for (let f = form + 1; f < 3; f++) {
    const type = family.forms[f];
    if (type !== undefined) return { type, width: WIDTHS[f]! };
  }
  return undefined;
}

/**
 * Walks one MessagePack value at `at` (maps, arrays, str, bin only; anything else ends the walk)
 * and records every length field. Returns the offset after the value, or -1 if it cannot go on.
 */
function walk(bytes: Uint8Array, at: number, out: LengthField[], depth: number): number {
  if (at >= bytes.length || depth > 16) return -1;
  const b = bytes[at]!;
  for (const family of FAMILIES) {
    let length: number;
    let next: number;
    if (family.fixBase !== undefined && b >= family.fixBase && b <= family.fixBase + family.fixMax!) {
      length = b - family.fixBase;
      next = at + 1;
      out.push({ offset: at, width: 0, fix: { base: family.fixBase, max: family.fixMax! }, value: length, wider: widerForm(family, -1), remaining: bytes.length - next });
    } else {
      const form = family.forms.indexOf(b);
      if (form < 0) continue;
      const width = WIDTHS[form]!;
      if (at + 1 + width > bytes.length) return -1;
      length = readBig(bytes, at + 1, width);
      next = at + 1 + width;
      out.push({ offset: at + 1, width, value: length, wider: widerForm(family, form), remaining: bytes.length - next });
    }
    if (family.kind === 'bytes') return next + length <= bytes.length ? next + length : -1;
    const items = family.kind === 'map' ? 2 * length : length;
    for (let i = 0; i < items && next >= 0; i++) next = walk(bytes, next, out, depth + 1);
    return next;
  }
  return -1;
}

/** The length fields of a MessagePack value starting at `offset` of `bytes`. */
export function msgpackLengthFields(bytes: Uint8Array, offset = 0): LengthField[] {
  const out: LengthField[] = [];
  walk(bytes, offset, out, 0);
  return out;
}

/**
 * The length fields of an envelope (or a bare header) in `bytes`: the prelude's u32 `n` at
 * offset 5 and the MessagePack length prefixes of the body at offset 9.
 */
export function headerLengthFields(bytes: Uint8Array): LengthField[] {
  if (bytes.length < 9) return [];
  const n = readBig(bytes, 5, 4);
  return [{ offset: 5, width: 4, value: n, remaining: bytes.length - 9 }, ...msgpackLengthFields(bytes.subarray(0, 9 + n), 9)];
}
