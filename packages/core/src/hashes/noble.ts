/**
 * The hash backend on `@noble/hashes` (pure JS), for the portable entry.
 *
 * @module
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import type { HashName, Hashes } from './hashes.js';

const HASHES = { 'SHA-256': sha256, 'SHA-512': sha512 } as const;

/** HMAC and SHA-256 on `@noble/hashes`. */
export const nobleHashes: Hashes = Object.freeze({
  name: 'noble',
  hmac(hash: HashName, key: Uint8Array, ...parts: readonly Uint8Array[]): Uint8Array {
    const mac = hmac.create(HASHES[hash], key);
    for (const part of parts) mac.update(part);
    return mac.digest();
  },
  sha256(data: Uint8Array): Uint8Array {
    return sha256(data);
  },
});
