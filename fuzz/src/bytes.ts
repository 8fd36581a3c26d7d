/**
 * Byte helpers of the fuzz harnesses: hex, comparison, deterministic pseudo-random bytes.
 *
 * @module
 */

/** Lowercase hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex');
}

/** Bytes of a hex string; whitespace is ignored. Throws on odd length or a non-hex character. */
export function fromHex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) throw new Error('not a hex string');
  return new Uint8Array(Buffer.from(clean, 'hex'));
}

/** Whether `a` and `b` hold the same bytes. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

/**
 * Index of the first byte where `a` and `b` differ; when one is a prefix of the other, the length
 * of the shorter; when they are equal, their length.
 */
export function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}

/** Concatenates byte arrays. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Deterministic pseudo-random bytes (xorshift32 from `seed`): fixtures must be the same every run. */
export function pseudoRandomBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 0x9e3779b9;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/**
 * Splits `bytes` into writes whose sizes cycle through `sizes` (each at least 1); the last of at
 * most `maxParts` writes takes the rest (so a run is not dominated by per-write overhead).
 */
export function splitBy(bytes: Uint8Array, sizes: readonly number[], maxParts = 1000): Uint8Array[] {
  const parts: Uint8Array[] = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const cycled = sizes.length === 0 || i === maxParts - 1 ? bytes.length : sizes[i % sizes.length]!;
    const size = Math.max(1, cycled);
    parts.push(bytes.slice(at, at + size));
    at += size;
  }
  return parts;
}
