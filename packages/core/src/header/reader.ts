/**
 * A strict reader for the small MessagePack subset of the header body: maps, arrays, str and
 * bin, each in its shortest form (the one msgpackr writes). Anything else - other types, longer
 * length forms than needed, malformed UTF-8, data running past the body - is a FormatError that
 * names the field being read and the absolute byte offset. It never recurses and never trusts
 * a declared length before checking it against the bytes that are left.
 *
 * @module
 */
import { FormatError } from '../errors.js';
import { utf8DecodeStrict } from './utf8.js';

/** What a MessagePack type byte starts, for error messages. */
function kindOf(b: number): string {
  if (b <= 0x7f || b >= 0xe0 || (b >= 0xcc && b <= 0xd3)) return 'an integer';
  if (b <= 0x8f || b === 0xde || b === 0xdf) return 'a map';
  if (b <= 0x9f || b === 0xdc || b === 0xdd) return 'an array';
  if (b <= 0xbf || (b >= 0xd9 && b <= 0xdb)) return 'a string';
  if (b === 0xc0) return 'nil';
  if (b === 0xc2 || b === 0xc3) return 'a boolean';
  if (b >= 0xc4 && b <= 0xc6) return 'binary';
  if (b === 0xca || b === 0xcb) return 'a float';
  if (b === 0xc1) return 'the never-used byte 0xc1';
  return 'an extension';
}

/** A length-prefixed MessagePack family: its fix range (if any) and 8/16/32-bit forms. */
interface Family {
  readonly name: string;
  readonly fixBase?: number;
  readonly fixMax?: number;
  /** Type bytes of the 8-, 16- and 32-bit length forms (0 where the family has none). */
  readonly forms: readonly [number, number, number];
}

const MAP: Family = { name: 'a map', fixBase: 0x80, fixMax: 15, forms: [0, 0xde, 0xdf] };
const ARRAY: Family = { name: 'an array', fixBase: 0x90, fixMax: 15, forms: [0, 0xdc, 0xdd] };
const STR: Family = { name: 'a string', fixBase: 0xa0, fixMax: 31, forms: [0xd9, 0xda, 0xdb] };
const BIN: Family = { name: 'binary', forms: [0xc4, 0xc5, 0xc6] };

/** Reads one header body; offsets in errors are absolute (body offset + `base`). */
export class BodyReader {
  private readonly bytes: Uint8Array;
  private readonly base: number;
  private pos = 0;

  /** @param base absolute offset of `bytes[0]` in the input, for error details. */
  constructor(bytes: Uint8Array, base: number) {
    this.bytes = bytes;
    this.base = base;
  }

  /** Whether every byte of the body has been read. */
  get done(): boolean {
    return this.pos === this.bytes.length;
  }

  /** Body-relative position of the next byte (for {@link BodyReader.fail}). */
  get position(): number {
    return this.pos;
  }

  /** A FormatError for `field` at body position `at` (default: the next byte). */
  fail(field: string, message: string, at: number = this.pos, details: Record<string, unknown> = {}): FormatError {
    return new FormatError(`header ${field}: ${message}`, { field, offset: this.base + at, ...details });
  }

  /** Reads a map header; returns its entry count (at most `max`). */
  mapLength(field: string, max: number): number {
    return this.length(MAP, field, max);
  }

  /** Reads an array header; returns its element count (at most `max`). */
  arrayLength(field: string, max: number): number {
    return this.length(ARRAY, field, max);
  }

  /** Reads a str of at most `max` UTF-8 bytes and returns it with its bytes (a view). */
  string(field: string, max: number): { text: string; bytes: Uint8Array } {
    const at = this.pos;
    const bytes = this.take(field, this.length(STR, field, max));
    const text = utf8DecodeStrict(bytes);
    if (text === undefined) throw this.fail(field, 'not valid UTF-8', at);
    return { text, bytes };
  }

  /** Reads a bin of at most `max` bytes and returns a copy. */
  binary(field: string, max: number): Uint8Array {
    return this.take(field, this.length(BIN, field, max)).slice();
  }

  private take(field: string, n: number): Uint8Array {
    if (n > this.bytes.length - this.pos) throw this.fail(field, 'the header body ends inside this field');
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Reads the type byte and length of a `family` value in its shortest form; checks `max`. */
  private length(family: Family, field: string, max: number): number {
    const at = this.pos;
    if (at >= this.bytes.length) throw this.fail(field, 'the header body ends before this field');
    const b = this.bytes[at]!;
    const fixMax = family.fixMax ?? -1;
    let length: number;
    if (family.fixBase !== undefined && b >= family.fixBase && b <= family.fixBase + fixMax) {
      length = b - family.fixBase;
      this.pos = at + 1;
    } else {
      const form = b === 0 ? -1 : family.forms.indexOf(b);
      if (form < 0) throw this.fail(field, `expected ${family.name}, found ${kindOf(b)}`);
      const size = 1 << form; // 1, 2 or 4 length bytes
      if (this.bytes.length - at < 1 + size) throw this.fail(field, 'the header body ends inside this field');
      const view = new DataView(this.bytes.buffer, this.bytes.byteOffset + at + 1, size);
      length = size === 1 ? view.getUint8(0) : size === 2 ? view.getUint16(0) : view.getUint32(0);
      // Shortest form only: the next smaller form (or the fix range) must not have fit.
      const smallest = form === 2 ? 0x10000 : form === 1 && family.forms[0] !== 0 ? 0x100 : fixMax + 1;
      if (length < smallest) throw this.fail(field, `${family.name} length ${length} is not in its shortest encoding`, at);
      this.pos = at + 1 + size;
    }
    if (length > max) throw this.fail(field, `${family.name} of length ${length} exceeds the limit ${max}`, at, { limit: max });
    return length;
  }
}
