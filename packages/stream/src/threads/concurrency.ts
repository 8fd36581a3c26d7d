/**
 * The `concurrency` option of encryption and decryption: a number of threads, or a shared
 * {@link ChunkWorkerPool}.
 *
 * @module
 */
import { ArgumentError } from '@dek/core';
import { ChunkWorkerPool, MAX_POOL_THREADS } from './worker-pool.js';

/** Most threads one message may use (the calling thread included). */
export const MAX_CONCURRENCY = MAX_POOL_THREADS + 1;

/** A checked `concurrency` option: a thread count from 1, or a pool. */
export type Concurrency = number | ChunkWorkerPool;

/**
 * Checks `concurrency`: an integer from 1 to {@link MAX_CONCURRENCY} (1 when undefined) or a
 * {@link ChunkWorkerPool}; ArgumentError `concurrency` otherwise.
 */
export function checkConcurrency(value: unknown): Concurrency {
  if (value === undefined) return 1;
  if (value instanceof ChunkWorkerPool) return value;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_CONCURRENCY) {
    throw new ArgumentError(`concurrency must be an integer from 1 to ${MAX_CONCURRENCY} or a ChunkWorkerPool`, { field: 'concurrency' });
  }
  return value;
}

/** Whether chunks go to worker threads at all. */
export function isParallel(concurrency: Concurrency): boolean {
  return concurrency instanceof ChunkWorkerPool || concurrency > 1;
}
