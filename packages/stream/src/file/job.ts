/**
 * Running one file job: size the output, spread the chunks over threads, report progress, and
 * flush the output to disk while later batches are still sealed (fdatasync of what is written
 * every {@link FLUSH_STEP} bytes), so that the final sync has little left to do.
 *
 * @module
 */
import { fdatasync, ftruncate } from 'node:fs';
import { availableParallelism } from 'node:os';
import { promisify } from 'node:util';
import { ArgumentError, zeroizeChunkKeys } from '@dek/core';
import type { ChunkKeys } from '@dek/core';
import { runOnThreads } from '../threads/range-threads.js';
import { openTarget } from './files.js';
import type { FileTarget, TargetOptions } from './files.js';
import { writeAt } from './positional-io.js';
import { inputLength, outputLength } from './layout.js';
import type { ChunkLayout } from './layout.js';

/** Most threads one job may use (the calling thread included). */
export const MAX_CONCURRENCY = 64;

/**
 * Input bytes per thread before another one pays: starting a worker thread costs tens of
 * milliseconds, about what one thread seals of 64 MiB; below twice that it only adds work.
 */
export const BYTES_PER_THREAD = 128 << 20;

/**
 * Written bytes between two background fdatasync calls. `dek encrypt -o` of 1 GiB here (means of
 * 6): 1.65 to 1.71 s every 64 MiB, 1.73 to 1.87 s every 16 or 32 MiB, 2.0 s every 256 MiB, 2.1 s
 * with one fdatasync at the end.
 */
export const FLUSH_STEP = 64 << 20;

/** Options every file job takes. */
export interface FileJobOptions {
  /**
   * Threads that seal or open chunks, this one included, 1 to 64, at most one per CPU. Default:
   * one per 128 MiB of input (a worker thread starts only where it pays). Any value gives the
   * same bytes. On 2 CPUs here, 1 GiB: two threads encrypt in 1.5 s instead of 2.0 s (means of 8,
   * a quiet machine), and are about even with one thread when other work takes the CPUs.
   */
  readonly concurrency?: number;
  /** Called as the work advances, with the input bytes done so far and the input's size. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** Checks the options shared by every file job (ArgumentError naming the field). */
export function checkFileJobOptions(options: FileJobOptions): void {
  const { concurrency, onProgress } = options;
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_CONCURRENCY)) {
    throw new ArgumentError(`concurrency must be an integer from 1 to ${MAX_CONCURRENCY}`, { field: 'concurrency' });
  }
  if (onProgress !== undefined && typeof onProgress !== 'function') throw new ArgumentError('onProgress must be a function', { field: 'onProgress' });
}

/**
 * Threads for `bytes` of input: the option, else one per {@link BYTES_PER_THREAD}; never more than
 * one per CPU (a thread beyond that only adds its memory and its start).
 */
export function threadsFor(bytes: number, concurrency: number | undefined): number {
  return Math.max(1, Math.min(availableParallelism(), concurrency ?? Math.floor(bytes / BYTES_PER_THREAD)));
}

/** Background fdatasync of what is written so far, at most one at a time. */
class SpreadFlush {
  readonly #fd: number;
  #unflushed = 0;
  #running: Promise<void> | undefined;
  #error: unknown;

  constructor(fd: number) {
    this.#fd = fd;
  }

  written(bytes: number): void {
    this.#unflushed += bytes;
    if (this.#unflushed < FLUSH_STEP || this.#running !== undefined) return;
    this.#unflushed = 0;
    this.#running = promisify(fdatasync)(this.#fd).then(
      () => {
        this.#running = undefined;
      },
      (error: unknown) => {
        this.#error ??= error;
        this.#running = undefined;
      },
    );
  }

  /** Waits for the flush under way; rethrows a failed one (the data may not be on disk). */
  async settle(): Promise<void> {
    await this.#running;
    if (this.#error !== undefined) throw this.#error;
  }
}

/** A job: what to do with which keys between which files. */
export interface FileJob {
  readonly layout: ChunkLayout;
  readonly input: number;
  readonly output: number;
  /** The payload's chunk keys; zeroed by the job. */
  readonly keys: ChunkKeys;
}

/**
 * Sizes the output, runs the job on its threads and waits for the background flushes (the caller
 * commits the output). Rejects with the typed error of the lowest chunk that failed.
 */
export async function runFileJob(job: FileJob, options: FileJobOptions): Promise<void> {
  const { layout, keys } = job;
  const total = inputLength(layout) - layout.inputBase;
  const aeadKey = keys.aeadKey.slice();
  const baseNonce = keys.baseNonce.slice();
  zeroizeChunkKeys(keys);
  try {
    await promisify(ftruncate)(job.output, outputLength(layout));
  } catch (error) {
    aeadKey.fill(0);
    baseNonce.fill(0);
    throw error;
  }
  const flush = new SpreadFlush(job.output);
  let done = 0;
  let progressError: unknown;
  const written = (bytes: number): void => {
    done += bytes;
    flush.written(bytes);
    try {
      options.onProgress?.(done, total);
    } catch (error) {
      progressError ??= error; // the caller's callback: it fails the job, once the threads stopped
    }
  };
  const range = { layout, input: job.input, output: job.output, suite: keys.suite.name, aeadKey, baseNonce };
  try {
    await runOnThreads(range, threadsFor(total, options.concurrency), written);
  } catch (error) {
    await flush.settle().catch(() => undefined);
    throw error;
  }
  await flush.settle();
  if (progressError !== undefined) throw progressError;
}

/**
 * Opens `target`, writes `head` at offset 0 and runs the job behind it, then commits the target.
 * `check` runs before the commit (throw to refuse the output). On any failure the keys are zeroed
 * and the target left empty or removed.
 */
export async function writeFileJob(
  target: FileTarget,
  head: Uint8Array[],
  job: Omit<FileJob, 'output'>,
  options: FileJobOptions & TargetOptions,
  check: () => Promise<void> = async () => undefined,
): Promise<void> {
  try {
    const output = await openTarget(target, options);
    try {
      await writeAt(output.fd, head, 0);
      await runFileJob({ ...job, output: output.fd }, options);
      await check();
      await output.commit();
    } catch (error) {
      await output.abort();
      throw error;
    }
  } finally {
    zeroizeChunkKeys(job.keys);
  }
}
