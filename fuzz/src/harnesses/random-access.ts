/**
 * The random-access reader of `@dek/stream` (`openEnvelope` and `EnvelopeReader.read`) on mutated
 * envelopes held in memory, through the deterministic KMS; and `inspect` on the same inputs.
 *
 * Contract checked besides the generic failures: opening succeeds only when the header, the
 * payload header and the final chunk are unmodified and the length is unchanged (the size is
 * authenticated before it is trusted); a read returns exactly the true plaintext of its range
 * when every chunk it touches is unmodified, and fails with a typed error otherwise.
 *
 * @module
 */
import fc from 'fast-check';
import { decodeHeader } from '@dek/core';
import { inspect, openEnvelope } from '@dek/stream';
import { sameBytes } from '../bytes.js';
import type { CorpusEntry } from '../corpus.js';
import { FixedKms } from '../fixed-kms.js';
import { CHUNK, PAYLOAD_HEADER, SEALED, envelopeSeeds } from '../fixtures.js';
import type { EnvelopeSeed } from '../fixtures.js';
import type { Harness } from '../harness.js';
import { headerLengthFields } from '../msgpack-fields.js';
import { applyMutations, mutationsArb, pushesLengths } from '../mutate.js';
import { genericFindings, measure } from '../oracle.js';
import type { Finding } from '../oracle.js';
import { byteCaseEntry, byteCaseOf, judgeVerdict, type ByteCase } from './common.js';
import { envelopeDecryptables, envelopeLengths } from './stream.js';

/** A random-access case: the range to read, as two numbers reduced modulo the size. */
export interface RandomAccessCase extends ByteCase {
  readonly range: readonly [number, number];
}

const kms = new FixedKms();

/** Whether chunk `k` of `seed` is byte-for-byte the same in `input` (same length assumed). */
function chunkIntact(seed: EnvelopeSeed, input: Uint8Array, k: number): boolean {
  const from = seed.chunksStart + k * SEALED;
  const to = Math.min(seed.envelope.length, from + SEALED);
  return sameBytes(seed.envelope.subarray(from, to), input.subarray(from, to));
}

/** The seed `input` is a same-length modification of with an intact header, payload header and final chunk. */
function openableFrom(input: Uint8Array): EnvelopeSeed | undefined {
  return envelopeSeeds().find((s) => {
    if (s.envelope.length !== input.length) return false;
    if (!sameBytes(s.envelope.subarray(0, s.chunksStart), input.subarray(0, s.chunksStart))) return false;
    return chunkIntact(s, input, Math.floor(s.plaintext.length / CHUNK));
  });
}

/** `inspect` parses the same headers `decodeHeader` does, without a KMS. */
async function checkInspect(c: RandomAccessCase, heavy: boolean): Promise<Finding | undefined> {
  const inspected = await measure(() => inspect(c.bytes), heavy);
  const f = genericFindings(inspected, 'inspect', c.bytes.length);
  if (f !== undefined) return f;
  let decodes = true;
  try {
    decodeHeader(c.bytes);
  } catch {
    decodes = false;
  }
  if (inspected.outcome.ok !== decodes) return { kind: 'wrong-verdict', message: `inspect ${decodes ? 'rejected' : 'accepted'} a header decodeHeader ${decodes ? 'accepts' : 'rejects'}` };
  return undefined;
}

async function check(c: RandomAccessCase): Promise<Finding | undefined> {
  const heavy = pushesLengths(c.mutations);
  const inspected = await checkInspect(c, heavy);
  if (inspected !== undefined) return inspected;
  const opened = await measure(() => openEnvelope(c.bytes, { kms }), heavy);
  const f = genericFindings(opened, 'openEnvelope', c.bytes.length);
  if (f !== undefined) return f;
  const seed = openableFrom(c.bytes);
  if (!opened.outcome.ok) {
    if (seed !== undefined) return { kind: 'wrong-verdict', message: 'openEnvelope rejected an envelope whose header and final chunk are intact' };
    return judgeVerdict(envelopeDecryptables(), c.bytes, opened.outcome.error, 'openEnvelope');
  }
  const reader = opened.outcome.value;
  try {
    if (seed === undefined) {
      return { kind: 'wrong-verdict', message: `openEnvelope accepted a modified header, payload header, length or final chunk (size ${reader.size})` };
    }
    if (reader.size !== seed.plaintext.length) return { kind: 'wrong-output', message: `size ${reader.size}, expected ${seed.plaintext.length}` };
    const a = c.range[0] % (reader.size + 1);
    const b = c.range[1] % (reader.size + 1);
    for (const [start, end] of [[0, reader.size], [Math.min(a, b), Math.max(a, b)]] as const) {
      const read = await measure(() => reader.read(start, end), false);
      const g = genericFindings(read, `read(${start}, ${end})`, c.bytes.length);
      if (g !== undefined) return g;
      let intact = true;
      for (let k = Math.floor(start / CHUNK); end > start && k <= Math.floor((end - 1) / CHUNK); k++) intact &&= chunkIntact(seed, c.bytes, k);
      if (read.outcome.ok !== intact) {
        return { kind: read.outcome.ok ? 'plaintext-released' : 'wrong-verdict', message: `read(${start}, ${end}) ${read.outcome.ok ? 'returned data across a modified chunk' : 'failed on intact chunks'}` };
      }
      if (read.outcome.ok && !sameBytes(read.outcome.value, seed.plaintext.subarray(start, end))) {
        return { kind: 'wrong-output', message: `read(${start}, ${end}) returned the wrong plaintext` };
      }
    }
    return undefined;
  } finally {
    reader.close();
  }
}

/** The random-access reader harness. */
export const randomAccessHarness: Harness<RandomAccessCase> = {
  name: 'random-access',
  summary: 'openEnvelope + EnvelopeReader.read, and inspect, on mutated envelopes',
  shortRuns: 80,
  cases() {
    const seeds = envelopeSeeds();
    const index = fc.nat({ max: seeds.length - 1 });
    return index.chain((base) => {
      const seed = seeds[base]!;
      return fc
        .tuple(index, mutationsArb({ lengths: [...envelopeLengths(seed), seed.chunksStart + SEALED + PAYLOAD_HEADER] , lengthFields: true }), fc.tuple(fc.nat(), fc.nat()))
        .map(([other, mutations, range]) => ({
          base,
          other,
          mutations,
          range,
          bytes: applyMutations(seed.envelope, mutations, seeds[other]!.envelope, headerLengthFields(seed.envelope)),
        }));
    });
  },
  check,
  toCorpus: (c, finding): CorpusEntry => byteCaseEntry('random-access', c, finding, { range: c.range.join(',') }),
  fromCorpus: (entry) => {
    const [a = 0, b = 0] = (entry.meta['range'] ?? '0,0').split(',').map(Number);
    return { ...byteCaseOf(entry), range: [a, b] };
  },
};
