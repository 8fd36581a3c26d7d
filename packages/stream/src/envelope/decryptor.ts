/**
 * The framework-free decryption state machine: collect and parse the header, unwrap the data key
 * (the only async step), verify the header MAC, then open the c2sp payload chunk by chunk,
 * releasing a chunk's plaintext only after its tag verifies.
 *
 * @module
 */
import { ChunkOpener, DekError, StateError, encodeContext, verifyHeaderMac, zeroize } from '@dek/core';
import type { AesGcm, EnvelopeHeader, SuiteName } from '@dek/core';
import { HeaderCollector } from './header-collector.js';
import type { CollectedHeader } from './header-collector.js';
import { kmsLookup } from '../keys/kms.js';
import type { UnwrapKmsOptions } from '../keys/kms.js';
import { unlockHeader } from '../keys/unwrap.js';
import type { KmsLookup } from '../keys/unwrap.js';

/** Options of every decryption entry point. */
export interface DecryptOptions extends UnwrapKmsOptions {
  /** AES-GCM backend; default node:crypto under Node. */
  readonly aead?: AesGcm;
  /**
   * Called once with the header after its MAC verified, before any plaintext. Throwing (e.g. on an
   * unexpected context) aborts decryption with that error.
   */
  readonly onHeader?: (header: EnvelopeHeader, info: { readonly slotIndex: number }) => void;
}

/** What {@link EnvelopeDecryptor.unlockPayload} hands over. @internal */
export interface PayloadHandover {
  readonly suite: SuiteName;
  /** The data key; the receiver zeroes it. */
  readonly dataKey: Uint8Array;
  /** CTX, the payload's key-derivation context. */
  readonly encodedContext: Uint8Array;
  /** Payload bytes written before the key was known, in order. */
  readonly buffered: readonly Uint8Array[];
}

type State = 'header' | 'locked' | 'unlocking' | 'payload' | 'done' | 'failed';

/**
 * Decrypts one envelope. Feed it with `write()`; when {@link EnvelopeDecryptor.needsKey} turns
 * true, await {@link EnvelopeDecryptor.unlock} (or call `unlockWithDataKey`) before writing more;
 * finish with `end()`, which throws unless the message ended exactly after its short final chunk.
 * Any error is sticky: later calls throw it again.
 */
export class EnvelopeDecryptor {
  readonly #options: DecryptOptions;
  readonly #lookup: KmsLookup | undefined;
  #collector: HeaderCollector | undefined = new HeaderCollector();
  #collected: CollectedHeader | undefined;
  #pending: Uint8Array[] = [];
  #opener: ChunkOpener | undefined;
  #state: State = 'header';
  #error: unknown;
  #authenticated = false;

  /**
   * @param options KMSs that may unwrap the key (checked now: ArgumentError), backend, header hook.
   *   Without any KMS, only `unlockWithDataKey` can open the envelope.
   */
  constructor(options: DecryptOptions = {}) {
    this.#options = options;
    this.#lookup = options.kms !== undefined || options.kmsByProvider !== undefined ? kmsLookup(options) : undefined;
  }

  /** True once the header is parsed and the data key is needed to go on. */
  get needsKey(): boolean {
    return this.#state === 'locked';
  }

  /** The parsed header, once complete; authenticated only when {@link authenticated} is true. */
  get header(): EnvelopeHeader | undefined {
    return this.#collected?.header;
  }

  /** True once the header MAC has verified. */
  get authenticated(): boolean {
    return this.#authenticated;
  }

  #check(): void {
    if (this.#state === 'failed') throw this.#error;
    if (this.#state === 'done') throw new StateError('the decryptor has already ended');
  }

  /** Fails for good. Foreign errors become StateError unless `asIs` (the caller's own hook error). */
  #fail(error: unknown, asIs = false): never {
    this.#state = 'failed';
    this.#error = asIs || error instanceof DekError ? error : new StateError('decryption failed', {}, { cause: error });
    this.#opener?.dispose();
    this.#pending = [];
    this.#collector = undefined;
    throw this.#error;
  }

  /** Feeds ciphertext; returns the plaintext of the chunks it completed and authenticated. */
  write(data: Uint8Array): Uint8Array[] {
    this.#check();
    try {
      switch (this.#state) {
        case 'payload':
          return this.#opener!.write(data);
        case 'header': {
          const done = this.#collector!.push(data);
          if (done !== undefined) {
            this.#collected = done.header;
            this.#collector = undefined;
            this.#state = 'locked';
            if (done.rest.length > 0) this.#pending.push(done.rest.slice());
          }
          return [];
        }
        default:
          // Waiting for the key: keep a copy (bounded by what the caller writes before awaiting unlock).
          if (data.length > 0) this.#pending.push(data.slice());
          return [];
      }
    } catch (error) {
      this.#fail(error);
    }
  }

  /**
   * Unwraps the data key through the first slot whose KMS was given, verifies the header MAC and
   * returns the plaintext of the chunks already buffered. KmsError (with `details.failures`) or
   * HeaderMacError on failure.
   */
  async unlock(): Promise<Uint8Array[]> {
    const unlocked = await this.#unlockHeader('unlock()');
    return this.#open(unlocked.dataKey, unlocked.encodedContext, unlocked.slotIndex);
  }

  /** The one KMS step of both unlock methods: unwrap the data key and verify the header MAC. */
  async #unlockHeader(caller: string): Promise<Awaited<ReturnType<typeof unlockHeader>>> {
    this.#check();
    if (this.#state !== 'locked') throw new StateError(`${caller} needs a complete header and no key yet`);
    if (this.#lookup === undefined) throw new StateError('no kms or kmsByProvider was given; use unlockWithDataKey()', { field: 'kms' });
    this.#state = 'unlocking';
    let unlocked;
    try {
      unlocked = await unlockHeader(this.#collected!, this.#lookup);
    } catch (error) {
      this.#fail(error);
    }
    if ((this.#state as State) !== 'unlocking') {
      zeroize(unlocked.dataKey);
      throw new StateError('the decryptor was disposed while unlocking');
    }
    return unlocked;
  }

  /**
   * Unlocks like {@link EnvelopeDecryptor.unlock} (data key, header MAC, `onHeader`) but hands the
   * payload over instead of opening it: returns the data key (the caller must zero it), CTX and
   * the payload bytes written so far. The decryptor is finished afterwards. For decryption on
   * several threads.
   * @internal
   */
  async unlockPayload(): Promise<PayloadHandover> {
    const unlocked = await this.#unlockHeader('unlockPayload()');
    const header = this.#collected!.header;
    this.#authenticated = true;
    this.#state = 'done';
    try {
      this.#options.onHeader?.(header, { slotIndex: unlocked.slotIndex });
    } catch (error) {
      zeroize(unlocked.dataKey);
      this.#fail(error, true);
    }
    const buffered = this.#pending;
    this.#pending = [];
    return { suite: header.suite, dataKey: unlocked.dataKey, encodedContext: unlocked.encodedContext, buffered };
  }

  /** Like {@link unlock} with a data key the caller already has (the key is not kept or zeroed). */
  unlockWithDataKey(dataKey: Uint8Array): Uint8Array[] {
    this.#check();
    if (this.#state !== 'locked') throw new StateError('unlockWithDataKey() needs a complete header and no key yet');
    const parsed = this.#collected!;
    const key = dataKey.slice();
    try {
      verifyHeaderMac(key, parsed.maced, parsed.mac);
    } catch (error) {
      zeroize(key);
      this.#fail(error);
    }
    return this.#open(key, encodeContext(parsed.header.suite, parsed.header.context), -1);
  }

  /** Takes ownership of `dataKey` (zeroes it) and starts the payload. */
  #open(dataKey: Uint8Array, encodedContext: Uint8Array, slotIndex: number): Uint8Array[] {
    const header = this.#collected!.header;
    try {
      this.#opener = new ChunkOpener({ suite: header.suite, key: dataKey, context: encodedContext, aead: this.#options.aead });
    } catch (error) {
      this.#fail(error);
    } finally {
      zeroize(dataKey);
    }
    this.#authenticated = true;
    this.#state = 'payload';
    try {
      this.#options.onHeader?.(header, { slotIndex });
    } catch (error) {
      this.#fail(error, true);
    }
    const pending = this.#pending;
    this.#pending = [];
    const out: Uint8Array[] = [];
    for (const data of pending) for (const piece of this.write(data)) out.push(piece);
    return out;
  }

  /**
   * Ends the input: returns the plaintext of the short final chunk. TruncatedError when the input
   * ended inside the header or the payload, TrailingDataError / AuthenticationError when the
   * last chunk is not a valid final chunk.
   */
  end(): Uint8Array[] {
    this.#check();
    if (this.#state === 'locked' || this.#state === 'unlocking') throw new StateError('end() before the data key was unlocked');
    try {
      if (this.#state === 'header') throw this.#collector!.truncated();
      const last = this.#opener!.end();
      this.#state = 'done';
      return [last];
    } catch (error) {
      this.#fail(error);
    }
  }

  /** Abandons decryption: zeroes the keys. Later calls throw StateError. */
  dispose(): void {
    if (this.#state === 'done' || this.#state === 'failed') return;
    this.#state = 'failed';
    this.#error = new StateError('the decryptor was disposed');
    this.#opener?.dispose();
    this.#pending = [];
  }
}
