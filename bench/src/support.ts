/**
 * Shared pieces of the benchmarks: sizes, an in-memory LocalKms key, a Readable over a buffer,
 * a Readable that repeats a block, and a sink that drops what it gets.
 */
import { Readable, Writable } from 'node:stream';
import { LocalKms } from '@dek/kms-adapter';

export const MiB = 1024 * 1024;
/** Stream buffering used everywhere (see reference/performance.md: 1 MiB, not Node's 64 KiB). */
export const HIGH_WATER_MARK = MiB;

/** An in-memory LocalKms with one key. */
export async function localKey(): Promise<{ kms: LocalKms; keyId: string }> {
  const kms = new LocalKms();
  const { keyMetadata } = await kms.createKey();
  return { kms, keyId: keyMetadata.keyId };
}

/** Reads `bytes` in 1 MiB views (no copies). */
export function bufferSource(bytes: Uint8Array): Readable {
  let at = 0;
  return new Readable({
    highWaterMark: HIGH_WATER_MARK,
    read() {
      if (at >= bytes.length) {
        this.push(null);
        return;
      }
      this.push(bytes.subarray(at, at + HIGH_WATER_MARK));
      at += HIGH_WATER_MARK;
    },
  });
}

/** Produces `total` bytes by repeating `block` (a generated source, nothing is stored). */
export function repeatingSource(block: Uint8Array, total: number): Readable {
  let produced = 0;
  return new Readable({
    highWaterMark: HIGH_WATER_MARK,
    read() {
      if (produced >= total) {
        this.push(null);
        return;
      }
      const n = Math.min(block.length, total - produced);
      produced += n;
      this.push(block.subarray(0, n));
    },
  });
}

/** A Writable that drops everything; `received()` tells how many bytes came. */
export function nullSink(): Writable & { received(): number } {
  let received = 0;
  const sink = new Writable({
    highWaterMark: HIGH_WATER_MARK,
    write(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      callback();
    },
    writev(chunks, callback) {
      for (const { chunk } of chunks) received += (chunk as Buffer).length;
      callback();
    },
  });
  return Object.assign(sink, { received: () => received });
}
