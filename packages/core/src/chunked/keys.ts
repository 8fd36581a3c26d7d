/**
 * The c2sp.org/chunked-encryption key schedule:
 * `key || base nonce || commitment = HKDF-Expand-SHA-512(prk = input key,
 *   info = "c2sp.org/chunked-encryption@v1+" || aead || 0x00 || salt || context)`.
 *
 * @module
 */
import { defaultAesGcm } from '../aead/default.js';
import { AES_GCM_NONCE_LENGTH, type AesGcm } from '../aead/aes-gcm.js';
import { ArgumentError, CommitmentError } from '../errors.js';
import { constantTimeEqual, zeroize } from '../bytes.js';
import { hkdfExpand } from '../hkdf.js';
import { COMMITMENT_LENGTH, PAYLOAD_HEADER_LENGTH, SALT_LENGTH } from './constants.js';
import { getSuite, type Suite, type SuiteName } from './suite.js';

/** The per-message keys of one payload. Zero them with {@link zeroizeChunkKeys} when done. */
export interface ChunkKeys {
  /** The suite they belong to. */
  readonly suite: Suite;
  /** AES-GCM key of every chunk. Secret. */
  readonly aeadKey: Uint8Array;
  /** 12-byte base nonce; chunk `i` uses base XOR big-endian `i`. */
  readonly baseNonce: Uint8Array;
  /** 32-byte key commitment (empty in raw mode). */
  readonly commitment: Uint8Array;
  /** AES-GCM backend the chunks are sealed and opened with. */
  readonly aead: AesGcm;
}

const INFO_PREFIX = 'c2sp.org/chunked-encryption@v1+';

/**
 * Checks that `key` fits the suite (ArgumentError, field `key`).
 * @internal
 */
export function checkInputKey(suite: Suite, key: unknown): asserts key is Uint8Array {
  if (!(key instanceof Uint8Array) || key.length !== suite.keyLength) {
    throw new ArgumentError(`${suite.name} needs a ${suite.keyLength}-byte key`, {
      field: 'key',
      length: key instanceof Uint8Array ? key.length : undefined,
    });
  }
}

function bytesArg(value: unknown, field: string, length?: number): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array) || (length !== undefined && value.length !== length)) {
    const size = length === undefined ? '' : ` of ${length} bytes`;
    throw new ArgumentError(`${field} must be a Uint8Array${size}`, { field });
  }
}

/**
 * Derives a message's chunk keys from the input key, its 24-byte salt and the context
 * (c2sp key schedule). A key of the wrong size throws {@link ArgumentError} (field `key`).
 */
export function deriveChunkKeys(
  suite: SuiteName,
  inputKey: Uint8Array,
  salt: Uint8Array,
  context: Uint8Array,
  aead?: AesGcm,
): ChunkKeys {
  const s = getSuite(suite);
  checkInputKey(s, inputKey);
  bytesArg(salt, 'salt', SALT_LENGTH);
  bytesArg(context, 'context');
  const prefix = new TextEncoder().encode(`${INFO_PREFIX}${s.aeadId}\0`);
  const info = new Uint8Array(prefix.length + SALT_LENGTH + context.length);
  info.set(prefix, 0);
  info.set(salt, prefix.length);
  info.set(context, prefix.length + SALT_LENGTH);
  const okm = hkdfExpand('SHA-512', inputKey, info, s.keyLength + AES_GCM_NONCE_LENGTH + COMMITMENT_LENGTH);
  const nonceAt = s.keyLength;
  const commitmentAt = nonceAt + AES_GCM_NONCE_LENGTH;
  const keys: ChunkKeys = {
    suite: s,
    aeadKey: new Uint8Array(okm.subarray(0, nonceAt)),
    baseNonce: new Uint8Array(okm.subarray(nonceAt, commitmentAt)),
    commitment: new Uint8Array(okm.subarray(commitmentAt)),
    aead: aead ?? defaultAesGcm(),
  };
  zeroize(okm);
  return keys;
}

/**
 * Raw mode (c2sp appendix; hazmat): chunk keys from an AEAD key and base nonce the caller derived
 * itself, uniformly random and never reused. No commitment.
 */
export function rawChunkKeys(suite: SuiteName, aeadKey: Uint8Array, baseNonce: Uint8Array, aead?: AesGcm): ChunkKeys {
  const s = getSuite(suite);
  checkInputKey(s, aeadKey);
  bytesArg(baseNonce, 'baseNonce', AES_GCM_NONCE_LENGTH);
  // Copies (new Uint8Array, not slice(): Buffer#slice is a view), so zeroizing them spares the caller's.
  return {
    suite: s,
    aeadKey: new Uint8Array(aeadKey),
    baseNonce: new Uint8Array(baseNonce),
    commitment: new Uint8Array(0),
    aead: aead ?? defaultAesGcm(),
  };
}

/**
 * Derives the chunk keys for a payload from its 56-byte header (salt || commitment) and checks the
 * commitment in constant time: a mismatch (wrong key, wrong context, altered header) throws
 * {@link CommitmentError} before any chunk is touched.
 */
export function openChunkKeys(
  suite: SuiteName,
  inputKey: Uint8Array,
  header: Uint8Array,
  context: Uint8Array,
  aead?: AesGcm,
): ChunkKeys {
  bytesArg(header, 'header', PAYLOAD_HEADER_LENGTH);
  const keys = deriveChunkKeys(suite, inputKey, header.subarray(0, SALT_LENGTH), context, aead);
  if (!constantTimeEqual(keys.commitment, header.subarray(SALT_LENGTH, PAYLOAD_HEADER_LENGTH))) {
    zeroizeChunkKeys(keys);
    throw new CommitmentError('payload key commitment does not match: wrong key or wrong context', {
      field: 'commitment',
      offset: SALT_LENGTH,
    });
  }
  return keys;
}

/** Zeroes the secret parts of chunk keys (AEAD key and base nonce). */
export function zeroizeChunkKeys(keys: ChunkKeys): void {
  zeroize(keys.aeadKey, keys.baseNonce);
}
