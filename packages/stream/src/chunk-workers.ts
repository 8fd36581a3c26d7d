/**
 * A small pool of worker threads that seal or open batches of whole chunks under one message's
 * chunk keys. A worker takes batches once its thread runs (starting one takes tens of
 * milliseconds, which the caller spends working itself); it holds at most {@link JOBS_PER_WORKER}; input buffers travel by
 * transfer and come back for reuse; results arrive through callbacks, in completion order (the
 * caller restores the stream order). The pool belongs to one message: `close()` zeroes the
 * workers' keys and ends them, `destroy()` terminates them at once.
 *
 * @module
 */
import { Worker } from 'node:worker_threads';
import { AuthenticationError, StateError } from '@dek/core';
import type { ChunkKeys } from '@dek/core';
import { CHUNK_WORKER_SOURCE } from './chunk-worker-source.js';

/** Batches queued on one worker at most: one running, one waiting, so it never idles. */
export const JOBS_PER_WORKER = 2;

/** What a batch is: sealing plaintext chunks or opening sealed ones. */
export type ChunkOperation = 'seal' | 'open';

/**
 * Called once per batch: its output pieces (each chunk's ciphertext and tag, or each chunk's
 * plaintext), or the typed error of the batch.
 */
export type BatchCallback = (error: Error | undefined, pieces: Uint8Array[] | undefined) => void;

interface WorkerReply {
  readonly id: number;
  readonly input: ArrayBuffer;
  readonly outputs?: readonly ArrayBuffer[];
  readonly failedChunk?: number;
}

interface Slot {
  readonly worker: Worker;
  readonly jobs: Map<number, BatchCallback>;
  /** Set once the thread runs: batches go only to running workers, never wait for a start. */
  online: boolean;
  /** Set once the worker errored or exited: it takes no more batches. */
  dead: boolean;
}

/** Worker threads for one message; see the module comment. */
export class ChunkWorkers {
  readonly #slots: Slot[] = [];
  readonly #inputs: ArrayBuffer[] = [];
  readonly #inputSize: number;
  #nextId = 0;
  #closed = false;

  /**
   * Starts `count` workers and hands each a copy of the chunk key and base nonce.
   * @param inputSize bytes of each input buffer (one batch).
   */
  constructor(keys: ChunkKeys, count: number, inputSize: number) {
    this.#inputSize = inputSize;
    for (let i = 0; i < count; i++) {
      const worker = new Worker(CHUNK_WORKER_SOURCE, { eval: true });
      const slot: Slot = { worker, jobs: new Map(), online: false, dead: false };
      const key = new Uint8Array(keys.aeadKey).buffer;
      const nonce = new Uint8Array(keys.baseNonce).buffer;
      worker.postMessage({ type: 'keys', key, nonce }, [key, nonce]);
      worker.once('online', () => {
        slot.online = true;
      });
      worker.on('message', (reply: WorkerReply) => this.#onReply(slot, reply));
      worker.on('error', (error) => this.#onFailure(slot, error));
      worker.on('exit', () => this.#onFailure(slot, undefined));
      this.#slots.push(slot);
    }
  }

  /** True when some running worker can take a batch now. */
  get hasRoom(): boolean {
    return this.#freeSlot() !== undefined;
  }

  /** An input buffer of `inputSize` bytes to fill, reused when one came back. */
  takeInput(): Uint8Array {
    return new Uint8Array(this.#inputs.pop() ?? new ArrayBuffer(this.#inputSize));
  }

  /**
   * Sends the first `length` bytes of `input` (from {@link ChunkWorkers.takeInput}; transferred,
   * so unusable afterwards) as a batch starting at chunk `index`. Needs {@link ChunkWorkers.hasRoom}.
   */
  submit(op: ChunkOperation, index: number, input: Uint8Array, length: number, done: BatchCallback): void {
    const slot = this.#freeSlot();
    if (slot === undefined || this.#closed) throw new StateError('no chunk worker can take a batch now');
    const id = this.#nextId++;
    slot.jobs.set(id, done);
    const buffer = input.buffer as ArrayBuffer; // from takeInput(): never shared
    slot.worker.postMessage({ type: 'job', id, op, index, input: buffer, length }, [buffer]);
  }

  /** Zeroes the workers' keys and lets them exit; batches still running are dropped. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const slot of this.#slots) {
      slot.jobs.clear();
      slot.worker.postMessage({ type: 'close' });
      slot.worker.unref();
    }
    this.#zeroInputs();
  }

  /** Terminates the workers at once (error paths); batches still running are dropped. */
  destroy(): void {
    const wasClosed = this.#closed;
    this.#closed = true;
    for (const slot of this.#slots) {
      slot.jobs.clear();
      if (!wasClosed) void slot.worker.terminate();
    }
    this.#zeroInputs();
  }

  #freeSlot(): Slot | undefined {
    let best: Slot | undefined;
    for (const slot of this.#slots) {
      if (!slot.online || slot.dead || slot.jobs.size >= JOBS_PER_WORKER) continue;
      if (best === undefined || slot.jobs.size < best.jobs.size) best = slot;
    }
    return best;
  }

  #onReply(slot: Slot, reply: WorkerReply): void {
    const done = slot.jobs.get(reply.id);
    if (this.#closed) {
      new Uint8Array(reply.input).fill(0);
      for (const output of reply.outputs ?? []) new Uint8Array(output).fill(0);
      return;
    }
    this.#inputs.push(reply.input);
    if (done === undefined) return;
    slot.jobs.delete(reply.id);
    if (reply.failedChunk !== undefined) {
      const index = reply.failedChunk;
      done(new AuthenticationError(`chunk ${index} failed authentication`, { chunkIndex: index }), undefined);
      return;
    }
    done(undefined, reply.outputs!.map((output) => new Uint8Array(output)));
  }

  /** A worker died (error, or exit before close): never use it again, fail its batches. */
  #onFailure(slot: Slot, error: Error | undefined): void {
    slot.dead = true;
    if (this.#closed || slot.jobs.size === 0) return;
    const failure = new StateError('a chunk worker thread failed', { field: 'concurrency' }, { cause: error });
    const jobs = [...slot.jobs.values()];
    slot.jobs.clear();
    for (const done of jobs) done(failure, undefined);
  }

  /** Input buffers may hold plaintext (sealing): zero the ones the pool still has. */
  #zeroInputs(): void {
    for (const buffer of this.#inputs) new Uint8Array(buffer).fill(0);
    this.#inputs.length = 0;
  }
}
