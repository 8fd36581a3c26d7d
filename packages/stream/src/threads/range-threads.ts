/**
 * Running one file job on several threads: this thread and `threads - 1` worker threads (the
 * module `range-worker.js`) claim batches from one shared counter, so a thread that starts late
 * or runs slower simply does fewer. Each worker gets its own copy of the chunk keys; no data
 * crosses threads.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import { StateError, zeroize } from '@dek/core';
import { batchCount, firstFailure, runRange } from '../file/range.js';
import type { RangeJob } from '../file/range.js';
import type { WorkerJob, WorkerReport } from './range-worker.js';
import { fromWire } from './wire-error.js';

/**
 * The worker's module file. From the TypeScript sources (under vitest) the compiled one in `dist`
 * runs, without the parent's `--conditions` (which would point `@dek/core` at TypeScript).
 */
function workerModule(): { readonly url: URL; readonly execArgv?: string[] } {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    const url = new URL('../../dist/threads/range-worker.js', here);
    if (!existsSync(url)) throw new StateError('worker threads run the compiled worker: run `pnpm build` first', { field: 'concurrency' });
    return { url, execArgv: [] };
  }
  return { url: new URL('./range-worker.js', here) };
}

/**
 * A worker's young generation: small, since its garbage is collected every few batches anyway
 * (node/young-garbage.ts); the default lets a worker's peak memory grow by about 10 MiB more.
 */
const YOUNG_GENERATION = { maxYoungGenerationSizeMb: 2 };

/** Starts a worker on `job` (its own key copies) and resolves when it has done its batches. */
function startWorker(
  Worker: typeof import('node:worker_threads').Worker,
  job: RangeJob,
  counter: SharedArrayBuffer,
  written: (bytes: number) => void,
): { done: Promise<void>; worker: Worker } {
  const { url, execArgv } = workerModule();
  const workerJob: WorkerJob = { ...job, aeadKey: job.aeadKey.slice(), baseNonce: job.baseNonce.slice(), counter };
  let worker: Worker;
  try {
    worker = new Worker(url, { workerData: workerJob, resourceLimits: YOUNG_GENERATION, ...(execArgv === undefined ? {} : { execArgv }) });
  } finally {
    zeroize(workerJob.aeadKey, workerJob.baseNonce); // the worker got a clone
  }
  const done = new Promise<void>((resolve, reject) => {
    let finished = false;
    worker.on('message', (report: WorkerReport) => {
      if ('written' in report) written(report.written);
      else {
        finished = true;
        if ('error' in report) reject(fromWire(report.error));
        else resolve();
      }
    });
    worker.once('error', (error) => {
      finished = true;
      reject(new StateError('a worker thread failed', {}, { cause: error }));
    });
    worker.once('exit', () => {
      if (!finished) reject(new StateError('a worker thread exited before its work was done'));
    });
  });
  return { done, worker };
}

/**
 * Runs `job` on `threads` threads, this one included; `written` hears of every batch written.
 * Zeroes the job's keys. Rejects with the lowest chunk's typed error once every thread stopped.
 */
export async function runOnThreads(job: RangeJob, threads: number, written: (bytes: number) => void): Promise<void> {
  const shared = new SharedArrayBuffer(4);
  const counter = new Int32Array(shared);
  const count = batchCount(job.layout);
  const workers: Worker[] = [];
  const runs: Promise<void>[] = [];
  const errors: unknown[] = [];
  const settle = (run: Promise<void>): Promise<void> =>
    run.catch((error: unknown) => {
      errors.push(error);
      Atomics.store(counter, 0, count); // no thread claims another batch
    });
  try {
    // Loaded only when a worker starts: a small file's command does not pay for it.
    const { Worker } = threads > 1 && count > 1 ? process.getBuiltinModule('node:worker_threads') : { Worker: undefined };
    for (let i = 1; i < threads && i < count && Worker !== undefined; i++) {
      const started = startWorker(Worker, job, shared, written);
      workers.push(started.worker);
      runs.push(settle(started.done));
    }
  } catch (error) {
    errors.push(error);
    Atomics.store(counter, 0, count);
  }
  runs.push(settle(runRange(job, { claim: () => Atomics.add(counter, 0, 1), written })));
  await Promise.all(runs);
  if (errors.length > 0) {
    await Promise.all(workers.map((worker) => worker.terminate()));
    throw firstFailure(errors);
  }
}
