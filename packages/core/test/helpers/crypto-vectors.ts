/** Test helpers for the Wycheproof vectors and byte handling (core-crypto tests). */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** Parses a vector file from test/vectors/wycheproof. */
export function loadVectors<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../vectors/wycheproof/${name}`, import.meta.url), 'utf8')) as T;
}

/** Hex to bytes (a plain Uint8Array). */
export function hex(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'hex'));
}

/** Bytes to hex. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex');
}

/** Concatenates byte arrays. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Byte equality without printing megabytes on failure. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);
}

/** SHA-512 hex of the concatenation of `parts`. */
export function sha512Hex(parts: readonly Uint8Array[]): string {
  const h = createHash('sha512');
  for (const p of parts) h.update(p);
  return h.digest('hex');
}

/** Deterministic PRNG (mulberry32) for write splits: returns integers in [min, max]. */
export function prng(seed: number): (min: number, max: number) => number {
  let a = seed >>> 0;
  return (min, max) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const r = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    return min + Math.floor(r * (max - min + 1));
  };
}

/** Splits `data` into consecutive pieces whose sizes come from `size()`. */
export function split(data: Uint8Array, size: () => number): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  for (let at = 0; at < data.length; ) {
    const n = Math.max(1, size());
    pieces.push(data.subarray(at, at + n));
    at += n;
  }
  return pieces;
}

/** `length` deterministic pseudo-random bytes from {@link prng}. */
export function seededBytes(length: number, seed: number): Uint8Array {
  const random = prng(seed);
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = random(0, 255);
  return out;
}

/** What `f` throws, or undefined. */
export function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}
