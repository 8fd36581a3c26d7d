/**
 * Randomness from the platform CSPRNG (`crypto.getRandomValues`, present in Node >= 20 and in
 * browsers), so this module stays portable.
 *
 * @module
 */
import { ArgumentError } from './errors.js';

/** getRandomValues refuses more than 65536 bytes per call. */
const MAX_GET_RANDOM_VALUES = 65536;

/** Returns `length` bytes from the CSPRNG. */
export function randomBytes(length: number): Uint8Array {
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new ArgumentError(`random length must be a non-negative integer, got ${length}`, { field: 'length' });
  }
  const out = new Uint8Array(length);
  for (let at = 0; at < length; at += MAX_GET_RANDOM_VALUES) {
    globalThis.crypto.getRandomValues(out.subarray(at, Math.min(length, at + MAX_GET_RANDOM_VALUES)));
  }
  return out;
}

/**
 * A fresh data key of `length` bytes (32 for cobblestone-256, 16 for cobblestone-128).
 * Zero it with {@link zeroize} when done.
 */
export function generateDataKey(length: 16 | 32 = 32): Uint8Array {
  if (length !== 16 && length !== 32) {
    throw new ArgumentError(`data key length must be 16 or 32 bytes, got ${String(length)}`, { field: 'length' });
  }
  return randomBytes(length);
}
