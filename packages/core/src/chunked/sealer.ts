/**
 * Incremental sealing for streams: header first, then each full chunk as soon as its 16 KiB are in,
 * then the short final chunk at end().
 *
 * @module
 */
import type { AesGcm } from '../aead/aes-gcm.js';
import { ArgumentError, StateError } from '../errors.js';
import { zeroize } from '../bytes.js';
import { randomBytes } from '../random.js';
import { sealChunk, sealChunkDetached, sealChunkInto } from './chunk.js';
import { CHUNK_SIZE, MAX_CHUNKS, PAYLOAD_HEADER_LENGTH, SALT_LENGTH, SEALED_CHUNK_SIZE } from './constants.js';
import { deriveChunkKeys, zeroizeChunkKeys, type ChunkKeys } from './keys.js';
import type { SuiteName } from './suite.js';

/** Seals one full chunk (`slot`: its position among the chunks of the current write). */
type SealFull = (keys: ChunkKeys, index: number, plaintext: Uint8Array, slot: number) => void;

/** Options of {@link ChunkSealer}. */
export interface ChunkSealerOptions {
  /** Suite. */
  readonly suite: SuiteName;
  /** Input (data) key of the suite's size; not retained. */
  readonly key: Uint8Array;
  /** Context bound into the key derivation. */
  readonly context: Uint8Array;
  /** Fixed 24-byte salt. For tests and vectors only: a salt must never repeat under one key. */
  readonly salt?: Uint8Array;
  /** AES-GCM backend (default: {@link defaultAesGcm} at construction). */
  readonly aead?: AesGcm;
}

/**
 * Seals a message incrementally. Emit {@link ChunkSealer.header} first, then every array returned
 * by {@link ChunkSealer.write}, then the one from {@link ChunkSealer.end}. Full chunks are sealed
 * straight from the caller's buffer; at most one partial chunk (< 16 KiB) is copied and held.
 * After an error every later call rethrows it; after end() or dispose() calls throw StateError.
 */
export class ChunkSealer {
  /** Payload header, salt || commitment (56 bytes): emit it first. */
  readonly header: Uint8Array;
  #keys: ChunkKeys | undefined;
  #buffer: Uint8Array | undefined;
  #pending = 0;
  #index = 0;
  #plaintextLength = 0;
  #error: unknown;
  #failed = false;

  constructor(options: ChunkSealerOptions) {
    const salt = options.salt ?? randomBytes(SALT_LENGTH);
    this.#keys = deriveChunkKeys(options.suite, options.key, salt, options.context, options.aead);
    this.header = new Uint8Array(PAYLOAD_HEADER_LENGTH);
    this.header.set(salt, 0);
    this.header.set(this.#keys.commitment, SALT_LENGTH);
  }

  /** Plaintext bytes accepted so far. */
  get plaintextLength(): number {
    return this.#plaintextLength;
  }

  /** Index of the next chunk to be sealed. */
  get chunkIndex(): number {
    return this.#index;
  }

  /**
   * Adds plaintext; returns the sealed full chunks (16400 bytes each) it completed, in order. They
   * are consecutive views into one allocation (see {@link ChunkSealer.writeJoined}).
   */
  write(data: Uint8Array): Uint8Array[] {
    const joined = this.writeJoined(data);
    const chunks: Uint8Array[] = [];
    for (let at = 0; at < joined.length; at += SEALED_CHUNK_SIZE) chunks.push(joined.subarray(at, at + SEALED_CHUNK_SIZE));
    return chunks;
  }

  /**
   * Like {@link ChunkSealer.write}, but returns the completed sealed chunks concatenated in one
   * array (empty if none): one allocation per call, ready to emit as is.
   */
  writeJoined(data: Uint8Array): Uint8Array {
    let out = new Uint8Array(0);
    this.#write(data, (count) => {
      out = new Uint8Array(count * SEALED_CHUNK_SIZE);
      return (keys, index, plaintext, slot) => {
        const from = slot * SEALED_CHUNK_SIZE;
        sealChunkInto(keys, index, plaintext, out.subarray(from, from + SEALED_CHUNK_SIZE));
      };
    });
    return out;
  }

  /**
   * Like {@link ChunkSealer.write}, but returns each completed chunk as two arrays, its ciphertext
   * then its tag: `[ct0, tag0, ct1, tag1, ...]`. With a backend that has `sealDetached`
   * (node:crypto) nothing is copied, which is the cheapest form for a stream that can emit pieces.
   */
  writeParts(data: Uint8Array): Uint8Array[] {
    const parts: Uint8Array[] = [];
    this.#write(data, () => (keys, index, plaintext) => {
      const sealed = sealChunkDetached(keys, index, plaintext);
      parts.push(sealed.ciphertext, sealed.tag);
    });
    return parts;
  }

  /**
   * Cuts `data` into full chunks (after the buffered partial one) and hands each to the sealing
   * function `prepare(count)` returns, with its index and its slot among this call's chunks;
   * buffers the rest. Fails the sealer for good on any error.
   */
  #write(data: Uint8Array, prepare: (count: number) => SealFull): void {
    const keys = this.#usable();
    try {
      if (!(data instanceof Uint8Array)) throw new ArgumentError('plaintext must be a Uint8Array', { field: 'data' });
      const count = Math.floor((this.#pending + data.length) / CHUNK_SIZE);
      // The final chunk needs an index below 2^38 too.
      if (this.#index + count > MAX_CHUNKS - 1) {
        throw new ArgumentError('message exceeds the 2^38-chunk limit', { field: 'plaintext', chunkIndex: this.#index });
      }
      const seal = prepare(count);
      let slot = 0;
      let at = 0;
      if (this.#pending > 0) {
        const buffer = this.#buffer!;
        at = Math.min(CHUNK_SIZE - this.#pending, data.length);
        buffer.set(data.subarray(0, at), this.#pending);
        this.#pending += at;
        if (this.#pending === CHUNK_SIZE) {
          seal(keys, this.#index++, buffer, slot++);
          this.#pending = 0;
        }
      }
      for (; data.length - at >= CHUNK_SIZE; at += CHUNK_SIZE) seal(keys, this.#index++, data.subarray(at, at + CHUNK_SIZE), slot++);
      if (at < data.length) {
        this.#buffer ??= new Uint8Array(CHUNK_SIZE);
        this.#buffer.set(data.subarray(at), 0);
        this.#pending = data.length - at;
      }
      this.#plaintextLength += data.length;
    } catch (error) {
      throw this.#fail(error);
    }
  }

  /** Seals and returns the short final chunk (possibly empty plaintext), then zeroes the keys. */
  end(): Uint8Array {
    const keys = this.#usable();
    try {
      const final = sealChunk(keys, this.#index, this.#buffer?.subarray(0, this.#pending) ?? new Uint8Array(0));
      this.#index++;
      this.dispose();
      return final;
    } catch (error) {
      throw this.#fail(error);
    }
  }

  /** Zeroes the keys and the buffered plaintext; the sealer cannot be used afterwards. */
  dispose(): void {
    if (this.#keys !== undefined) zeroizeChunkKeys(this.#keys);
    zeroize(this.#buffer);
    this.#keys = undefined;
    this.#buffer = undefined;
    this.#pending = 0;
  }

  #usable(): ChunkKeys {
    if (this.#failed) throw this.#error;
    if (this.#keys === undefined) throw new StateError('ChunkSealer already ended or disposed');
    return this.#keys;
  }

  #fail(error: unknown): unknown {
    this.#failed = true;
    this.#error = error;
    this.dispose();
    return error;
  }
}
