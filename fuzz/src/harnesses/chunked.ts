/**
 * c2sp chunked-encryption opening of `@dek/core`: `openMessage`, `openChunkKeys` and the
 * incremental `ChunkOpener` (fed in fuzzed write sizes) on mutated payloads, with lengths pushed
 * to the chunk boundaries.
 *
 * Contract checked besides the generic failures: only an unmodified payload opens; `openMessage`
 * returns nothing on failure; `ChunkOpener` releases only whole verified chunks before the first
 * modified byte, never ends cleanly on a modified payload, and after a failure keeps failing; both
 * call 1 to 64 bytes appended to a valid payload DEK_TRAILING_DATA.
 *
 * @module
 */
import fc from 'fast-check';
import { ChunkOpener, openChunkKeys, openMessage, zeroizeChunkKeys } from '@dek/core';
import { concatBytes, sameBytes, splitBy } from '../bytes.js';
import type { CorpusEntry } from '../corpus.js';
import { CHUNK, PAYLOAD_HEADER, SEALED, payloadSeeds } from '../fixtures.js';
import type { PayloadSeed } from '../fixtures.js';
import type { Harness } from '../harness.js';
import { applyMutations, mutationsArb, pushesLengths } from '../mutate.js';
import { genericFindings, measure, untypedFinding } from '../oracle.js';
import type { Finding } from '../oracle.js';
import { byteCaseEntry, byteCaseOf, judgeRelease, judgeVerdict, type ByteCase, type Decryptable } from './common.js';

/** A payload case: which entry point, and how the input is cut into writes. */
export interface ChunkedCase extends ByteCase {
  readonly mode: 'message' | 'opener';
  readonly splits: readonly number[];
}

const PAYLOAD_LENGTHS = [0, 16, 55, 56, 57, 71, 72, 73, 56 + SEALED - 1, 56 + SEALED, 56 + SEALED + 15, 56 + SEALED + 16, 56 + 2 * SEALED];

/** Write sizes: around the header and chunk sizes, odd primes, or all at once. */
export const splitsArb: fc.Arbitrary<number[]> = fc.oneof(
  fc.constant<number[]>([]),
  fc.array(fc.constantFrom<number>(1, 55, 56, 57, 16399, 16400, 16401, 7919), { minLength: 1, maxLength: 4 }),
  fc.array(fc.integer({ min: 1, max: 40000 }), { minLength: 1, maxLength: 4 }),
);

function decryptables(seeds: readonly PayloadSeed[], like: PayloadSeed): Decryptable[] {
  // Only payloads under the same key and context could open: same suite.
  return seeds.filter((s) => s.suite === like.suite).map((s) => ({ input: s.payload, plaintext: s.plaintext, chunksStart: PAYLOAD_HEADER }));
}

async function checkMessage(seed: PayloadSeed, c: ChunkedCase, same: readonly Decryptable[]): Promise<Finding | undefined> {
  const heavy = pushesLengths(c.mutations);
  const opened = await measure(() => openMessage(seed.suite, seed.key, c.bytes, seed.context), heavy);
  const f = genericFindings(opened, 'openMessage', c.bytes.length);
  if (f !== undefined) return f;
  const released = opened.outcome.ok ? opened.outcome.value : new Uint8Array(0);
  const g = judgeRelease(same, c.bytes, released, opened.outcome.ok, 'openMessage');
  if (g !== undefined) return g;
  const v = opened.outcome.ok ? undefined : judgeVerdict(same, c.bytes, opened.outcome.error, 'openMessage');
  if (v !== undefined) return v;

  const header = c.bytes.subarray(0, PAYLOAD_HEADER);
  const keys = await measure(() => openChunkKeys(seed.suite, seed.key, header, seed.context), false);
  const h = genericFindings(keys, 'openChunkKeys', header.length);
  if (h !== undefined) return h;
  if (keys.outcome.ok) zeroizeChunkKeys(keys.outcome.value);
  const headerValid = same.some((s) => sameBytes(s.input.subarray(0, PAYLOAD_HEADER), header));
  if (keys.outcome.ok !== headerValid) {
    return { kind: 'wrong-verdict', message: `openChunkKeys ${keys.outcome.ok ? 'accepted a modified' : 'rejected a valid'} payload header` };
  }
  return undefined;
}

async function checkOpener(seed: PayloadSeed, c: ChunkedCase, same: readonly Decryptable[]): Promise<Finding | undefined> {
  const opener = new ChunkOpener({ suite: seed.suite, key: seed.key, context: seed.context });
  const pieces: Uint8Array[] = [];
  let odd = -1;
  const run = await measure(() => {
    for (const part of splitBy(c.bytes, c.splits)) {
      for (const p of opener.write(part)) {
        if (p.length !== CHUNK) odd = p.length;
        pieces.push(p);
      }
    }
    pieces.push(opener.end());
  }, pushesLengths(c.mutations));
  const f = genericFindings(run, 'ChunkOpener', c.bytes.length);
  if (f !== undefined) return f;
  if (odd >= 0) return { kind: 'plaintext-released', message: `ChunkOpener.write released a ${odd}-byte piece (not a whole chunk)` };
  const g = judgeRelease(same, c.bytes, concatBytes(pieces), run.outcome.ok, 'ChunkOpener');
  if (g !== undefined) return g;
  const v = run.outcome.ok ? undefined : judgeVerdict(same, c.bytes, run.outcome.error, 'ChunkOpener');
  if (v !== undefined) return v;
  if (!run.outcome.ok) {
    // c2sp streaming rule: after an error, every later call fails too (and releases nothing).
    try {
      const more = opener.end();
      return { kind: 'plaintext-released', message: `ChunkOpener.end() after a failure returned ${more.length} bytes` };
    } catch (error) {
      const u = untypedFinding(error, 'ChunkOpener.end() after a failure');
      if (u !== undefined) return u;
    }
  }
  return undefined;
}

/** The chunk opener harness. */
export const chunkedHarness: Harness<ChunkedCase> = {
  name: 'chunked',
  summary: 'openMessage / openChunkKeys / ChunkOpener on mutated c2sp payloads',
  shortRuns: 150,
  cases() {
    const seeds = payloadSeeds();
    const index = fc.nat({ max: seeds.length - 1 });
    return fc
      .tuple(index, index, mutationsArb({ lengths: PAYLOAD_LENGTHS }), fc.constantFrom<ChunkedCase['mode']>('message', 'opener'), splitsArb)
      .map(([base, other, mutations, mode, splits]) => ({
        base,
        other,
        mutations,
        mode,
        splits,
        bytes: applyMutations(seeds[base]!.payload, mutations, seeds[other]!.payload),
      }));
  },
  check(c) {
    const seeds = payloadSeeds();
    const seed = seeds[c.base];
    if (seed === undefined) return Promise.resolve({ kind: 'wrong-output', message: `no payload fixture ${c.base}` });
    const same = decryptables(seeds, seed);
    return c.mode === 'message' ? checkMessage(seed, c, same) : checkOpener(seed, c, same);
  },
  toCorpus: (c, finding): CorpusEntry => byteCaseEntry('chunked', c, finding, { mode: c.mode, splits: c.splits.join(',') }),
  fromCorpus: (entry) => ({
    ...byteCaseOf(entry),
    mode: entry.meta['mode'] === 'opener' ? 'opener' : 'message',
    splits: (entry.meta['splits'] ?? '').split(',').filter((s) => s !== '').map(Number),
  }),
};
