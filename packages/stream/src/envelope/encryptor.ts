/**
 * The framework-free encryption state machine: header (prelude, body, MAC), then the c2sp payload
 * (salt || commitment, sealed chunks). Node and Web streams are thin wrappers over it.
 *
 * @module
 */
import {
  ArgumentError,
  ChunkSealer,
  DekError,
  MAX_SLOTS,
  SUITES,
  StateError,
  computeHeaderMac,
  encodeContext,
  encodeHeader,
  kmsAad,
} from '@dek/core';
import type { AesGcm, EncryptionContext, SuiteName } from '@dek/core';
import type { AdvanceKms } from '@dek/kms-adapter';
import { joinBytes } from './bytes.js';
import { kmsDataKeys } from '../keys/data-keys.js';
import type { DataKeyLease, DataKeyProvider, DataKeyRequest } from '../keys/data-keys.js';
import { checkKeyId, checkKms, resolveWrapKeys } from '../keys/kms.js';
import type { WrapKey } from '../keys/kms.js';

/** The default suite. */
export const DEFAULT_SUITE: SuiteName = 'cobblestone-256';

/** Options of every encryption entry point. */
export interface EncryptOptions {
  /** The KMS of `keyId` (and the default KMS of `keys`). */
  readonly kms: AdvanceKms;
  /** The key that generates the data key (`advanceGenerateDataKey`): the header's first slot. */
  readonly keyId: string;
  /** More keys that can open the envelope: each wraps the same data key with `advanceEncrypt`. */
  readonly keys?: readonly WrapKey[];
  /** The encryption context, bound into the chunk keys, the header MAC and the KMS Aad. Default `{}`. */
  readonly context?: EncryptionContext;
  /** `cobblestone-256` (default) or `cobblestone-128`. */
  readonly suite?: SuiteName;
  /** Where data keys come from; default one KMS call per message ({@link kmsDataKeys}). */
  readonly dataKeys?: DataKeyProvider;
  /** AES-GCM backend; default node:crypto under Node. */
  readonly aead?: AesGcm;
}

/** Checks a suite name given as an option; ArgumentError `suite` when unknown. */
export function checkSuiteOption(suite: unknown): SuiteName {
  if (suite === undefined) return DEFAULT_SUITE;
  if (typeof suite !== 'string' || !Object.hasOwn(SUITES, suite)) {
    throw new ArgumentError(`unknown suite ${String(suite)}; use cobblestone-256 or cobblestone-128`, { field: 'suite' });
  }
  return suite as SuiteName;
}

/** Encodes CTX for a caller's context (ArgumentError `context` when it breaks a rule or limit). */
export function encodeContextOption(suite: SuiteName, context: unknown): Uint8Array {
  if (typeof context !== 'object' || context === null || Array.isArray(context)) {
    throw new ArgumentError('context must be an object of string values', { field: 'context' });
  }
  return encodeContext(suite, context as EncryptionContext);
}

/** Validated encryption options, ready to fetch a data key. */
export interface PreparedEncryption {
  readonly request: DataKeyRequest;
  readonly provider: DataKeyProvider;
  readonly aead: AesGcm | undefined;
}

/** Validates {@link EncryptOptions} synchronously (ArgumentError naming the field); no KMS call. */
export function prepareEncryption(options: EncryptOptions): PreparedEncryption {
  if (typeof options !== 'object' || options === null) throw new ArgumentError('options must be an object', { field: 'options' });
  const suiteName = checkSuiteOption(options.suite);
  const context = options.context ?? {};
  const encodedContext = encodeContextOption(suiteName, context);
  const kms = checkKms(options.kms, 'kms');
  const keys = [{ kms, keyId: checkKeyId(options.keyId, 'keyId'), field: 'keyId' }, ...resolveWrapKeys(options.keys, kms, 'keys')];
  if (keys.length > MAX_SLOTS) {
    throw new ArgumentError(`at most ${MAX_SLOTS} keys can open one envelope, got ${keys.length}`, { field: 'keys', limit: MAX_SLOTS });
  }
  const provider = options.dataKeys ?? kmsDataKeys;
  if (typeof provider !== 'object' || provider === null || typeof provider.acquire !== 'function') {
    throw new ArgumentError('dataKeys must have an acquire() method', { field: 'dataKeys' });
  }
  return {
    request: { suite: SUITES[suiteName], context: { ...context }, encodedContext, aad: kmsAad(encodedContext), keys },
    provider,
    aead: options.aead,
  };
}

/** Fetches the data key of a prepared encryption and returns its encryptor. */
export async function startEncryption(prepared: PreparedEncryption): Promise<EnvelopeEncryptor> {
  const lease = await prepared.provider.acquire(prepared.request);
  const { suite, context } = prepared.request;
  return new EnvelopeEncryptor({ suite: suite.name, context, lease, aead: prepared.aead });
}

/** Validates the options, gets a data key (one KMS call by default) and returns an encryptor. */
export function createEnvelopeEncryptor(options: EncryptOptions): Promise<EnvelopeEncryptor> {
  try {
    return startEncryption(prepareEncryption(options));
  } catch (error) {
    return Promise.reject(error);
  }
}

/** Options of {@link EnvelopeEncryptor}: the data key comes as a lease. */
export interface EnvelopeEncryptorOptions {
  readonly suite?: SuiteName;
  readonly context?: EncryptionContext;
  /** The data key and its slots; released (zeroed) once the encryptor has derived its keys. */
  readonly lease: DataKeyLease;
  /** The payload salt. Tests and test vectors only: a salt must never repeat under one data key. */
  readonly salt?: Uint8Array;
  readonly aead?: AesGcm;
}

/** The envelope header of a message and what its payload needs. */
export interface EnvelopeHeaderParts {
  readonly suite: SuiteName;
  /** Prelude, body and MAC (9 + n + 32 bytes). */
  readonly header: Uint8Array;
  /** CTX, the payload's key-derivation context. */
  readonly encodedContext: Uint8Array;
}

/**
 * Checks the suite and context and builds the header (MAC keyed from the lease's data key, which
 * is not released here). ArgumentError naming the field on a bad option.
 */
export function envelopeHeader(options: Pick<EnvelopeEncryptorOptions, 'suite' | 'context' | 'lease'>): EnvelopeHeaderParts {
  const suite = checkSuiteOption(options.suite);
  const context = options.context ?? {};
  const encodedContext = encodeContextOption(suite, context);
  const maced = encodeHeader({ suite, context, slots: options.lease.slots });
  const mac = computeHeaderMac(options.lease.dataKey, maced);
  return { suite, header: joinBytes([maced, mac]), encodedContext };
}

type State = 'fresh' | 'open' | 'done' | 'failed';

/**
 * Encrypts one message. `write()` returns the output pieces the input completed (the first call
 * also returns the header and payload header); `end()` returns the rest. Synchronous: the KMS
 * work happened before construction. At most one partial chunk is held.
 */
export class EnvelopeEncryptor {
  /** The envelope header: prelude, body and MAC (9 + n + 32 bytes). */
  readonly header: Uint8Array;
  readonly #sealer: ChunkSealer;
  readonly #lease: DataKeyLease;
  #state: State = 'fresh';
  #error: unknown;

  constructor(options: EnvelopeEncryptorOptions) {
    const lease = options.lease;
    try {
      const { suite, header, encodedContext } = envelopeHeader(options);
      this.header = header;
      this.#sealer = new ChunkSealer({ suite, key: lease.dataKey, context: encodedContext, salt: options.salt, aead: options.aead });
    } finally {
      lease.release();
    }
    this.#lease = lease;
  }

  /** Plaintext bytes written so far. */
  get plaintextLength(): number {
    return this.#sealer.plaintextLength;
  }

  #check(): void {
    if (this.#state === 'failed') throw this.#error;
    if (this.#state === 'done') throw new StateError('the encryptor has already ended');
  }

  #fail(error: unknown): never {
    this.#state = 'failed';
    this.#error = error instanceof DekError ? error : new StateError('encryption failed', {}, { cause: error });
    this.#sealer.dispose();
    throw this.#error;
  }

  #start(out: Uint8Array[]): void {
    if (this.#state === 'fresh') {
      out.push(this.header, this.#sealer.header);
      this.#state = 'open';
    }
  }

  /**
   * Encrypts `data`; returns the output it completed (possibly nothing): on the first call the
   * header and payload header, then the sealed chunks this write completed, joined in one array.
   */
  write(data: Uint8Array): Uint8Array[] {
    return this.#write(data, (sealer, out) => {
      const sealed = sealer.writeJoined(data);
      if (sealed.length > 0) out.push(sealed);
    });
  }

  /**
   * Like {@link EnvelopeEncryptor.write}, but each completed chunk comes as two pieces, its
   * ciphertext then its tag, without copying them (node:crypto backend): the cheapest form for a
   * consumer that copies pieces anyway (the one-shot helper) or passes them on (Node streams).
   */
  writeParts(data: Uint8Array): Uint8Array[] {
    return this.#write(data, (sealer, out) => {
      for (const part of sealer.writeParts(data)) out.push(part);
    });
  }

  #write(data: Uint8Array, seal: (sealer: ChunkSealer, out: Uint8Array[]) => void): Uint8Array[] {
    this.#check();
    const out: Uint8Array[] = [];
    try {
      this.#start(out);
      seal(this.#sealer, out);
      this.#lease.countBytes(data.length);
    } catch (error) {
      this.#fail(error);
    }
    return out;
  }

  /** Seals the short final chunk; returns the remaining output. The encryptor is done after. */
  end(): Uint8Array[] {
    this.#check();
    const out: Uint8Array[] = [];
    try {
      this.#start(out);
      out.push(this.#sealer.end());
    } catch (error) {
      this.#fail(error);
    }
    this.#state = 'done';
    return out;
  }

  /** Abandons the message: zeroes the keys. Later calls throw StateError. */
  dispose(): void {
    if (this.#state === 'done' || this.#state === 'failed') return;
    this.#state = 'failed';
    this.#error = new StateError('the encryptor was disposed');
    this.#sealer.dispose();
  }
}
