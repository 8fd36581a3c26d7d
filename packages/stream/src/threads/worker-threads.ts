/**
 * The worker threads behind a {@link ChunkWorkerPool} (or behind one message's own workers):
 * starting them, handing each message's keys to them as a numbered lane, sending batches to a
 * running thread with room, routing replies back, and ending the threads. Threads are referenced
 * (keep the process alive) only while some lane is open.
 *
 * @module
 */
import { Worker } from 'node:worker_threads';
import { AuthenticationError, StateError } from '@dek/core';
import type { ChunkKeys } from '@dek/core';
import { CHUNK_WORKER_SOURCE } from './chunk-worker-source.js';

/**
 * Batches sent to one thread at a time. One: the calling thread seals or opens the next batch
 * itself meanwhile, and every batch kept in flight costs memory (its output outlives young
 * garbage collections); two measured no faster here.
 */
export const JOBS_PER_THREAD = 1;

/** What a batch is: sealing plaintext chunks or opening sealed ones. */
export type ChunkOperation = 'seal' | 'open';

/**
 * Called once per batch: its output pieces (sealed chunks, or plaintext) or the typed error of the
 * batch, and the input buffer back for reuse (undefined when the thread died with it).
 */
export type BatchCallback = (error: Error | undefined, pieces: Uint8Array[] | undefined, input: ArrayBuffer | undefined) => void;

interface Reply {
  readonly id: number;
  readonly input: ArrayBuffer;
  readonly outputs?: readonly ArrayBuffer[];
  readonly failedChunk?: number;
}

interface Thread {
  readonly worker: Worker;
  /** Batches sent and not answered, by job id. */
  readonly jobs: Map<number, BatchCallback>;
  /** Set once the thread runs: batches go only to running threads, never wait for a start. */
  online: boolean;
  /** Set once the thread errored or exited: it takes no more batches. */
  dead: boolean;
}

/** Worker threads that seal and open batches of chunks for any number of lanes. */
export class WorkerThreads {
  readonly #threads: Thread[] = [];
  #nextLane = 0;
  #nextJob = 0;
  #openLanes = 0;
  #closed = false;

  /** Starts `count` threads (unreferenced until a lane opens). */
  constructor(count: number) {
    for (let i = 0; i < count; i++) {
      const worker = new Worker(CHUNK_WORKER_SOURCE, { eval: true });
      const thread: Thread = { worker, jobs: new Map(), online: false, dead: false };
      worker.unref();
      worker.once('online', () => {
        thread.online = true;
      });
      worker.on('message', (reply: Reply) => this.#onReply(thread, reply));
      worker.on('error', (error) => this.#onDeath(thread, error));
      worker.on('exit', () => this.#onDeath(thread, undefined));
      this.#threads.push(thread);
    }
  }

  /** True when some running thread can take a batch now. */
  get hasRoom(): boolean {
    return this.#freeThread() !== undefined;
  }

  /** True once closed or terminated: no batch goes to the threads any more. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Hands a copy of the chunk keys to every thread under a new lane number; returns it. Needs an open pool. */
  openLane(keys: ChunkKeys): number {
    if (this.#closed) throw new StateError('the worker pool is closed', { field: 'concurrency' });
    const lane = this.#nextLane++;
    for (const thread of this.#threads) {
      if (thread.dead) continue;
      const key = new Uint8Array(keys.aeadKey).buffer;
      const nonce = new Uint8Array(keys.baseNonce).buffer;
      thread.worker.postMessage({ type: 'keys', lane, key, nonce }, [key, nonce]);
    }
    if (this.#openLanes++ === 0) for (const thread of this.#threads) thread.worker.ref();
    return lane;
  }

  /** Makes every thread zero and drop a lane's keys. Batches of the lane still running are answered to nobody. */
  closeLane(lane: number, pending: readonly number[]): void {
    for (const thread of this.#threads) {
      for (const id of pending) thread.jobs.delete(id);
      if (!thread.dead && !this.#closed) thread.worker.postMessage({ type: 'forget', lane });
    }
    if (--this.#openLanes === 0) for (const thread of this.#threads) thread.worker.unref();
  }

  /**
   * Sends the first `length` bytes of `input` (transferred: unusable afterwards) as a batch of lane
   * `lane` starting at chunk `index`; returns the job id. Needs {@link WorkerThreads.hasRoom}.
   */
  submit(lane: number, op: ChunkOperation, index: number, input: Uint8Array, length: number, done: BatchCallback): number {
    const thread = this.#freeThread();
    if (thread === undefined) throw new StateError('no worker thread can take a batch now');
    const id = this.#nextJob++;
    thread.jobs.set(id, done);
    const buffer = input.buffer as ArrayBuffer; // never a shared buffer: the caller allocated it
    thread.worker.postMessage({ type: 'job', lane, id, op, index, input: buffer, length }, [buffer]);
    return id;
  }

  /** Zeroes every key the threads hold and lets them exit; resolves once they have. */
  close(): Promise<void> {
    const exits = this.#threads.map((t) => (t.dead ? Promise.resolve() : new Promise<void>((resolve) => t.worker.once('exit', () => resolve()))));
    if (!this.#closed) {
      this.#closed = true;
      for (const thread of this.#threads) {
        this.#fail(thread, new StateError('the worker pool was closed', { field: 'concurrency' }));
        if (thread.dead) continue;
        thread.worker.ref(); // so that whoever awaits close() sees the exits
        thread.worker.postMessage({ type: 'close' });
      }
    }
    return Promise.all(exits).then(() => undefined);
  }

  /** Ends the threads at once (error paths). */
  terminate(): void {
    this.#closed = true;
    for (const thread of this.#threads) {
      this.#fail(thread, new StateError('the worker pool was terminated', { field: 'concurrency' }));
      if (!thread.dead) void thread.worker.terminate();
    }
  }

  #freeThread(): Thread | undefined {
    if (this.#closed) return undefined;
    let best: Thread | undefined;
    for (const thread of this.#threads) {
      if (!thread.online || thread.dead || thread.jobs.size >= JOBS_PER_THREAD) continue;
      if (best === undefined || thread.jobs.size < best.jobs.size) best = thread;
    }
    return best;
  }

  #onReply(thread: Thread, reply: Reply): void {
    const done = thread.jobs.get(reply.id);
    if (done === undefined) {
      // Nobody waits (lane closed): the buffers may hold plaintext.
      new Uint8Array(reply.input).fill(0);
      for (const output of reply.outputs ?? []) new Uint8Array(output).fill(0);
      return;
    }
    thread.jobs.delete(reply.id);
    if (reply.failedChunk !== undefined) {
      const index = reply.failedChunk;
      done(new AuthenticationError(`chunk ${index} failed authentication`, { chunkIndex: index }), undefined, reply.input);
      return;
    }
    done(undefined, reply.outputs!.map((output) => new Uint8Array(output)), reply.input);
  }

  /** A thread errored or exited: it takes no more batches; its batches fail. */
  #onDeath(thread: Thread, error: Error | undefined): void {
    thread.dead = true;
    this.#fail(thread, new StateError('a chunk worker thread failed', { field: 'concurrency' }, { cause: error }));
  }

  #fail(thread: Thread, error: Error): void {
    const jobs = [...thread.jobs.values()];
    thread.jobs.clear();
    for (const done of jobs) done(error, undefined, undefined);
  }
}
