/**
 * Writes the small MessagePack subset of the header body - maps, arrays, str and bin - each in its
 * shortest form, exactly what {@link BodyReader} accepts. Callers check values and limits first.
 *
 * @module
 */
import { ARRAY, BIN, MAP, STR, type Family } from './reader.js';
import { utf8Encode } from './utf8.js';

/** Builds one header body. */
export class BodyWriter {
  readonly #parts: Uint8Array[] = [];
  #length = 0;

  /** A map of `count` entries (its keys and values follow). */
  mapHeader(count: number): void {
    this.#prefix(MAP, count);
  }

  /** An array of `count` elements (they follow). */
  arrayHeader(count: number): void {
    this.#prefix(ARRAY, count);
  }

  /** A str: a well-formed string (the caller checks), or its UTF-8 bytes. */
  string(value: string | Uint8Array): void {
    const utf8 = typeof value === 'string' ? utf8Encode(value) : value;
    this.#prefix(STR, utf8.length);
    this.#push(utf8);
  }

  /** A bin. */
  binary(bytes: Uint8Array): void {
    this.#prefix(BIN, bytes.length);
    this.#push(bytes);
  }

  /** The body written so far, as one new array. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.#length);
    let at = 0;
    for (const part of this.#parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }

  /** The type byte and length of a `family` value of `length`, in the shortest form. */
  #prefix(family: Family, length: number): void {
    if (family.fixBase !== undefined && length <= (family.fixMax ?? -1)) {
      this.#push(Uint8Array.of(family.fixBase + length));
    } else if (family.forms[0] !== 0 && length < 0x100) {
      this.#push(Uint8Array.of(family.forms[0], length));
    } else if (length < 0x10000) {
      this.#push(Uint8Array.of(family.forms[1], length >>> 8, length & 0xff));
    } else {
      const prefix = new Uint8Array(5);
      prefix[0] = family.forms[2];
      new DataView(prefix.buffer).setUint32(1, length);
      this.#push(prefix);
    }
  }

  #push(bytes: Uint8Array): void {
    this.#parts.push(bytes);
    this.#length += bytes.length;
  }
}
