/**
 * Small byte helpers for output pieces.
 *
 * @module
 */

/** Total length of `pieces`. */
export function totalLength(pieces: readonly Uint8Array[]): number {
  let n = 0;
  for (const p of pieces) n += p.length;
  return n;
}

/**
 * Joins pieces into one array: none -> empty, one -> itself (no copy), more -> one copy.
 * Used once per write, never per chunk.
 */
export function joinBytes(pieces: readonly Uint8Array[]): Uint8Array {
  if (pieces.length === 1) return pieces[0]!;
  const out = new Uint8Array(totalLength(pieces));
  let at = 0;
  for (const p of pieces) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
