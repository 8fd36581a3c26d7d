/**
 * HKDF (RFC 5869) over SHA-256 or SHA-512, on the installed hash backend (node:crypto under Node,
 * `@noble/hashes` elsewhere), with dek's argument checks.
 *
 * @module
 */
import { ArgumentError } from './errors.js';
import { defaultHashes, HASH_LENGTH, type HashName } from './hashes/hashes.js';

/** Hash functions dek uses with HKDF. */
export type HkdfHash = HashName;

function hashOf(hash: HkdfHash): HkdfHash {
  if (hash !== 'SHA-256' && hash !== 'SHA-512') {
    throw new ArgumentError('HKDF hash must be SHA-256 or SHA-512', { field: 'hash' });
  }
  return hash;
}

function bytesArg(value: unknown, field: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new ArgumentError(`HKDF ${field} must be a Uint8Array`, { field });
  return value;
}

function infoArg(info: unknown): Uint8Array {
  return typeof info === 'string' ? new TextEncoder().encode(info) : bytesArg(info, 'info');
}

function lengthArg(hash: HkdfHash, length: unknown): number {
  const max = 255 * HASH_LENGTH[hash];
  if (typeof length !== 'number' || !Number.isSafeInteger(length) || length < 0 || length > max) {
    throw new ArgumentError(`HKDF output length must be an integer in 0..${max}`, { field: 'length', max });
  }
  return length;
}

/**
 * RFC 5869 HKDF-Expand: T(i) = HMAC(prk, T(i-1) || info || i), with the prk as the HMAC key as
 * given, of any length (c2sp expands directly from a 16- or 32-byte input key with SHA-512).
 */
function expand(hash: HkdfHash, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  const hashes = defaultHashes();
  const hashLength = HASH_LENGTH[hash];
  const blocks = Math.ceil(length / hashLength);
  const okm = new Uint8Array(blocks * hashLength);
  const counter = new Uint8Array(1);
  let previous: Uint8Array = new Uint8Array(0);
  for (let i = 0; i < blocks; i++) {
    counter[0] = i + 1;
    const block = hashes.hmac(hash, prk, previous, info, counter);
    previous.fill(0);
    previous = block;
    okm.set(previous, i * hashLength);
  }
  previous.fill(0);
  if (okm.length === length) return okm;
  const out = new Uint8Array(okm.subarray(0, length));
  okm.fill(0);
  return out;
}

/** RFC 5869 HKDF-Extract: HMAC(salt, ikm), an empty salt standing for HashLen zero bytes. */
function extract(hash: HkdfHash, ikm: Uint8Array, salt: Uint8Array): Uint8Array {
  return defaultHashes().hmac(hash, salt.length > 0 ? salt : new Uint8Array(HASH_LENGTH[hash]), ikm);
}

/**
 * HKDF-Expand: `length` bytes (0 .. 255 * HashLen) of output keying material from a pseudorandom
 * key. `info` may be a string (UTF-8). The prk is used as the HMAC key as given, of any length
 * (c2sp expands straight from a 16- or 32-byte input key).
 */
export function hkdfExpand(hash: HkdfHash, prk: Uint8Array, info: Uint8Array | string, length: number): Uint8Array {
  const h = hashOf(hash);
  return expand(h, bytesArg(prk, 'prk'), infoArg(info), lengthArg(h, length));
}

/** HKDF-Extract: the pseudorandom key HMAC(salt, ikm); an empty salt means HashLen zero bytes. */
export function hkdfExtract(hash: HkdfHash, salt: Uint8Array, ikm: Uint8Array): Uint8Array {
  const h = hashOf(hash);
  return extract(h, bytesArg(ikm, 'ikm'), bytesArg(salt, 'salt'));
}

/** Full HKDF: Extract then Expand. */
export function hkdf(
  hash: HkdfHash,
  ikm: Uint8Array,
  salt: Uint8Array,
  info: Uint8Array | string,
  length: number,
): Uint8Array {
  const h = hashOf(hash);
  const okmLength = lengthArg(h, length);
  const prk = extract(h, bytesArg(ikm, 'ikm'), bytesArg(salt, 'salt'));
  try {
    return expand(h, prk, infoArg(info), okmLength);
  } finally {
    prk.fill(0);
  }
}
