/**
 * Small byte helpers for output pieces.
 *
 * @module
 */
import { StateError } from '@dek/core';

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

/**
 * Copies output pieces into one array allocated once at its final size (the one copy a one-shot
 * result needs), so that no piece list of the whole message is ever held. @internal
 */
export class ExactOutput {
  readonly bytes: Uint8Array;
  #at = 0;

  constructor(length: number) {
    this.bytes = new Uint8Array(length);
  }

  /** Appends pieces (they must fit: the length was computed from the same input). */
  put(pieces: readonly Uint8Array[]): void {
    for (const piece of pieces) {
      this.bytes.set(piece, this.#at);
      this.#at += piece.length;
    }
  }

  /** The filled array; throws StateError (a bug, not bad input) if it is not exactly full. */
  result(): Uint8Array {
    if (this.#at !== this.bytes.length) {
      throw new StateError('one-shot output length does not match the computed length', { field: 'output' });
    }
    return this.bytes;
  }
}
