/**
 * Incremental opening for streams: commitment check once the 56-byte header is in, each full chunk
 * released as soon as its tag verifies, the short final chunk at end(). An end that does not open
 * gets the trailing-data verdict of {@link judgeUnopenedEnd}.
 *
 * @module
 */
import type { AesGcm } from '../aead/aes-gcm.js';
import { defaultAesGcm } from '../aead/default.js';
import { ArgumentError, AuthenticationError, FormatError, StateError, TruncatedError } from '../errors.js';
import { zeroize } from '../bytes.js';
import { openChunk } from './chunk.js';
import { END_WINDOW, judgeUnopenedEnd } from './end-verdict.js';
import { MAX_CHUNKS, PAYLOAD_HEADER_LENGTH, SEALED_CHUNK_SIZE, TAG_LENGTH } from './constants.js';
import { checkInputKey, openChunkKeys, zeroizeChunkKeys, type ChunkKeys } from './keys.js';
import { getSuite, type SuiteName } from './suite.js';

/** Options of {@link ChunkOpener}. */
export interface ChunkOpenerOptions {
  /** Suite. */
  readonly suite: SuiteName;
  /** Input (data) key of the suite's size; copied until the header arrives, then zeroed. */
  readonly key: Uint8Array;
  /** Context the payload was sealed with. */
  readonly context: Uint8Array;
  /** AES-GCM backend (default: {@link defaultAesGcm} at construction). */
  readonly aead?: AesGcm;
}

/**
 * A full chunk that failed while at most 64 bytes follow it: maybe a final chunk that stray
 * bytes pushed to 16400 bytes. Judged at end(), or failed once more than 64 bytes follow.
 */
interface SuspectEnd {
  readonly error: AuthenticationError;
  /** The failed chunk and the bytes after it ({@link END_WINDOW} at most). */
  readonly bytes: Uint8Array;
  length: number;
}

/**
 * Opens a payload incrementally. Feed ciphertext to {@link ChunkOpener.write} in any split; it
 * returns the plaintext of every chunk whose tag verified. {@link ChunkOpener.end} opens the short
 * final chunk and throws {@link TruncatedError} if the input ended early, and
 * {@link TrailingDataError} if a valid final chunk is followed by 1 to 64 bytes (see
 * {@link judgeUnopenedEnd}). Full chunks are opened straight from the caller's buffer; at most one
 * partial chunk is copied and held. After any error every later call rethrows the same error;
 * after end() or dispose() calls throw StateError.
 */
export class ChunkOpener {
  readonly #suite: SuiteName;
  readonly #context: Uint8Array;
  readonly #aead: AesGcm;
  #inputKey: Uint8Array | undefined;
  #header: Uint8Array | undefined = new Uint8Array(PAYLOAD_HEADER_LENGTH);
  #headerLength = 0;
  #keys: ChunkKeys | undefined;
  #buffer: Uint8Array | undefined;
  #pending = 0;
  #suspect: SuspectEnd | undefined;
  #index = 0;
  #plaintextLength = 0;
  #done = false;
  #error: unknown;
  #failed = false;

  constructor(options: ChunkOpenerOptions) {
    checkInputKey(getSuite(options.suite), options.key);
    if (!(options.context instanceof Uint8Array)) {
      throw new ArgumentError('context must be a Uint8Array', { field: 'context' });
    }
    this.#suite = options.suite;
    // Copies (new Uint8Array, not slice(): Buffer#slice is a view); the key copy is zeroed later.
    this.#inputKey = new Uint8Array(options.key);
    this.#context = new Uint8Array(options.context);
    this.#aead = options.aead ?? defaultAesGcm();
  }

  /** Index of the next chunk to be opened. */
  get chunkIndex(): number {
    return this.#index;
  }

  /** Plaintext bytes released so far. */
  get plaintextLength(): number {
    return this.#plaintextLength;
  }

  /** Adds ciphertext; returns the plaintext of the full chunks it completed and verified, in order. */
  write(data: Uint8Array): Uint8Array[] {
    this.#checkUsable();
    const out: Uint8Array[] = [];
    try {
      if (!(data instanceof Uint8Array)) throw new ArgumentError('ciphertext must be a Uint8Array', { field: 'data' });
      let at = this.#keys === undefined ? this.#readHeader(data) : 0;
      const keys = this.#keys;
      if (keys === undefined) return out;
      if (this.#suspect === undefined && this.#pending > 0) {
        const buffer = this.#buffer!;
        const take = Math.min(SEALED_CHUNK_SIZE - this.#pending, data.length - at);
        buffer.set(data.subarray(at, at + take), this.#pending);
        this.#pending += take;
        at += take;
        if (this.#pending === SEALED_CHUNK_SIZE) {
          this.#pending = 0;
          this.#openFull(keys, buffer, out);
        }
      }
      // A 16400-byte chunk is never the final one (that one is always shorter): open it now.
      for (; this.#suspect === undefined && data.length - at >= SEALED_CHUNK_SIZE; at += SEALED_CHUNK_SIZE) {
        this.#openFull(keys, data.subarray(at, at + SEALED_CHUNK_SIZE), out);
      }
      if (this.#suspect !== undefined) {
        this.#holdSuspect(data.subarray(at));
      } else if (at < data.length) {
        this.#buffer ??= new Uint8Array(SEALED_CHUNK_SIZE);
        this.#buffer.set(data.subarray(at), 0);
        this.#pending = data.length - at;
      }
      for (const plaintext of out) this.#plaintextLength += plaintext.length;
      return out;
    } catch (error) {
      zeroize(...out); // verified but never released: the call fails as a whole
      throw this.#fail(error);
    }
  }

  /** Opens and returns the final short chunk; the input must end right after it. */
  end(): Uint8Array {
    this.#checkUsable();
    try {
      const keys = this.#keys;
      if (keys === undefined) {
        throw new TruncatedError('payload ends inside its 56-byte header', { field: 'header', offset: this.#headerLength });
      }
      const suspect = this.#suspect;
      if (suspect !== undefined) {
        throw judgeUnopenedEnd(keys, this.#sequenceLength(suspect.length), suspect.bytes.subarray(0, suspect.length), suspect.error);
      }
      if (this.#pending < TAG_LENGTH) {
        throw new TruncatedError('payload lacks its short final chunk', { chunkIndex: this.#index });
      }
      const final = this.#buffer!.subarray(0, this.#pending);
      let plaintext: Uint8Array;
      try {
        plaintext = openChunk(keys, this.#index, final);
      } catch (error) {
        if (error instanceof AuthenticationError) throw judgeUnopenedEnd(keys, this.#sequenceLength(final.length), final, error);
        throw error;
      }
      this.#index++;
      this.#plaintextLength += plaintext.length;
      this.#done = true;
      this.dispose();
      return plaintext;
    } catch (error) {
      throw this.#fail(error);
    }
  }

  /** Zeroes the keys and buffered bytes; the opener cannot be used afterwards. */
  dispose(): void {
    if (this.#keys !== undefined) zeroizeChunkKeys(this.#keys);
    zeroize(this.#inputKey, this.#buffer);
    this.#keys = undefined;
    this.#inputKey = undefined;
    this.#buffer = undefined;
    this.#suspect = undefined;
    this.#header = undefined;
    this.#pending = 0;
    this.#done = true;
  }

  #readHeader(data: Uint8Array): number {
    const header = this.#header!;
    const take = Math.min(PAYLOAD_HEADER_LENGTH - this.#headerLength, data.length);
    header.set(data.subarray(0, take), this.#headerLength);
    this.#headerLength += take;
    if (this.#headerLength === PAYLOAD_HEADER_LENGTH) {
      const inputKey = this.#inputKey!;
      this.#inputKey = undefined;
      try {
        this.#keys = openChunkKeys(this.#suite, inputKey, header, this.#context, this.#aead);
      } finally {
        zeroize(inputKey);
      }
    }
    return take;
  }

  /** Opens a full chunk into `out`; a failed tag makes it the suspect end instead of failing now. */
  #openFull(keys: ChunkKeys, sealed: Uint8Array, out: Uint8Array[]): void {
    // A full chunk at index 2^38 - 1 would leave no valid index for the final chunk.
    if (this.#index >= MAX_CHUNKS - 1) {
      throw new FormatError('payload exceeds the 2^38-chunk limit', { field: 'payload', chunkIndex: this.#index });
    }
    try {
      out.push(openChunk(keys, this.#index, sealed));
    } catch (error) {
      if (!(error instanceof AuthenticationError)) throw error;
      const bytes = new Uint8Array(END_WINDOW);
      bytes.set(sealed);
      this.#suspect = { error, bytes, length: sealed.length };
      return;
    }
    this.#index++;
  }

  /** Keeps the bytes after the suspect chunk; more than 64 of them: the chunk is damaged, fail now. */
  #holdSuspect(data: Uint8Array): void {
    const suspect = this.#suspect!;
    if (suspect.length + data.length > END_WINDOW) throw suspect.error;
    suspect.bytes.set(data, suspect.length);
    suspect.length += data.length;
  }

  /** Length of the chunk sequence received, given the bytes held from chunk {@link chunkIndex} on. */
  #sequenceLength(held: number): number {
    return this.#index * SEALED_CHUNK_SIZE + held;
  }

  #checkUsable(): void {
    if (this.#failed) throw this.#error;
    if (this.#done) throw new StateError('ChunkOpener already ended or disposed');
  }

  #fail(error: unknown): unknown {
    this.#failed = true;
    this.#error = error;
    this.dispose();
    return error;
  }
}
