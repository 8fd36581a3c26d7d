/**
 * The AES-GCM interface every dek backend implements, and the argument checks they share.
 *
 * @module
 */
import { ArgumentError } from '../errors.js';

/** AES-GCM nonce length dek accepts: 96 bits, the only size GCM handles without GHASH-ing the IV. */
export const AES_GCM_NONCE_LENGTH = 12;
/** AES-GCM tag length dek produces and accepts: the full 128 bits. */
export const AES_GCM_TAG_LENGTH = 16;

/** Ciphertext and tag of one {@link AesGcm.sealDetached} call; `ciphertext || tag` equals `seal`'s result. */
export interface DetachedSeal {
  /** Ciphertext, as long as the plaintext. */
  readonly ciphertext: Uint8Array;
  /** The 16-byte authentication tag. */
  readonly tag: Uint8Array;
}

/**
 * A one-shot AES-GCM implementation (AES-128 or AES-256 by key length, 12-byte nonce, 16-byte tag).
 * Wrong key or nonce sizes throw {@link ArgumentError}; a failed tag check throws
 * {@link AuthenticationError} and releases no plaintext.
 */
export interface AesGcm {
  /** Backend name, for diagnostics (e.g. `'noble'`, `'node'`). */
  readonly name: string;
  /** Encrypts `plaintext`; returns `ciphertext || tag` (plaintext length + 16 bytes). */
  seal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): Uint8Array;
  /**
   * Optional: like {@link AesGcm.seal} but writes `ciphertext || tag` into `output`, which must be
   * exactly `plaintext.length + 16` bytes and must not overlap `plaintext`. Lets callers seal many
   * chunks into one allocation.
   */
  sealInto?(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, output: Uint8Array, aad?: Uint8Array): void;
  /**
   * Optional: like {@link AesGcm.seal} but returns the ciphertext and the 16-byte tag as two
   * arrays, so that a stream can emit them without joining them (no copy on node:crypto).
   */
  sealDetached?(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): DetachedSeal;
  /** Verifies and decrypts `ciphertext || tag`; returns the plaintext. */
  open(key: Uint8Array, nonce: Uint8Array, ciphertextAndTag: Uint8Array, aad?: Uint8Array): Uint8Array;
}

/**
 * Checks the AES-GCM arguments every backend must reject before touching the cipher.
 * @internal
 */
export function checkAesGcmArgs(key: unknown, nonce: unknown, data: unknown, aad: unknown): void {
  if (!(key instanceof Uint8Array) || (key.length !== 16 && key.length !== 32)) {
    throw new ArgumentError('AES-GCM key must be a Uint8Array of 16 or 32 bytes', {
      field: 'key',
      length: key instanceof Uint8Array ? key.length : undefined,
    });
  }
  if (!(nonce instanceof Uint8Array) || nonce.length !== AES_GCM_NONCE_LENGTH) {
    throw new ArgumentError('AES-GCM nonce must be a Uint8Array of 12 bytes', {
      field: 'nonce',
      length: nonce instanceof Uint8Array ? nonce.length : undefined,
    });
  }
  if (!(data instanceof Uint8Array)) throw new ArgumentError('AES-GCM input must be a Uint8Array', { field: 'data' });
  if (aad !== undefined && !(aad instanceof Uint8Array)) {
    throw new ArgumentError('AES-GCM aad must be a Uint8Array', { field: 'aad' });
  }
}

/**
 * Checks a `sealInto` output buffer: exactly plaintext length + tag.
 * @internal
 */
export function checkSealOutput(plaintext: Uint8Array, output: unknown): asserts output is Uint8Array {
  if (!(output instanceof Uint8Array) || output.length !== plaintext.length + AES_GCM_TAG_LENGTH) {
    throw new ArgumentError('AES-GCM output must be a Uint8Array of plaintext length + 16 bytes', { field: 'output' });
  }
}
