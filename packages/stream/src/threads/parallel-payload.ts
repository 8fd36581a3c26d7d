/**
 * c2sp payload sealing and opening on several threads: the asynchronous counterparts of
 * `ChunkSealer` and `ChunkOpener` from `@dek/core`, with the same output bytes, the same checks
 * and the same typed errors. The payload header, the limits and the short final chunk are handled
 * here on the calling thread; the full chunks go through {@link ParallelChunks}.
 *
 * @module
 */
import {
  ArgumentError,
  CHUNK_SIZE,
  FormatError,
  MAX_CHUNKS,
  PAYLOAD_HEADER_LENGTH,
  SALT_LENGTH,
  SEALED_CHUNK_SIZE,
  StateError,
  TAG_LENGTH,
  TruncatedError,
  deriveChunkKeys,
  openChunk,
  openChunkKeys,
  randomBytes,
  sealChunk,
  zeroize,
  zeroizeChunkKeys,
} from '@dek/core';
import type { AesGcm, ChunkKeys, SuiteName } from '@dek/core';
import type { Concurrency } from './concurrency.js';
import { ParallelChunks } from './parallel-chunks.js';

/** Options shared by {@link ParallelSealer} and {@link ParallelOpener}. */
export interface ParallelPayloadOptions {
  readonly suite: SuiteName;
  /** The data key (copied; the caller zeroes its own). */
  readonly key: Uint8Array;
  /** CTX, bound into the chunk keys. */
  readonly context: Uint8Array;
  /** Backend of the calling thread (workers use node:crypto; the bytes are the same). */
  readonly aead?: AesGcm;
  /** Threads, the calling one included (>= 2), or a pool. */
  readonly concurrency: Concurrency;
  /** Receives the output pieces in order. */
  readonly emit: (pieces: readonly Uint8Array[]) => void;
}

/**
 * Seals a payload: emit {@link ParallelSealer.header} first; then `await write()` for each piece
 * of plaintext (it resolves when more may be written) and `await end()`; the sealed chunks go to
 * `emit`. Errors are sticky.
 */
export class ParallelSealer {
  /** salt || commitment (56 bytes). */
  readonly header: Uint8Array;
  readonly #keys: ChunkKeys;
  readonly #chunks: ParallelChunks;
  readonly #emit: (pieces: readonly Uint8Array[]) => void;
  #plaintextLength = 0;
  #error: unknown;
  #failed = false;

  /** @param salt Fixed 24-byte salt, for tests only. */
  constructor(options: ParallelPayloadOptions & { readonly salt?: Uint8Array | undefined }) {
    const salt = options.salt ?? randomBytes(SALT_LENGTH);
    this.#keys = deriveChunkKeys(options.suite, options.key, salt, options.context, options.aead);
    this.header = new Uint8Array(PAYLOAD_HEADER_LENGTH);
    this.header.set(salt, 0);
    this.header.set(this.#keys.commitment, SALT_LENGTH);
    this.#emit = options.emit;
    this.#chunks = new ParallelChunks({ op: 'seal', keys: this.#keys, concurrency: options.concurrency, emit: options.emit });
  }

  /** Plaintext bytes accepted so far. */
  get plaintextLength(): number {
    return this.#plaintextLength;
  }

  /** Adds plaintext; resolves when the bytes in flight allow more. */
  write(data: Uint8Array): Promise<void> {
    try {
      if (this.#failed) throw this.#error;
      if (!(data instanceof Uint8Array)) throw new ArgumentError('plaintext must be a Uint8Array', { field: 'data' });
      // The final chunk needs an index below 2^38 too.
      if (Math.floor((this.#plaintextLength + data.length) / CHUNK_SIZE) > MAX_CHUNKS - 1) {
        throw new ArgumentError('message exceeds the 2^38-chunk limit', { field: 'plaintext', chunkIndex: this.#chunks.chunkIndex });
      }
      this.#chunks.push(data);
      this.#plaintextLength += data.length;
    } catch (error) {
      return Promise.reject(this.#fail(error));
    }
    return this.#chunks.ready().catch((error: unknown) => Promise.reject(this.#fail(error)));
  }

  /** Waits for every chunk, seals the short final one, emits it and zeroes the keys. */
  async end(): Promise<void> {
    if (this.#failed) throw this.#error;
    try {
      const rest = await this.#chunks.finish();
      const final = sealChunk(this.#keys, this.#chunks.chunkIndex, rest);
      zeroize(rest);
      this.#emit([final]);
      zeroizeChunkKeys(this.#keys);
    } catch (error) {
      throw this.#fail(error);
    }
  }

  /** Abandons the payload: stops the workers and zeroes the keys. */
  dispose(): void {
    this.#chunks.dispose();
    zeroizeChunkKeys(this.#keys);
  }

  #fail(error: unknown): unknown {
    if (!this.#failed) {
      this.#failed = true;
      this.#error = error;
      this.dispose();
    }
    return this.#error;
  }
}

/**
 * Opens a payload: checks the commitment once its 56-byte header is in, then opens full chunks on
 * several threads and emits each batch only after all its tags verified; `end()` opens the short
 * final chunk. Errors are sticky.
 */
export class ParallelOpener {
  readonly #options: ParallelPayloadOptions;
  readonly #header = new Uint8Array(PAYLOAD_HEADER_LENGTH);
  #headerLength = 0;
  #key: Uint8Array | undefined;
  #keys: ChunkKeys | undefined;
  #chunks: ParallelChunks | undefined;
  #sealedLength = 0;
  #error: unknown;
  #failed = false;
  #done = false;

  constructor(options: ParallelPayloadOptions) {
    this.#options = options;
    this.#key = new Uint8Array(options.key);
  }

  /** Adds ciphertext; resolves when the bytes in flight allow more. */
  write(data: Uint8Array): Promise<void> {
    try {
      this.#check();
      if (!(data instanceof Uint8Array)) throw new ArgumentError('ciphertext must be a Uint8Array', { field: 'data' });
      const at = this.#keys === undefined ? this.#readHeader(data) : 0;
      const chunks = this.#chunks;
      if (chunks === undefined || at === data.length) return Promise.resolve();
      // A full chunk at index 2^38 - 1 would leave no valid index for the final chunk.
      if (Math.floor((this.#sealedLength + data.length - at) / SEALED_CHUNK_SIZE) > MAX_CHUNKS - 1) {
        throw new FormatError('payload exceeds the 2^38-chunk limit', { field: 'payload', chunkIndex: MAX_CHUNKS - 1 });
      }
      chunks.push(at === 0 ? data : data.subarray(at));
      this.#sealedLength += data.length - at;
      return chunks.ready().catch((error: unknown) => Promise.reject(this.#fail(error)));
    } catch (error) {
      return Promise.reject(this.#fail(error));
    }
  }

  /** Waits for every chunk, then opens and emits the final short chunk; the input must end there. */
  async end(): Promise<void> {
    this.#check();
    try {
      const keys = this.#keys;
      if (keys === undefined || this.#chunks === undefined) {
        throw new TruncatedError('payload ends inside its 56-byte header', { field: 'header', offset: this.#headerLength });
      }
      const rest = await this.#chunks.finish();
      const index = this.#chunks.chunkIndex;
      if (rest.length < TAG_LENGTH) throw new TruncatedError('payload lacks its short final chunk', { chunkIndex: index });
      const plaintext = openChunk(keys, index, rest);
      this.#done = true;
      this.dispose();
      this.#options.emit([plaintext]);
    } catch (error) {
      throw this.#fail(error);
    }
  }

  /** Abandons the payload: stops the workers, zeroes the keys. */
  dispose(): void {
    this.#chunks?.dispose();
    if (this.#keys !== undefined) zeroizeChunkKeys(this.#keys);
    zeroize(this.#key);
    this.#key = undefined;
  }

  #check(): void {
    if (this.#failed) throw this.#error;
    if (this.#done) throw new StateError('the payload opener already ended');
  }

  /** Takes header bytes; once all 56 are in, checks the commitment. Returns the bytes used. */
  #readHeader(data: Uint8Array): number {
    const take = Math.min(PAYLOAD_HEADER_LENGTH - this.#headerLength, data.length);
    this.#header.set(data.subarray(0, take), this.#headerLength);
    this.#headerLength += take;
    if (this.#headerLength === PAYLOAD_HEADER_LENGTH) {
      const key = this.#key!;
      this.#key = undefined;
      try {
        const { suite, context, aead, concurrency, emit } = this.#options;
        this.#keys = openChunkKeys(suite, key, this.#header, context, aead);
        this.#chunks = new ParallelChunks({ op: 'open', keys: this.#keys, concurrency, emit });
      } finally {
        zeroize(key);
      }
    }
    return take;
  }

  #fail(error: unknown): unknown {
    if (!this.#failed) {
      this.#failed = true;
      this.#error = error;
      this.dispose();
    }
    return this.#error;
  }
}
