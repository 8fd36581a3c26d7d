import { Readable, Writable } from 'node:stream';
import type { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { decryptStream, decryptWebStream, encrypt, encryptStream } from '@dek/stream';
import { FakeKms } from './support/fake-kms.js';
import { pseudoRandomBytes } from './support/streams.js';

const kms = new FakeKms();
const keyId = kms.createKey();
const TOTAL = 8 * 1024 * 1024;
const PIECE = 64 * 1024;
/** Generous bound on bytes in flight: a few high-water marks and pieces, far below TOTAL. */
const BOUND = 1024 * 1024;

/** A lazy source of `total` bytes in `piece`-sized reads, counting what it produced. */
function lazySource(bytes: Uint8Array | number, counter: { produced: number }): Readable {
  const total = typeof bytes === 'number' ? bytes : bytes.length;
  const block = pseudoRandomBytes(PIECE, 3);
  return new Readable({
    highWaterMark: PIECE,
    read() {
      if (counter.produced >= total) {
        this.push(null);
        return;
      }
      const n = Math.min(PIECE, total - counter.produced);
      const piece = typeof bytes === 'number' ? block.subarray(0, n) : bytes.subarray(counter.produced, counter.produced + n);
      counter.produced += n;
      this.push(Buffer.from(piece));
    },
  });
}

/** A slow sink: each write completes on a later turn of the event loop. */
function slowSink(counter: { consumed: number }, onWrite: () => void): Writable {
  return new Writable({
    highWaterMark: 16 * 1024,
    write(chunk: Buffer, _enc, callback) {
      counter.consumed += chunk.length;
      onWrite();
      setImmediate(callback);
    },
  });
}

async function measure(transform: Transform, source: Uint8Array | number): Promise<{ maxInFlight: number; maxBuffered: number; consumed: number }> {
  const counter = { produced: 0, consumed: 0 };
  let maxInFlight = 0;
  let maxBuffered = 0;
  const sink = slowSink(counter, () => {
    maxInFlight = Math.max(maxInFlight, counter.produced - counter.consumed);
    maxBuffered = Math.max(maxBuffered, transform.writableLength + transform.readableLength);
  });
  await pipeline(lazySource(source, counter), transform, sink);
  return { maxInFlight, maxBuffered, consumed: counter.consumed };
}

describe('backpressure', () => {
  it('encryptStream with a slow consumer keeps the bytes in flight bounded', async () => {
    const { maxInFlight, maxBuffered, consumed } = await measure(encryptStream({ kms, keyId }), TOTAL);
    expect(consumed).toBeGreaterThan(TOTAL);
    expect(maxInFlight).toBeLessThan(BOUND);
    expect(maxBuffered).toBeLessThan(BOUND);
  });

  it('decryptStream with a slow consumer keeps the bytes in flight bounded', async () => {
    const envelope = await encrypt(new Uint8Array(TOTAL), { kms, keyId });
    const { maxInFlight, maxBuffered, consumed } = await measure(decryptStream({ kms }), envelope);
    expect(consumed).toBe(TOTAL);
    expect(maxInFlight).toBeLessThan(BOUND);
    expect(maxBuffered).toBeLessThan(BOUND);
  });

  it('decryptWebStream pulls from its source only as the reader asks', async () => {
    const envelope = await encrypt(pseudoRandomBytes(2 * 1024 * 1024, 5), { kms, keyId });
    let pulled = 0;
    const source = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          if (pulled >= envelope.length) {
            controller.close();
            return;
          }
          const n = Math.min(PIECE, envelope.length - pulled);
          controller.enqueue(envelope.slice(pulled, pulled + n));
          pulled += n;
        },
      },
      { highWaterMark: 0 },
    );
    const reader = source.pipeThrough(decryptWebStream({ kms })).getReader();
    let read = 0;
    let maxAhead = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      read += value.length;
      maxAhead = Math.max(maxAhead, pulled - read);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(read).toBe(2 * 1024 * 1024);
    expect(maxAhead).toBeLessThan(BOUND);
  });
});
