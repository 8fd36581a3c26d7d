/**
 * Entry point of a file-job worker thread (loaded by `range-threads.ts` as a module file). It runs
 * {@link runRange} on batches claimed from the counter it shares with the other threads, and
 * reports `{ written }` after each batch, then `{ done: true }` or `{ error }`. Its keys came in
 * `workerData` (a copy of its own) and are zeroed by `runRange`.
 *
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runRange } from '../file/range.js';
import type { RangeJob } from '../file/range.js';
import { toWire } from './wire-error.js';
import type { WireError } from './wire-error.js';

/** What a worker gets: its job and the shared batch counter. */
export interface WorkerJob extends RangeJob {
  /** One Int32: the next batch to claim (Atomics.add). */
  readonly counter: SharedArrayBuffer;
}

/** What a worker posts. */
export type WorkerReport = { readonly written: number } | { readonly done: true } | { readonly error: WireError };

const job = workerData as WorkerJob;
const port = parentPort!;
const counter = new Int32Array(job.counter);
runRange(job, {
  claim: () => Atomics.add(counter, 0, 1),
  written: (bytes) => port.postMessage({ written: bytes } satisfies WorkerReport),
}).then(
  () => port.postMessage({ done: true } satisfies WorkerReport),
  (error: unknown) => port.postMessage({ error: toWire(error) } satisfies WorkerReport),
);
