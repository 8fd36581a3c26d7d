/**
 * A reusable pool of worker threads for the `concurrency` option. Starting a thread costs tens of
 * milliseconds; a pool started once serves every message that names it, so a program that
 * encrypts or decrypts many large messages pays that once.
 *
 * @module
 */
import { availableParallelism } from 'node:os';
import { ArgumentError } from '@dek/core';
import { WorkerThreads } from './worker-threads.js';

/** Most threads a pool may start. */
export const MAX_POOL_THREADS = 63;

/** Options of {@link ChunkWorkerPool}. */
export interface ChunkWorkerPoolOptions {
  /** Worker threads to start, 1 to 63 (default: available CPUs minus one, at least 1). */
  readonly threads?: number;
}

const threadsOfPool = new WeakMap<ChunkWorkerPool, WorkerThreads>();

/**
 * Worker threads shared by messages: pass the pool as `concurrency` to `encrypt`, `decrypt`,
 * `encryptStream` or `decryptStream`; each message then uses the pool's threads plus the calling
 * thread. Each message's chunk keys reach the threads under its own lane and are zeroed there when
 * the message ends or fails; the threads stay until {@link ChunkWorkerPool.close}. An idle pool
 * does not keep the process alive.
 *
 * @example
 * const pool = new ChunkWorkerPool({ threads: 1 });
 * for (const file of files) await pipeline(createReadStream(file), encryptStream({ kms, keyId, concurrency: pool }), createWriteStream(`${file}.dek`));
 * await pool.close();
 */
export class ChunkWorkerPool {
  /** Worker threads started. */
  readonly threads: number;

  constructor(options: ChunkWorkerPoolOptions = {}) {
    const threads = options.threads ?? Math.max(1, availableParallelism() - 1);
    if (!Number.isInteger(threads) || threads < 1 || threads > MAX_POOL_THREADS) {
      throw new ArgumentError(`threads must be an integer from 1 to ${MAX_POOL_THREADS}`, { field: 'threads' });
    }
    this.threads = threads;
    threadsOfPool.set(this, new WorkerThreads(threads));
  }

  /**
   * Zeroes every key the threads hold and ends them; resolves once they exited. Messages still
   * using the pool fail with StateError; later messages naming it run on their calling thread
   * only.
   */
  close(): Promise<void> {
    return threadsOfPool.get(this)!.close();
  }
}

/** The threads of a pool. @internal */
export function poolThreads(pool: ChunkWorkerPool): WorkerThreads {
  return threadsOfPool.get(pool)!;
}
