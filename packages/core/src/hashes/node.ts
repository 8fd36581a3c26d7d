/**
 * The hash backend on `node:crypto` (OpenSSL), for the Node entry: no JavaScript hash code to
 * load, compile and warm up.
 *
 * @module
 */
import { createHash, createHmac } from 'node:crypto';
import type { HashName, Hashes } from './hashes.js';

const OPENSSL_NAMES = { 'SHA-256': 'sha256', 'SHA-512': 'sha512' } as const;

/** A plain array holding `digest`'s bytes; the Buffer itself is zeroed (it may hold key material). */
function owned(digest: Buffer): Uint8Array {
  const out = new Uint8Array(digest);
  digest.fill(0);
  return out;
}

/** HMAC and SHA-256 on `node:crypto`. */
export const nodeHashes: Hashes = Object.freeze({
  name: 'node',
  hmac(hash: HashName, key: Uint8Array, ...parts: readonly Uint8Array[]): Uint8Array {
    const mac = createHmac(OPENSSL_NAMES[hash], key);
    for (const part of parts) mac.update(part);
    return owned(mac.digest());
  },
  sha256(data: Uint8Array): Uint8Array {
    return owned(createHash('sha256').update(data).digest());
  },
});
