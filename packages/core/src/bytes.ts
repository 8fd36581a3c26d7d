/**
 * Byte helpers used across dek: constant-time comparison and zeroing.
 *
 * @module
 */

/**
 * Compares two byte arrays in time that depends only on their lengths, never on their contents.
 * Use it for every MAC, tag or commitment check.
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** Overwrites each array with zeros: call it on data keys and derived keys once they are done. */
export function zeroize(...arrays: ReadonlyArray<Uint8Array | undefined>): void {
  for (const a of arrays) a?.fill(0);
}
