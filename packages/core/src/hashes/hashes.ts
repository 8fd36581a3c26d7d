/**
 * The hash functions dek's key schedule and header use (HMAC over SHA-256 / SHA-512, SHA-256), and
 * the process-wide backend, installed by the package entry: node:crypto under Node, `@noble/hashes`
 * elsewhere. Internal: not re-exported.
 *
 * @module
 */
import { StateError } from '../errors.js';

/** Hash functions dek uses. */
export type HashName = 'SHA-256' | 'SHA-512';

/** Output length in bytes of each hash. */
export const HASH_LENGTH: Readonly<Record<HashName, number>> = { 'SHA-256': 32, 'SHA-512': 64 };

/** A hash backend. Results are new arrays the caller owns (and zeroes when they hold keys). */
export interface Hashes {
  readonly name: string;
  /** HMAC under `key` of the concatenation of `parts`. */
  hmac(hash: HashName, key: Uint8Array, ...parts: readonly Uint8Array[]): Uint8Array;
  sha256(data: Uint8Array): Uint8Array;
}

let current: Hashes | undefined;

/** The installed backend. Call it at use time; do not capture it at module load. */
export function defaultHashes(): Hashes {
  if (current === undefined) throw new StateError('no hash backend: import @dek/core, not one of its modules');
  return current;
}

/** Installs the backend (called by the package entries). */
export function setDefaultHashes(hashes: Hashes): void {
  current = hashes;
}
