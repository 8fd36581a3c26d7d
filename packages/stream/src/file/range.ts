/**
 * The loop every thread of a file job runs: claim the next batch of chunks, read it by position
 * into one of a few reused buffers, seal, open or verify its chunks, and write the result by
 * position. Several batches are in flight per thread (each lane owns one buffer), so reads and
 * writes, which run on libuv's pool, overlap the sealing on this thread. Nothing but a batch
 * number crosses threads: each thread reads and writes its own batches.
 *
 * @module
 */
import { DekError, TAG_LENGTH, openChunk, rawChunkKeys, sealChunkInto, zeroize, zeroizeChunkKeys } from '@dek/core';
import type { ChunkKeys, SuiteName } from '@dek/core';
import { openFinalChunk } from './final-chunk.js';
import { inputUnit, outputUnit } from './layout.js';
import type { ChunkLayout } from './layout.js';
import { readFully, writeAt } from './positional-io.js';
import { countGarbage } from '../node/young-garbage.js';

/** Chunks per batch: 1 MiB of plaintext, the unit of one read and one write. */
export const BATCH_CHUNKS = 64;

/**
 * Batches in flight per thread: one sealing while the other is read or written. A third measured
 * no faster here, and costs 2 MiB more per thread.
 */
export const LANES_PER_THREAD = 2;

/** One thread's share of a file job: what to do, where, and the chunk keys. */
export interface RangeJob {
  readonly layout: ChunkLayout;
  /** File descriptors, open in this process (threads share them). */
  readonly input: number;
  readonly output: number;
  readonly suite: SuiteName;
  /** The payload's AES-GCM key and base nonce: this thread's own copies, zeroed when done. */
  readonly aeadKey: Uint8Array;
  readonly baseNonce: Uint8Array;
}

/** How a thread gets work and reports it. */
export interface RangeHooks {
  /** The next batch to do, or a number >= {@link batchCount} when there is none (or the job failed). */
  claim(): number;
  /** Called after each batch is written, with its input bytes. */
  written(inputBytes: number): void;
}

/** Batches of a job. */
export function batchCount(layout: ChunkLayout): number {
  return Math.ceil((layout.finalIndex + 1) / BATCH_CHUNKS);
}

/** One batch: chunks `first ..` with `full` full chunks, then the final one when `final`. */
interface Batch {
  readonly first: number;
  readonly full: number;
  readonly final: boolean;
}

/**
 * Seals, opens or verifies the chunks of `batch` held in `input`; returns what to write: sealed
 * chunks or plaintext copied into `output` (one write of one buffer costs far less CPU than a
 * `writev` of each chunk's pieces), or `input` itself when verifying. A chunk that fails throws
 * its typed error.
 */
function processBatch(keys: ChunkKeys, op: ChunkLayout['op'], batch: Batch, input: Uint8Array, output: Uint8Array): Uint8Array {
  const inUnit = inputUnit(op);
  const count = batch.full + (batch.final ? 1 : 0);
  const chunk = (j: number): Uint8Array => input.subarray(j * inUnit, j < batch.full ? (j + 1) * inUnit : input.length);
  let at = 0;
  if (op === 'seal') {
    for (let j = 0; j < count; j++) {
      const plaintext = chunk(j);
      const end = at + plaintext.length + TAG_LENGTH;
      sealChunkInto(keys, batch.first + j, plaintext, output.subarray(at, end));
      at = end;
    }
    return output.subarray(0, at);
  }
  // `copy` checks only the final chunk (it authenticates the length); the others go unopened.
  for (let j = op === 'copy' ? batch.full : 0; j < count; j++) {
    const index = batch.first + j;
    const plaintext = j < batch.full ? openChunk(keys, index, chunk(j)) : openFinalChunk(keys, index, chunk(j));
    if (op === 'open') output.set(plaintext, at);
    at += plaintext.length;
    zeroize(plaintext);
  }
  return op === 'open' ? output.subarray(0, at) : input;
}

/**
 * Runs batches claimed through `hooks` until none is left, on {@link LANES_PER_THREAD} lanes.
 * Zeroes the job's keys and every buffer when done. Rejects with the error of the lowest chunk
 * that failed on this thread (typed, as the stream path's).
 */
export async function runRange(job: RangeJob, hooks: RangeHooks): Promise<void> {
  const { layout } = job;
  const keys = rawChunkKeys(job.suite, job.aeadKey, job.baseNonce);
  zeroize(job.aeadKey, job.baseNonce);
  const count = batchCount(layout);
  const inUnit = inputUnit(layout.op);
  const outUnit = outputUnit(layout.op);
  const buffers: Uint8Array[] = [];
  const errors: unknown[] = [];
  let failed = false;

  // A small file gets buffers of its own size (no 1 MiB to fault in and zero for 1 KiB).
  const chunksPerBuffer = Math.min(BATCH_CHUNKS, layout.finalIndex + 1);
  const lane = async (): Promise<void> => {
    const buffer = new Uint8Array(chunksPerBuffer * inUnit);
    const output = new Uint8Array(layout.op === 'seal' || layout.op === 'open' ? chunksPerBuffer * outUnit : 0);
    buffers.push(buffer, output);
    for (let index = hooks.claim(); index < count && !failed; index = hooks.claim()) {
      const first = index * BATCH_CHUNKS;
      const final = first + BATCH_CHUNKS > layout.finalIndex;
      const full = (final ? layout.finalIndex : first + BATCH_CHUNKS) - first;
      const length = full * inUnit + (final ? layout.finalLength : 0);
      const input = buffer.subarray(0, length);
      await readFully(job.input, input, layout.inputBase + first * inUnit);
      const result = processBatch(keys, layout.op, { first, full, final }, input, output);
      await writeAt(job.output, result, layout.outputBase + first * outUnit);
      hooks.written(length);
      countGarbage(length);
    }
  };

  const lanes: Promise<void>[] = [];
  for (let i = 0; i < Math.min(LANES_PER_THREAD, count); i++) {
    lanes.push(
      lane().catch((error: unknown) => {
        failed = true;
        errors.push(error);
      }),
    );
  }
  await Promise.all(lanes);
  zeroizeChunkKeys(keys);
  zeroize(...buffers); // plaintext: the input when sealing, the output when opening
  if (errors.length > 0) throw firstFailure(errors);
}

/** The error of the lowest chunk (the one the stream path would have met first). */
export function firstFailure(errors: readonly unknown[]): unknown {
  const at = (error: unknown): number => {
    const chunk = error instanceof DekError ? error.details.chunkIndex : undefined;
    return typeof chunk === 'number' ? chunk : -1; // I/O errors first: they are not about a chunk
  };
  return errors.reduce((best, error) => (at(error) < at(best) ? error : best));
}
