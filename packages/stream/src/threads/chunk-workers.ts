/**
 * One message's use of worker threads: its lane (its keys on every thread), its reusable input
 * buffers and its batches in flight. The threads are either the message's own (started for it,
 * zeroed and ended with it) or those of a shared {@link ChunkWorkerPool} (the lane's keys are
 * zeroed when the message ends; the threads stay for the next message).
 *
 * @module
 */
import type { ChunkKeys } from '@dek/core';
import { WorkerThreads } from './worker-threads.js';
import type { BatchCallback, ChunkOperation } from './worker-threads.js';

export { JOBS_PER_THREAD } from './worker-threads.js';
export type { ChunkOperation } from './worker-threads.js';

/** Worker threads for one message; see the module comment. */
export class ChunkWorkers {
  readonly #threads: WorkerThreads;
  readonly #owned: boolean;
  readonly #lane: number;
  readonly #inputs: ArrayBuffer[] = [];
  readonly #inputSize: number;
  readonly #pending = new Set<number>();
  #closed = false;

  /**
   * @param threads the shared threads to use, or the number of threads to start for this message.
   * @param inputSize bytes of each input buffer (one batch).
   */
  constructor(keys: ChunkKeys, threads: WorkerThreads | number, inputSize: number) {
    this.#owned = typeof threads === 'number';
    this.#threads = typeof threads === 'number' ? new WorkerThreads(threads) : threads;
    this.#lane = this.#threads.openLane(keys);
    this.#inputSize = inputSize;
  }

  /** True when some running thread can take a batch now. */
  get hasRoom(): boolean {
    return !this.#closed && this.#threads.hasRoom;
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
    const id = this.#threads.submit(this.#lane, op, index, input, length, (error, pieces, back) => {
      this.#pending.delete(id);
      if (back !== undefined) {
        if (this.#closed) new Uint8Array(back).fill(0);
        else this.#inputs.push(back);
      }
      done(error, pieces, back);
    });
    this.#pending.add(id);
  }

  /** Done with the message: its keys are zeroed on every thread; its own threads end. */
  close(): void {
    this.#end(false);
  }

  /** Failed or abandoned: like close(), but the message's own threads are terminated at once. */
  destroy(): void {
    this.#end(true);
  }

  #end(abort: boolean): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#owned) {
      if (abort) this.#threads.terminate();
      else void this.#threads.close();
    } else {
      this.#threads.closeLane(this.#lane, [...this.#pending]);
    }
    this.#pending.clear();
    // Input buffers may hold plaintext (sealing).
    for (const buffer of this.#inputs) new Uint8Array(buffer).fill(0);
    this.#inputs.length = 0;
  }
}
