/**
 * Test helpers: deterministic bytes, splitting input into writes, and running Node / Web
 * transforms while collecting what they emitted before any error.
 */
import { Readable, Writable } from 'node:stream';
import type { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** Deterministic pseudo-random bytes (xorshift32), so failures reproduce from the fc seed. */
export function pseudoRandomBytes(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 0x9e3779b9;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Splits `bytes` into writes whose sizes cycle through `sizes` (each >= 1). */
export function splitBy(bytes: Uint8Array, sizes: readonly number[]): Uint8Array[] {
  const parts: Uint8Array[] = [];
  let i = 0;
  for (let at = 0; at < bytes.length; i++) {
    const size = Math.max(1, sizes[i % sizes.length] ?? bytes.length);
    parts.push(bytes.slice(at, at + size));
    at += size;
  }
  return parts;
}

/** Concatenates arrays. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** What a stream run produced: everything emitted, and the error if it failed. */
export interface RunResult {
  readonly output: Uint8Array;
  readonly error: unknown;
  /** Whether the readable side ended cleanly ('end' or close without error). */
  readonly ended: boolean;
}

/** Pipes `inputs` through a Node transform into a collector. */
export async function runNode(transform: Transform, inputs: readonly Uint8Array[]): Promise<RunResult> {
  const chunks: Uint8Array[] = [];
  let ended = false;
  transform.on('end', () => {
    ended = true;
  });
  const sink = new Writable({
    write(chunk: Buffer, _enc, callback) {
      chunks.push(new Uint8Array(chunk));
      callback();
    },
  });
  let error: unknown;
  try {
    await pipeline(Readable.from(inputs.map((b) => Buffer.from(b.buffer, b.byteOffset, b.length))), transform, sink);
  } catch (e) {
    error = e;
  }
  return { output: concat(chunks), error, ended };
}

/** Feeds `inputs` through a Web TransformStream and collects the readable side. */
export async function runWeb(stream: TransformStream<Uint8Array, Uint8Array>, inputs: readonly Uint8Array[]): Promise<RunResult> {
  const chunks: Uint8Array[] = [];
  let error: unknown;
  let ended = false;
  const source = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const input of inputs) controller.enqueue(input);
      controller.close();
    },
  });
  try {
    const reader = source.pipeThrough(stream).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        ended = true;
        break;
      }
      chunks.push(value);
    }
  } catch (e) {
    error = e;
  }
  return { output: concat(chunks), error, ended };
}

/** Fast byte equality (vitest's deep equality walks typed arrays element by element). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}
