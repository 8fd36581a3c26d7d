/**
 * Rewrap: replace an envelope's slots (and so its header MAC) without touching the payload. The
 * data key is unwrapped once through the old header (MAC verified), wrapped under each new key's
 * current primary version, and the payload bytes are copied unchanged. By default every chunk is
 * opened on the way (plaintext discarded), with the verdicts of decryption, so a damaged file never
 * gets a fresh MAC. With `verify: false` only the commitment and the final chunk are checked: a
 * truncated or extended payload, or one from another file, is refused; swapped or altered middle
 * chunks are not seen.
 *
 * @module
 */
import {
  ArgumentError,
  AuthenticationError,
  ChunkOpener,
  CommitmentError,
  DekError,
  MAX_SLOTS,
  PAYLOAD_HEADER_LENGTH,
  SALT_LENGTH,
  SEALED_CHUNK_SIZE,
  StateError,
  TAG_LENGTH,
  TruncatedError,
  computeHeaderMac,
  encodeHeader,
  judgeUnopenedEnd,
  kmsAad,
  openChunk,
  openChunkKeys,
  zeroize,
  zeroizeChunkKeys,
} from '@dek/core';
import type { AesGcm, ChunkKeys, EnvelopeHeader } from '@dek/core';
import { HeaderCollector } from './header-collector.js';
import type { CollectedHeader } from './header-collector.js';
import { kmsLookup, resolveWrapKeys } from '../keys/kms.js';
import type { ResolvedWrapKey, UnwrapKmsOptions, WrapKey } from '../keys/kms.js';
import { unlockHeader } from '../keys/unwrap.js';
import type { KmsLookup } from '../keys/unwrap.js';
import { wrapDataKey } from '../keys/wrap.js';

/** Options of rewrap. */
export interface RewrapOptions extends UnwrapKmsOptions {
  /** The keys of the new header, in slot order; each `kms` defaults to `kms`. 1..16 keys. */
  readonly to: readonly WrapKey[];
  /** AES-GCM backend for the commitment and chunk checks. */
  readonly aead?: AesGcm;
  /**
   * Open every chunk with the data key while copying (default true), failing like decryption does
   * (AuthenticationError, TruncatedError, TrailingDataError). `false` checks only the commitment
   * and the final chunk: faster on a file known to be whole, but altered, swapped or duplicated
   * middle chunks are copied under the new MAC.
   */
  readonly verify?: boolean;
}

/** What a rewrap did. */
export interface RewrapResult {
  /** The old header (authenticated). */
  readonly previous: EnvelopeHeader;
  /** The new header: same suite and context, new slots. */
  readonly header: EnvelopeHeader;
  /** The old slot that unwrapped the data key. */
  readonly slotIndex: number;
}

type State = 'header' | 'locked' | 'unlocking' | 'payload' | 'done' | 'failed';

/**
 * The framework-free rewrap state machine, used like {@link EnvelopeDecryptor}: `write()`,
 * `await unlock()` when `needsKey`, `end()`. Output is the new envelope.
 */
export class EnvelopeRewrapper {
  readonly #lookup: KmsLookup;
  readonly #to: readonly ResolvedWrapKey[];
  readonly #aead: AesGcm | undefined;
  readonly #verify: boolean;
  #collector: HeaderCollector | undefined = new HeaderCollector();
  #collected: CollectedHeader | undefined;
  #pending: Uint8Array[] = [];
  #state: State = 'header';
  #error: unknown;
  #result: RewrapResult | undefined;
  #dataKey: Uint8Array | undefined;
  #encodedContext: Uint8Array | undefined;
  #keys: ChunkKeys | undefined;
  /** Opens (verifies) every chunk of the payload, unless `verify` is false. */
  #opener: ChunkOpener | undefined;
  /** Payload header bytes gathered so far (56 needed). */
  #payloadHeader = new Uint8Array(PAYLOAD_HEADER_LENGTH);
  #payloadHeaderLength = 0;
  /** The chunk being copied; released once it reaches 16400 bytes (a full chunk is never final). */
  #tail = new Uint8Array(SEALED_CHUNK_SIZE);
  #tailLength = 0;
  #fullChunks = 0;

  /** Checks the options now (ArgumentError). */
  constructor(options: RewrapOptions) {
    if (typeof options !== 'object' || options === null) throw new ArgumentError('options must be an object', { field: 'options' });
    this.#lookup = kmsLookup(options);
    if (options.to === undefined) throw new ArgumentError('to (the new keys) is required', { field: 'to' });
    this.#to = resolveWrapKeys(options.to, options.kms, 'to');
    if (this.#to.length === 0 || this.#to.length > MAX_SLOTS) {
      throw new ArgumentError(`to must list 1 to ${MAX_SLOTS} keys, got ${this.#to.length}`, { field: 'to', limit: MAX_SLOTS });
    }
    this.#aead = options.aead;
    if (options.verify !== undefined && typeof options.verify !== 'boolean') {
      throw new ArgumentError('verify must be a boolean', { field: 'verify' });
    }
    this.#verify = options.verify ?? true;
  }

  /** True once the old header is parsed and `unlock()` must run. */
  get needsKey(): boolean {
    return this.#state === 'locked';
  }

  /** Set once `unlock()` has written the new header. */
  get result(): RewrapResult | undefined {
    return this.#result;
  }

  #check(): void {
    if (this.#state === 'failed') throw this.#error;
    if (this.#state === 'done') throw new StateError('the rewrapper has already ended');
  }

  #wipe(): void {
    zeroize(this.#dataKey);
    if (this.#keys !== undefined) zeroizeChunkKeys(this.#keys);
    this.#opener?.dispose();
    this.#dataKey = undefined;
    this.#pending = [];
  }

  #fail(error: unknown): never {
    this.#state = 'failed';
    this.#error = error instanceof DekError ? error : new StateError('rewrap failed', {}, { cause: error });
    this.#wipe();
    throw this.#error;
  }

  /** Feeds the old envelope; returns new-envelope bytes ready to go out. */
  write(data: Uint8Array): Uint8Array[] {
    this.#check();
    try {
      if (this.#state === 'payload') return this.#opener !== undefined ? this.#verifyCopy(data) : this.#copy(data);
      if (this.#state === 'header') {
        const done = this.#collector!.push(data);
        if (done === undefined) return [];
        this.#collected = done.header;
        this.#collector = undefined;
        this.#state = 'locked';
        data = done.rest;
      }
      if (data.length > 0) this.#pending.push(data.slice());
      return [];
    } catch (error) {
      this.#fail(error);
    }
  }

  /**
   * Unwraps the data key through the old slots, verifies the old MAC, wraps the key under the new
   * keys (`advanceEncrypt`, current primary versions) and returns the new header plus any payload
   * bytes already buffered.
   */
  async unlock(): Promise<Uint8Array[]> {
    this.#check();
    if (this.#state !== 'locked') throw new StateError('unlock() needs a complete header and no key yet');
    this.#state = 'unlocking';
    const previous = this.#collected!.header;
    let maced: Uint8Array;
    try {
      const unlocked = await unlockHeader(this.#collected!, this.#lookup);
      this.#dataKey = unlocked.dataKey;
      this.#encodedContext = unlocked.encodedContext;
      const slots = await wrapDataKey(unlocked.dataKey, kmsAad(unlocked.encodedContext), this.#to);
      const header: EnvelopeHeader = { suite: previous.suite, context: previous.context, slots };
      maced = encodeHeader(header);
      this.#result = { previous, header, slotIndex: unlocked.slotIndex };
    } catch (error) {
      this.#fail(error);
    }
    if ((this.#state as State) !== 'unlocking') {
      this.#wipe();
      throw new StateError('the rewrapper was disposed while unlocking');
    }
    const out: Uint8Array[] = [maced, computeHeaderMac(this.#dataKey!, maced)];
    if (this.#verify) {
      try {
        const suite = previous.suite;
        this.#opener = new ChunkOpener({ suite, key: this.#dataKey!, context: this.#encodedContext!, aead: this.#aead });
      } catch (error) {
        this.#fail(error);
      } finally {
        zeroize(this.#dataKey);
        this.#dataKey = undefined;
      }
    }
    this.#state = 'payload';
    const pending = this.#pending;
    this.#pending = [];
    for (const data of pending) for (const piece of this.write(data)) out.push(piece);
    return out;
  }

  /** Passes payload bytes through after opening the chunks they complete (plaintext zeroed at once). */
  #verifyCopy(data: Uint8Array): Uint8Array[] {
    try {
      zeroize(...this.#opener!.write(data));
    } catch (error) {
      throw this.#atEnvelopeOffset(error);
    }
    return data.length > 0 ? [data] : [];
  }

  /** A CommitmentError with its offset in the envelope (the payload's own offset otherwise). */
  #atEnvelopeOffset(error: unknown): unknown {
    if (!(error instanceof CommitmentError)) return error;
    return new CommitmentError(error.message, { ...error.details, offset: this.#collected!.headerLength + SALT_LENGTH });
  }

  /** Copies payload bytes: the payload header once its commitment checks, then whole sealed chunks. */
  #copy(data: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    if (this.#payloadHeaderLength < PAYLOAD_HEADER_LENGTH) {
      const take = Math.min(PAYLOAD_HEADER_LENGTH - this.#payloadHeaderLength, data.length);
      this.#payloadHeader.set(data.subarray(0, take), this.#payloadHeaderLength);
      this.#payloadHeaderLength += take;
      data = data.subarray(take);
      if (this.#payloadHeaderLength < PAYLOAD_HEADER_LENGTH) return out;
      this.#checkCommitment();
      out.push(this.#payloadHeader);
    }
    if (this.#tailLength > 0) {
      const take = Math.min(SEALED_CHUNK_SIZE - this.#tailLength, data.length);
      this.#tail.set(data.subarray(0, take), this.#tailLength);
      this.#tailLength += take;
      data = data.subarray(take);
      if (this.#tailLength < SEALED_CHUNK_SIZE) return out;
      out.push(this.#tail);
      this.#fullChunks++;
      this.#tail = new Uint8Array(SEALED_CHUNK_SIZE);
      this.#tailLength = 0;
    }
    const whole = Math.floor(data.length / SEALED_CHUNK_SIZE);
    if (whole > 0) {
      out.push(data.subarray(0, whole * SEALED_CHUNK_SIZE));
      this.#fullChunks += whole;
    }
    const rest = data.subarray(whole * SEALED_CHUNK_SIZE);
    this.#tail.set(rest);
    this.#tailLength = rest.length;
    return out;
  }

  #checkCommitment(): void {
    const collected = this.#collected!;
    const dataKey = this.#dataKey!;
    this.#dataKey = undefined;
    try {
      this.#keys = openChunkKeys(collected.header.suite, dataKey, this.#payloadHeader, this.#encodedContext!, this.#aead);
    } catch (error) {
      throw this.#atEnvelopeOffset(error);
    } finally {
      zeroize(dataKey);
    }
  }

  /**
   * Ends the input: authenticates the final chunk and returns the rest of the new envelope.
   * TruncatedError / AuthenticationError / TrailingDataError otherwise.
   */
  end(): Uint8Array[] {
    this.#check();
    if (this.#state === 'locked' || this.#state === 'unlocking') throw new StateError('end() before unlock()');
    try {
      if (this.#state === 'header') throw this.#collector!.truncated();
      if (this.#opener !== undefined) {
        zeroize(this.#opener.end());
        this.#state = 'done';
        this.#wipe();
        return [];
      }
      if (this.#payloadHeaderLength < PAYLOAD_HEADER_LENGTH || this.#tailLength < TAG_LENGTH) {
        throw new TruncatedError('the payload ended before its short final chunk', { field: 'payload', chunkIndex: this.#fullChunks });
      }
      const final = this.#tail.subarray(0, this.#tailLength);
      try {
        zeroize(openChunk(this.#keys!, this.#fullChunks, final));
      } catch (error) {
        if (!(error instanceof AuthenticationError)) throw error;
        throw judgeUnopenedEnd(this.#keys!, this.#fullChunks * SEALED_CHUNK_SIZE + final.length, final, error);
      }
      this.#state = 'done';
      this.#wipe();
      return [final];
    } catch (error) {
      this.#fail(error);
    }
  }

  /** Abandons the rewrap: zeroes the keys. */
  dispose(): void {
    if (this.#state === 'done' || this.#state === 'failed') return;
    this.#state = 'failed';
    this.#error = new StateError('the rewrapper was disposed');
    this.#wipe();
  }
}
