/**
 * Seals or opens the full chunks of one payload on several threads: the calling thread and
 * `concurrency - 1` worker threads of its own, at most one per other CPU (started once a first
 * whole batch is in, so small messages never pay for them), or the threads of a shared
 * {@link ChunkWorkerPool}. Bytes are gathered into batches of {@link BATCH_CHUNKS} chunks; a batch
 * goes to a running worker that has room, otherwise the calling thread processes it at once (so
 * it also works while the workers start).
 * Output is emitted strictly in chunk order; for opening, a batch is emitted only after every
 * chunk of it verified. `ready()` waits until fewer than {@link ParallelChunks.maxBatchesInFlight}
 * batches are in flight, which bounds the memory for any length of input (a single write of many
 * batches is handled whole, as a single-thread write would be).
 *
 * @module
 */
import { availableParallelism } from 'node:os';
import { CHUNK_SIZE, SEALED_CHUNK_SIZE, StateError, openChunk, sealChunkDetached, zeroize } from '@dek/core';
import type { ChunkKeys } from '@dek/core';
import { ChunkWorkers, JOBS_PER_THREAD } from './chunk-workers.js';
import type { ChunkOperation } from './chunk-workers.js';
import type { Concurrency } from './concurrency.js';
import { ChunkWorkerPool, poolThreads } from './worker-pool.js';

/** Chunks per batch: 1 MiB of plaintext, large enough to amortize a message round trip. */
export const BATCH_CHUNKS = 64;

/** Options of {@link ParallelChunks}. */
export interface ParallelChunksOptions {
  readonly op: ChunkOperation;
  /** The payload's chunk keys (not zeroed here: the owner does). */
  readonly keys: ChunkKeys;
  /** Threads that process chunks, the calling one included (>= 2), or a pool. */
  readonly concurrency: Concurrency;
  /** Receives output pieces in chunk order. */
  readonly emit: (pieces: readonly Uint8Array[]) => void;
}

/** One batch between dispatch and emission. */
interface Entry {
  done: boolean;
  pieces: Uint8Array[] | undefined;
  error: Error | undefined;
}

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** Yields to the event loop, so that worker replies are handled between batches. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The full-chunk part of a parallel payload sealer or opener; see the module comment. */
export class ParallelChunks {
  readonly #op: ChunkOperation;
  readonly #keys: ChunkKeys;
  readonly #emit: (pieces: readonly Uint8Array[]) => void;
  readonly #concurrency: Concurrency;
  readonly #workerCount: number;
  /** Bytes of one chunk of input: 16384 to seal, 16400 to open. */
  readonly #unit: number;
  readonly #batchBytes: number;
  readonly #queue: Entry[] = [];
  #waiters: Waiter[] = [];
  #workers: ChunkWorkers | undefined;
  #batch: Uint8Array | undefined;
  #fill = 0;
  #index = 0;
  #error: unknown;
  #failed = false;
  #finished = false;

  constructor(options: ParallelChunksOptions) {
    this.#op = options.op;
    this.#keys = options.keys;
    this.#emit = options.emit;
    this.#concurrency = options.concurrency;
    // Own threads: never more than the other CPUs (more cannot run at once, and each costs memory).
    this.#workerCount =
      options.concurrency instanceof ChunkWorkerPool ? options.concurrency.threads : Math.min(options.concurrency, availableParallelism()) - 1;
    this.#unit = options.op === 'seal' ? CHUNK_SIZE : SEALED_CHUNK_SIZE;
    this.#batchBytes = BATCH_CHUNKS * this.#unit;
  }

  /** Batches dispatched but not yet emitted, at most: one per worker thread and one on this thread. */
  get maxBatchesInFlight(): number {
    return this.#workerCount * JOBS_PER_THREAD + 1;
  }

  /** Index of the next chunk to be dispatched (after {@link ParallelChunks.finish}: the final chunk's). */
  get chunkIndex(): number {
    return this.#index;
  }

  /**
   * Adds input bytes and dispatches every batch they complete. Errors of batches come out of
   * {@link ParallelChunks.ready} or {@link ParallelChunks.finish}, in order.
   */
  push(data: Uint8Array): void {
    this.#check();
    let at = 0;
    while (at < data.length) {
      if (this.#workers === undefined && this.#fill + data.length - at >= this.#batchBytes) this.#startWorkers();
      if (this.#fill === 0 && data.length - at >= this.#batchBytes && !this.#workerHasRoom()) {
        // Process straight from the caller's bytes: no copy.
        this.#runHere(data.subarray(at, at + this.#batchBytes), this.#take(BATCH_CHUNKS), BATCH_CHUNKS);
        at += this.#batchBytes;
        continue;
      }
      const batch = (this.#batch ??= this.#workers?.takeInput() ?? new Uint8Array(this.#batchBytes));
      const take = Math.min(this.#batchBytes - this.#fill, data.length - at);
      batch.set(data.subarray(at, at + take), this.#fill);
      this.#fill += take;
      at += take;
      if (this.#fill === this.#batchBytes) this.#dispatch(BATCH_CHUNKS);
    }
  }

  /**
   * Resolves when fewer than {@link ParallelChunks.maxBatchesInFlight} batches are in flight
   * (after a turn of the event loop when workers run); rejects with the first batch error.
   */
  ready(): Promise<void> {
    if (this.#failed) return Promise.reject(this.#error);
    if (this.#queue.length < this.maxBatchesInFlight) return this.#workers === undefined ? Promise.resolve() : nextTurn();
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  /**
   * Dispatches the whole chunks still gathered, waits until everything is emitted, closes the
   * workers and returns the bytes after the last whole chunk (less than one chunk).
   */
  async finish(): Promise<Uint8Array> {
    this.#check();
    this.#finished = true;
    const count = Math.floor(this.#fill / this.#unit);
    const rest = this.#batch?.slice(count * this.#unit, this.#fill) ?? new Uint8Array(0);
    if (count > 0) this.#dispatch(count);
    while (this.#queue.length > 0) {
      await new Promise<void>((resolve, reject) => this.#waiters.push({ resolve, reject }));
    }
    if (this.#failed) throw this.#error;
    this.#release(false);
    return rest;
  }

  /** Abandons the work: terminates the workers, zeroes gathered input and unreleased output. */
  dispose(): void {
    if (!this.#failed) {
      this.#failed = true;
      this.#error = new StateError('parallel chunk processing was disposed');
    }
    this.#release(true);
  }

  #check(): void {
    if (this.#failed) throw this.#error;
    if (this.#finished) throw new StateError('parallel chunk processing already finished');
  }

  /** Reserves `count` chunk indices; returns the first. */
  #take(count: number): number {
    const index = this.#index;
    this.#index += count;
    return index;
  }

  #startWorkers(): void {
    const pool = this.#concurrency;
    if (pool instanceof ChunkWorkerPool) {
      const threads = poolThreads(pool);
      if (!threads.closed) this.#workers = new ChunkWorkers(this.#keys, threads, this.#batchBytes);
    } else if (this.#workerCount > 0) {
      this.#workers = new ChunkWorkers(this.#keys, this.#workerCount, this.#batchBytes);
    }
  }

  #workerHasRoom(): boolean {
    return this.#workers?.hasRoom ?? false;
  }

  /** Sends the first `count` chunks of the gathered batch to a worker, or processes them here. */
  #dispatch(count: number): void {
    const batch = this.#batch!;
    const index = this.#take(count);
    const length = count * this.#unit;
    if (!this.#workerHasRoom()) {
      this.#runHere(batch.subarray(0, length), index, count);
      this.#fill = 0;
      return;
    }
    const entry: Entry = { done: false, pieces: undefined, error: undefined };
    this.#queue.push(entry);
    this.#batch = undefined; // transferred
    this.#fill = 0;
    this.#workers!.submit(this.#op, index, batch, length, (error, pieces) => {
      entry.done = true;
      entry.error = error;
      entry.pieces = pieces;
      this.#drain();
    });
  }

  /** Seals or opens `count` chunks from `input` on this thread; queues the result in order. */
  #runHere(input: Uint8Array, index: number, count: number): void {
    const entry: Entry = { done: true, pieces: [], error: undefined };
    const pieces = entry.pieces!;
    try {
      for (let j = 0; j < count; j++) {
        if (this.#op === 'seal') {
          const sealed = sealChunkDetached(this.#keys, index + j, input.subarray(j * CHUNK_SIZE, (j + 1) * CHUNK_SIZE));
          pieces.push(sealed.ciphertext, sealed.tag);
        } else {
          pieces.push(openChunk(this.#keys, index + j, input.subarray(j * SEALED_CHUNK_SIZE, (j + 1) * SEALED_CHUNK_SIZE)));
        }
      }
    } catch (error) {
      if (this.#op === 'open') zeroize(...pieces); // verified but never released: the batch fails as a whole
      entry.pieces = undefined;
      entry.error = error as Error;
    }
    this.#queue.push(entry);
    this.#drain();
  }

  /** Emits finished batches from the head of the queue, in order; the first error fails all. */
  #drain(): void {
    if (this.#failed) return;
    while (this.#queue.length > 0 && this.#queue[0]!.done) {
      const entry = this.#queue.shift()!;
      if (entry.error !== undefined) {
        this.#fail(entry.error);
        return;
      }
      try {
        this.#emit(entry.pieces!);
      } catch (error) {
        this.#fail(error);
        return;
      }
    }
    if (this.#queue.length < this.maxBatchesInFlight) {
      const waiters = this.#waiters;
      this.#waiters = [];
      for (const waiter of waiters) waiter.resolve();
    }
  }

  #fail(error: unknown): void {
    this.#failed = true;
    this.#error = error;
    this.#release(true);
  }

  /** Ends the workers (terminated on failure) and zeroes what is left; wakes waiters. */
  #release(failed: boolean): void {
    if (failed) this.#workers?.destroy();
    else this.#workers?.close();
    this.#workers = undefined;
    zeroize(this.#batch);
    this.#batch = undefined;
    this.#fill = 0;
    if (this.#op === 'open') for (const entry of this.#queue) zeroize(...(entry.pieces ?? []));
    this.#queue.length = 0;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) {
      if (this.#failed) waiter.reject(this.#error);
      else waiter.resolve();
    }
  }
}
