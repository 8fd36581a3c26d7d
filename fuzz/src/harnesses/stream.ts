/**
 * The stream decryptor of `@dek/stream` on mutated envelopes: the `EnvelopeDecryptor` state
 * machine (unlocked with the data key, or through a KMS), the Node and Web transforms, and the
 * one-shot `decrypt`, each fed in fuzzed write sizes. Header length fields are pushed to their
 * limits; whole envelopes are resized to the chunk boundaries.
 *
 * Contract checked besides the generic failures: a modified envelope never decrypts successfully
 * (bytes appended after the final chunk included); what a streaming decryptor releases before
 * failing is a prefix of the true plaintext made of whole chunks lying before the first modified
 * byte; `decrypt` releases nothing on failure; a failed decryptor keeps failing.
 *
 * @module
 */
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import fc from 'fast-check';
import { EnvelopeDecryptor, decrypt, decryptStream, decryptWebStream } from '@dek/stream';
import { concatBytes, splitBy } from '../bytes.js';
import type { CorpusEntry } from '../corpus.js';
import { FixedKms } from '../fixed-kms.js';
import { PAYLOAD_HEADER, SEALED, envelopeSeeds } from '../fixtures.js';
import type { EnvelopeSeed } from '../fixtures.js';
import type { Harness } from '../harness.js';
import { headerLengthFields } from '../msgpack-fields.js';
import { applyMutations, mutationsArb, pushesLengths } from '../mutate.js';
import { genericFindings, measure, untypedFinding } from '../oracle.js';
import type { Finding } from '../oracle.js';
import { byteCaseEntry, byteCaseOf, judgeRelease, judgeVerdict, type ByteCase, type Decryptable } from './common.js';
import { splitsArb } from './chunked.js';

/** How the envelope is decrypted. */
export type StreamMode = 'datakey' | 'kms' | 'node' | 'web' | 'oneshot';
const MODES: readonly StreamMode[] = ['datakey', 'kms', 'node', 'web', 'oneshot'];

/** A stream case: entry point and write sizes. */
export interface StreamCase extends ByteCase {
  readonly mode: StreamMode;
  readonly splits: readonly number[];
}

const kms = new FixedKms();

/** Decryptable views of the envelope fixtures. */
export function envelopeDecryptables(): Decryptable[] {
  return envelopeSeeds().map((s) => ({ input: s.envelope, plaintext: s.plaintext, chunksStart: s.chunksStart }));
}

/** Lengths around the end of the header and the chunk boundaries of envelope `seed`. */
export function envelopeLengths(seed: EnvelopeSeed): number[] {
  const h = seed.headerLength;
  return [8, 9, h - 32, h - 1, h, h + PAYLOAD_HEADER - 1, h + PAYLOAD_HEADER, h + PAYLOAD_HEADER + 15, h + PAYLOAD_HEADER + 16, h + PAYLOAD_HEADER + SEALED, seed.envelope.length + 1];
}

/** Release log of one run: pieces in order, and whether some piece was not a whole chunk. */
interface Run {
  readonly pieces: Uint8Array[];
}

/** Drives an EnvelopeDecryptor; `unlock` supplies the key when it asks. Returns the decryptor for the sticky check. */
async function runDecryptor(parts: readonly Uint8Array[], run: Run, unlock: (d: EnvelopeDecryptor) => Promise<Uint8Array[]> | Uint8Array[], d: EnvelopeDecryptor): Promise<void> {
  for (const part of parts) {
    run.pieces.push(...d.write(part));
    if (d.needsKey) run.pieces.push(...(await unlock(d)));
  }
  run.pieces.push(...d.end());
}

async function runNode(parts: readonly Uint8Array[], run: Run): Promise<void> {
  let ended = false;
  const transform = decryptStream({ kms });
  transform.on('end', () => {
    ended = true;
  });
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      run.pieces.push(new Uint8Array(chunk));
      callback();
    },
  });
  try {
    await pipeline(Readable.from(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.length))), transform, sink);
  } catch (error) {
    if (ended) throw new Error(`the Node transform emitted 'end' and then failed: ${String(error)}`);
    throw error;
  }
}

async function runWeb(parts: readonly Uint8Array[], run: Run): Promise<void> {
  const source = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const p of parts) controller.enqueue(p);
      controller.close();
    },
  });
  const reader = source.pipeThrough(decryptWebStream({ kms })).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    run.pieces.push(value);
  }
}

async function check(c: StreamCase): Promise<Finding | undefined> {
  const seed = envelopeSeeds()[c.base];
  if (seed === undefined) return { kind: 'wrong-output', message: `no envelope fixture ${c.base}` };
  const parts = splitBy(c.bytes, c.splits);
  const run: Run = { pieces: [] };
  const decryptor = new EnvelopeDecryptor(c.mode === 'kms' ? { kms } : {});
  const where = `${c.mode} decrypt`;
  const measured = await measure(async () => {
    switch (c.mode) {
      case 'datakey':
        return runDecryptor(parts, run, (d) => d.unlockWithDataKey(seed.dataKey), decryptor);
      case 'kms':
        return runDecryptor(parts, run, (d) => d.unlock(), decryptor);
      case 'node':
        return runNode(parts, run);
      case 'web':
        return runWeb(parts, run);
      case 'oneshot':
        run.pieces.push(await decrypt(c.bytes, { kms }));
        return undefined;
    }
  }, pushesLengths(c.mutations));
  const f = genericFindings(measured, where, c.bytes.length);
  if (f !== undefined) return f;
  // Unlocked with the base's data key, only the base can decrypt; through the KMS, any fixture can.
  const decryptable = c.mode === 'datakey' ? [envelopeDecryptables()[c.base]!] : envelopeDecryptables();
  const g = judgeRelease(decryptable, c.bytes, concatBytes(run.pieces), measured.outcome.ok, where);
  if (g !== undefined) return g;
  const v = measured.outcome.ok ? undefined : judgeVerdict(decryptable, c.bytes, measured.outcome.error, where);
  if (v !== undefined) return v;
  if (!measured.outcome.ok && (c.mode === 'datakey' || c.mode === 'kms')) {
    try {
      const more = decryptor.end();
      return { kind: 'plaintext-released', message: `EnvelopeDecryptor.end() after a failure returned ${more.length} pieces` };
    } catch (error) {
      const u = untypedFinding(error, 'EnvelopeDecryptor.end() after a failure');
      if (u !== undefined) return u;
    }
  }
  return undefined;
}

/** The stream decryptor harness. */
export const streamHarness: Harness<StreamCase> = {
  name: 'stream',
  summary: 'EnvelopeDecryptor (data key, KMS), decryptStream, decryptWebStream, decrypt on mutated envelopes',
  shortRuns: 60,
  cases() {
    const seeds = envelopeSeeds();
    const index = fc.nat({ max: seeds.length - 1 });
    return index.chain((base) => {
      const seed = seeds[base]!;
      return fc
        .tuple(
          index,
          mutationsArb({ lengths: envelopeLengths(seed), lengthFields: true }),
          fc.oneof({ weight: 4, arbitrary: fc.constant<StreamMode>('datakey') }, { weight: 4, arbitrary: fc.constantFrom(...MODES) }),
          splitsArb,
        )
        .map(([other, mutations, mode, splits]) => ({
          base,
          other,
          mutations,
          mode,
          splits,
          bytes: applyMutations(seed.envelope, mutations, seeds[other]!.envelope, headerLengthFields(seed.envelope)),
        }));
    });
  },
  check,
  toCorpus: (c, finding): CorpusEntry => byteCaseEntry('stream', c, finding, { mode: c.mode, splits: c.splits.join(',') }),
  fromCorpus: (entry) => ({
    ...byteCaseOf(entry),
    mode: (MODES as readonly string[]).includes(entry.meta['mode'] ?? '') ? (entry.meta['mode'] as StreamMode) : 'datakey',
    splits: (entry.meta['splits'] ?? '').split(',').filter((s) => s !== '').map(Number),
  }),
};
