/**
 * Pieces every byte-input harness shares: the case shape, corpus conversion, and the check that
 * released plaintext is a prefix of whole verified chunks.
 *
 * @module
 */
import type { CorpusEntry } from '../corpus.js';
import { firstDifference, sameBytes } from '../bytes.js';
import type { Finding } from '../oracle.js';
import { describeMutations, type Mutation } from '../mutate.js';

/** A byte input made by mutating a valid one. */
export interface ByteCase {
  /** Index of the valid input it was made from. */
  readonly base: number;
  /** Index of the second valid input (splices). */
  readonly other: number;
  /** The mutations applied (empty when loaded from the corpus). */
  readonly mutations: readonly Mutation[];
  /** The input. */
  readonly bytes: Uint8Array;
}

/** Meta lines of a byte case: the finding and how the input was made. */
export function byteCaseMeta(harness: string, c: ByteCase, finding: Finding, extra: Record<string, string> = {}): Record<string, string> {
  return {
    harness,
    finding: finding.kind,
    message: finding.message,
    base: String(c.base),
    other: String(c.other),
    mutations: describeMutations(c.mutations),
    ...extra,
  };
}

/** A byte case as a corpus entry. */
export function byteCaseEntry(harness: string, c: ByteCase, finding: Finding, extra: Record<string, string> = {}): CorpusEntry {
  return { format: 'hex', meta: byteCaseMeta(harness, c, finding, extra), bytes: c.bytes };
}

/** The byte case of a corpus entry (hex entries only). */
export function byteCaseOf(entry: CorpusEntry): ByteCase {
  if (entry.format !== 'hex') throw new Error('expected a hex corpus entry');
  return { base: Number(entry.meta['base'] ?? 0), other: Number(entry.meta['other'] ?? 0), mutations: [], bytes: entry.bytes };
}

/** A valid input that decrypts to `plaintext`, with where its chunks start. */
export interface Decryptable {
  readonly input: Uint8Array;
  readonly plaintext: Uint8Array;
  /** Offset of chunk 0 in `input`. */
  readonly chunksStart: number;
}

const CHUNK = 16384;
const SEALED = 16400;

/**
 * Plaintext a streaming decryptor may release for `input` made from `seed`: the whole chunks
 * that lie entirely before the first byte where `input` differs from the seed.
 */
export function releasable(seed: Decryptable, input: Uint8Array): number {
  const d = firstDifference(seed.input, input);
  if (d < seed.chunksStart) return 0;
  return Math.min(seed.plaintext.length, Math.floor((d - seed.chunksStart) / SEALED) * CHUNK);
}

/**
 * Judges what a decryptor released for `input`: when `input` is one of the seeds it must succeed
 * with exactly its plaintext; otherwise it must fail, and what it released must be whole chunks
 * forming a prefix of some seed's plaintext, no longer than that seed allows for `input`.
 * `released` is everything emitted (in order), `pieces` its output pieces.
 */
export function judgeRelease(
  seeds: readonly Decryptable[],
  input: Uint8Array,
  released: Uint8Array,
  succeeded: boolean,
  where: string,
): Finding | undefined {
  const same = seeds.find((s) => sameBytes(s.input, input));
  if (same !== undefined) {
    if (!succeeded) return { kind: 'wrong-verdict', message: `${where} rejected a valid input` };
    if (!sameBytes(released, same.plaintext)) return { kind: 'wrong-output', message: `${where} returned the wrong plaintext for a valid input` };
    return undefined;
  }
  if (succeeded) {
    return { kind: 'plaintext-released', message: `${where} ended successfully on a modified input (${released.length} bytes released)` };
  }
  if (released.length === 0) return undefined;
  if (released.length % CHUNK !== 0) {
    return { kind: 'plaintext-released', message: `${where} released ${released.length} bytes, not whole chunks, for a modified input` };
  }
  const ok = seeds.some((s) => released.length <= releasable(s, input) && sameBytes(released, s.plaintext.subarray(0, released.length)));
  if (!ok) {
    return { kind: 'plaintext-released', message: `${where} released ${released.length} bytes that are not verified chunks before the modification` };
  }
  return undefined;
}

/**
 * The verdict oracle: a valid input followed by 1 to 64 bytes must fail as trailing data
 * (`DEK_TRAILING_DATA`, docs/FORMAT.md §8.1), not as tampering or truncation.
 */
export function judgeVerdict(seeds: readonly Decryptable[], input: Uint8Array, error: unknown, where: string): Finding | undefined {
  const base = seeds.find(
    (s) => input.length > s.input.length && input.length - s.input.length <= 64 && sameBytes(s.input, input.subarray(0, s.input.length)),
  );
  if (base === undefined) return undefined;
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  if (code === 'DEK_TRAILING_DATA') return undefined;
  const appended = input.length - base.input.length;
  return { kind: 'wrong-verdict', message: `${where} failed with ${String(code)}, not DEK_TRAILING_DATA, on a valid input with ${appended} bytes appended` };
}
