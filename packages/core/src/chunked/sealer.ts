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
import { sealChunk, sealChunkInto } from './chunk.js';
import { CHUNK_SIZE, MAX_CHUNKS, PAYLOAD_HEADER_LENGTH, SALT_LENGTH, SEALED_CHUNK_SIZE } from './constants.js';
import { deriveChunkKeys, zeroizeChunkKeys, type ChunkKeys } from './keys.js';
import type { SuiteName } from './suite.js';

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
    const keys = this.#usable();
    try {
      if (!(data instanceof Uint8Array)) throw new ArgumentError('plaintext must be a Uint8Array', { field: 'data' });
      const count = Math.floor((this.#pending + data.length) / CHUNK_SIZE);
      // The final chunk needs an index below 2^38 too.
      if (this.#index + count > MAX_CHUNKS - 1) {
        throw new ArgumentError('message exceeds the 2^38-chunk limit', { field: 'plaintext', chunkIndex: this.#index });
      }
      const out = new Uint8Array(count * SEALED_CHUNK_SIZE);
      let slot = 0;
      let at = 0;
      if (this.#pending > 0) {
        const buffer = this.#buffer!;
        at = Math.min(CHUNK_SIZE - this.#pending, data.length);
        buffer.set(data.subarray(0, at), this.#pending);
        this.#pending += at;
        if (this.#pending === CHUNK_SIZE) {
          this.#sealFull(keys, buffer, out, slot++);
          this.#pending = 0;
        }
      }
      for (; data.length - at >= CHUNK_SIZE; at += CHUNK_SIZE) this.#sealFull(keys, data.subarray(at, at + CHUNK_SIZE), out, slot++);
      if (at < data.length) {
        this.#buffer ??= new Uint8Array(CHUNK_SIZE);
        this.#buffer.set(data.subarray(at), 0);
        this.#pending = data.length - at;
      }
      this.#plaintextLength += data.length;
      return out;
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

  /** Seals the next full chunk into slot `slot` of `out`. */
  #sealFull(keys: ChunkKeys, plaintext: Uint8Array, out: Uint8Array, slot: number): void {
    const from = slot * SEALED_CHUNK_SIZE;
    sealChunkInto(keys, this.#index, plaintext, out.subarray(from, from + SEALED_CHUNK_SIZE));
    this.#index++;
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
