/**
 * Test helpers for the `concurrency` option: watch the worker threads the library starts (through
 * Node's built-in `worker_threads` diagnostics channel), count their replies, wait until they run,
 * and check that they all ended.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { once } from 'node:events';
import { Readable, Writable } from 'node:stream';
import type { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Worker } from 'node:worker_threads';
import { concat } from './streams.js';
import type { RunResult } from './streams.js';

/** Workers started while a tracker listens, and what they answered. */
export interface WorkerTracker {
  readonly workers: Worker[];
  /** Batches the workers finished (replies with output). */
  readonly batches: () => number;
  /** Chunk indices the workers reported as failing authentication. */
  readonly failedChunks: number[];
  /** Resolves once a worker beyond the first `since` was started and all those run. */
  readonly online: (since: number) => Promise<void>;
  readonly stop: () => void;
}

export function trackWorkers(): WorkerTracker {
  const workers: Worker[] = [];
  const running = new Set<Worker>();
  const failedChunks: number[] = [];
  let batches = 0;
  const onWorker = (message: unknown): void => {
    const worker = (message as { worker: Worker }).worker;
    workers.push(worker);
    worker.once('online', () => running.add(worker));
    worker.on('message', (reply: { outputs?: unknown; failedChunk?: number }) => {
      if (reply.outputs !== undefined) batches++;
      if (reply.failedChunk !== undefined) failedChunks.push(reply.failedChunk);
    });
  };
  subscribe('worker_threads', onWorker);
  return {
    workers,
    batches: () => batches,
    failedChunks,
    online: async (since) => {
      for (let turns = 0; workers.length <= since; turns++) {
        if (turns > 10_000) throw new Error('no worker was started');
        await new Promise((resolve) => setImmediate(resolve));
      }
      await Promise.all(workers.slice(since).filter((w) => !running.has(w)).map((w) => once(w, 'online')));
    },
    stop: () => unsubscribe('worker_threads', onWorker),
  };
}

/** True once every worker has exited (waits at most `ms`). */
export async function allExited(workers: readonly Worker[], ms = 10_000): Promise<boolean> {
  const exits = workers.map((w) => (w.threadId === -1 ? Promise.resolve() : once(w, 'exit').then(() => undefined)));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const done = await Promise.race([Promise.all(exits).then(() => true as const), timeout]);
  clearTimeout(timer);
  return done;
}

/**
 * Pipes `first`, then, once the workers run, `rest` through a Node transform, collecting the
 * output and the error: so that later batches really go to worker threads.
 */
export async function runWithWorkers(transform: Transform, tracker: WorkerTracker, first: Uint8Array, rest: readonly Uint8Array[]): Promise<RunResult> {
  const chunks: Uint8Array[] = [];
  let ended = false;
  transform.on('end', () => {
    ended = true;
  });
  const since = tracker.workers.length;
  async function* source(): AsyncGenerator<Buffer> {
    yield Buffer.from(first);
    await tracker.online(since);
    for (const piece of rest) yield Buffer.from(piece);
  }
  const sink = new Writable({
    write(chunk: Buffer, _enc, callback) {
      chunks.push(new Uint8Array(chunk));
      callback();
    },
  });
  let error: unknown;
  try {
    await pipeline(Readable.from(source()), transform, sink);
  } catch (e) {
    error = e;
  }
  return { output: concat(chunks), error, ended };
}
