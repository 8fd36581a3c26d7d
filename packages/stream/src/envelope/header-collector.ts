/**
 * Collects the bytes of an envelope header from a stream of writes of any size, bounded by the
 * length the prelude announces (at most 9 + 65536 + 32 bytes), then parses it strictly.
 *
 * @module
 */
import { FormatError, PRELUDE_LENGTH, TruncatedError, decodeHeader, readPrelude } from '@dek/core';
import type { DekError } from '@dek/core';
import { joinBytes } from './bytes.js';
import type { HeaderBytes } from '../keys/unwrap.js';

/** A complete, parsed (not yet authenticated) header. */
export interface CollectedHeader extends HeaderBytes {
  /** The whole header: prelude, body and MAC. */
  readonly bytes: Uint8Array;
  /** 9 + n + 32. */
  readonly headerLength: number;
}

/** Parses a whole header held in `bytes` (exactly the header, or the header and more). */
export function parseHeaderBytes(bytes: Uint8Array): CollectedHeader {
  const decoded = decodeHeader(bytes);
  const whole = bytes.subarray(0, decoded.headerLength);
  return {
    header: decoded.header,
    bytes: whole,
    headerLength: decoded.headerLength,
    maced: whole.subarray(0, decoded.macedLength),
    mac: decoded.mac,
  };
}

/** Incremental header reader: feed writes until {@link HeaderCollector.push} returns the header. */
export class HeaderCollector {
  #parts: Uint8Array[] = [];
  #length = 0;
  #headerLength: number | undefined;

  /** Bytes received so far. */
  get received(): number {
    return this.#length;
  }

  /**
   * Feeds `data`. Returns the parsed header and the bytes that followed it in `data` once the
   * header is complete, `undefined` while more is needed. Throws FormatError on a bad prelude or
   * body. Copies what it keeps, so the caller may reuse `data`.
   */
  push(data: Uint8Array): { header: CollectedHeader; rest: Uint8Array } | undefined {
    for (;;) {
      const need = (this.#headerLength ?? PRELUDE_LENGTH) - this.#length;
      if (data.length < need) {
        if (data.length > 0) this.#parts.push(data.slice());
        this.#length += data.length;
        return undefined;
      }
      this.#parts.push(data.slice(0, need));
      this.#length += need;
      data = data.subarray(need);
      const bytes = joinBytes(this.#parts);
      this.#parts = [bytes];
      if (this.#headerLength === undefined) {
        this.#headerLength = readPrelude(bytes).headerLength;
        continue;
      }
      this.#parts = [];
      return { header: parseHeaderBytes(bytes), rest: data };
    }
  }

  /**
   * The error for input that ended inside the header: FormatError if the bytes present already
   * break the prelude (a short file that is not a dek file), TruncatedError otherwise.
   */
  truncated(): DekError {
    if (this.#headerLength === undefined) {
      try {
        readPrelude(joinBytes(this.#parts));
      } catch (error) {
        if (error instanceof FormatError) return error;
      }
    }
    return new TruncatedError('the input ended inside the envelope header', { field: 'header', offset: this.#length });
  }
}
