/**
 * The `concurrency` option: output byte-identical to a single thread, the same typed errors,
 * plaintext released only from verified batches, bounded memory, workers ended on success and on
 * failure, and the worker code running from `dist` under plain node too.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuthenticationError, DekError, readPrelude } from '@dek/core';
import type { KeySlot } from '@dek/core';
import { ChunkWorkerPool, EnvelopeEncryptor, decrypt, decryptStream, encrypt, encryptStream, leaseOf } from '@dek/stream';
import type { DataKeyProvider } from '@dek/stream';
import { FakeKms } from './support/fake-kms.js';
import { concat, pseudoRandomBytes, runNode, sameBytes, splitBy } from './support/streams.js';
import { allExited, runWithWorkers, trackWorkers } from './support/workers.js';
import type { WorkerTracker } from './support/workers.js';

const CHUNK = 16384;
const SEALED = 16400;
const MiB = 1024 * 1024;

const kms = new FakeKms();
const keyId = kms.createKey();
const context = { purpose: 'parallel' };

/** A provider that always hands out the same data key: so that outputs can be compared. */
const dataKey = pseudoRandomBytes(32, 7);
const slots: KeySlot[] = [{ kms: 'local', keyId: 'key-fixed', blob: pseudoRandomBytes(40, 8) }];
const fixedKeys: DataKeyProvider = { acquire: async () => leaseOf(dataKey.slice(), slots) };

/** What a single thread makes of `plaintext` with the salt `envelope` carries. */
function singleThreadEnvelope(plaintext: Uint8Array, envelope: Uint8Array): Uint8Array {
  const at = readPrelude(envelope).headerLength;
  const salt = envelope.slice(at, at + 24);
  const encryptor = new EnvelopeEncryptor({ lease: leaseOf(dataKey.slice(), slots), salt, context });
  return concat([...encryptor.write(plaintext), ...encryptor.end()]);
}

let tracker: WorkerTracker;
beforeEach(() => {
  tracker = trackWorkers();
});
afterEach(async () => {
  tracker.stop();
  expect(await allExited(tracker.workers)).toBe(true);
});

describe('concurrency: encryption', () => {
  it('one-shot encrypt() gives the single-thread bytes, for sizes around the batch and chunk edges', async () => {
    for (const [length, concurrency] of [
      [MiB + 1, 2],
      [2 * MiB, 2],
      [3 * MiB + 16384 * 3 + 5, 3],
    ] as const) {
      const plaintext = pseudoRandomBytes(length, length);
      const envelope = await encrypt(plaintext, { kms, keyId, context, dataKeys: fixedKeys, concurrency });
      expect(sameBytes(envelope, singleThreadEnvelope(plaintext, envelope))).toBe(true);
    }
  });

  it('encryptStream with workers running gives the single-thread bytes for any write split', async () => {
    const plaintext = pseudoRandomBytes(5 * MiB + 12345, 3);
    const first = plaintext.subarray(0, MiB + 100);
    const rest = splitBy(plaintext.subarray(MiB + 100), [300_000, 1, 1_500_000, 16384, 777]);
    const run = await runWithWorkers(encryptStream({ kms, keyId, context, dataKeys: fixedKeys, concurrency: 2 }), tracker, first, rest);
    expect(run.error).toBeUndefined();
    expect(run.ended).toBe(true);
    expect(tracker.batches()).toBeGreaterThan(0); // worker threads did seal batches
    expect(sameBytes(run.output, singleThreadEnvelope(plaintext, run.output))).toBe(true);
  });

  it('small messages never start a worker', async () => {
    const plaintext = pseudoRandomBytes(MiB - 1, 4);
    const streamed = await runNode(encryptStream({ kms, keyId, context, dataKeys: fixedKeys, concurrency: 4 }), [plaintext]);
    expect(sameBytes(streamed.output, singleThreadEnvelope(plaintext, streamed.output))).toBe(true);
    const empty = await encrypt(new Uint8Array(0), { kms, keyId, concurrency: 2 });
    expect((await decrypt(empty, { kms, concurrency: 2 })).length).toBe(0);
    expect(tracker.workers).toHaveLength(0);
  });
});

describe('concurrency: decryption', () => {
  let plaintext: Uint8Array;
  let envelope: Uint8Array;
  let chunksStart: number;
  beforeAll(async () => {
    plaintext = pseudoRandomBytes(4 * MiB + 1000, 5);
    envelope = await encrypt(plaintext, { kms, keyId, context });
    chunksStart = readPrelude(envelope).headerLength + 56;
  });

  /**
   * Splits an envelope so that the first write completes one batch (the opener keeps its last 64
   * bytes back) and workers run for the rest.
   */
  function withWorkers(bytes: Uint8Array, concurrency = 2): ReturnType<typeof runWithWorkers> {
    const cut = chunksStart + 64 * SEALED + 100;
    const rest = splitBy(bytes.subarray(cut), [MiB, 5, 200_000]);
    return runWithWorkers(decryptStream({ kms, concurrency }), tracker, bytes.subarray(0, cut), rest);
  }

  it('one-shot and stream decryption give the plaintext, from any encryptor', async () => {
    const parallel = await encrypt(plaintext, { kms, keyId, context, concurrency: 2 });
    for (const source of [envelope, parallel]) {
      expect(sameBytes(await decrypt(source, { kms, concurrency: 2 }), plaintext)).toBe(true);
      const before = tracker.batches();
      const run = await withWorkers(source, 3);
      expect(run.error).toBeUndefined();
      expect(run.ended).toBe(true);
      expect(sameBytes(run.output, plaintext)).toBe(true);
      expect(tracker.batches()).toBeGreaterThan(before); // worker threads did open batches
    }
  });

  it('a chunk a worker finds altered fails with its index; only earlier verified batches came out', async () => {
    const bad = envelope.slice();
    const index = 70; // in the second batch, the first one a running worker takes
    bad[chunksStart + index * SEALED + 3]! ^= 1;
    const run = await withWorkers(bad);
    expect(run.error).toBeInstanceOf(AuthenticationError);
    expect((run.error as AuthenticationError).details.chunkIndex).toBe(index);
    expect(tracker.failedChunks).toContain(index);
    expect(run.ended).toBe(false);
    expect(run.output.length % CHUNK).toBe(0);
    expect(run.output.length).toBeLessThanOrEqual(index * CHUNK);
    expect(sameBytes(run.output, plaintext.subarray(0, run.output.length))).toBe(true);
  });

  it('a chunk this thread finds altered fails the same way, releasing nothing of its batch', async () => {
    const bad = envelope.slice();
    bad[chunksStart + 5 * SEALED + 100]! ^= 0x80;
    const run = await withWorkers(bad);
    expect(run.error).toBeInstanceOf(AuthenticationError);
    expect((run.error as AuthenticationError).details.chunkIndex).toBe(5);
    expect(run.output.length).toBe(0);
  });

  it('throws the single-thread error for truncation, trailing data and alterations anywhere', async () => {
    const altered = (offset: number): Uint8Array => {
      const copy = envelope.slice();
      copy[offset]! ^= 1;
      return copy;
    };
    const cases = [
      envelope.subarray(0, chunksStart + 100 * SEALED), // cut at a chunk boundary
      envelope.subarray(0, chunksStart + 100 * SEALED + 77), // cut inside a chunk
      envelope.subarray(0, envelope.length - 1),
      concat([envelope, new Uint8Array(1)]), // trailing byte
      concat([envelope, envelope.subarray(chunksStart, chunksStart + SEALED)]), // a whole extra chunk
      altered(chunksStart + 200 * SEALED), // a late chunk
      altered(envelope.length - 2), // the final chunk's tag
      altered(chunksStart - 10), // the commitment
      altered(20), // the header body
      envelope.subarray(0, chunksStart - 30), // cut inside the payload header
    ];
    for (const input of cases) {
      const single = await decrypt(input, { kms }).then(
        () => undefined,
        (e: unknown) => e,
      );
      const parallel = await decrypt(input, { kms, concurrency: 2 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(single).toBeInstanceOf(DekError);
      expect(parallel).toBeInstanceOf((single as DekError).constructor);
      expect((parallel as DekError).code).toBe((single as DekError).code);
      expect((parallel as DekError).details.chunkIndex).toBe((single as DekError).details.chunkIndex);
    }
  });
});

describe('concurrency: a shared ChunkWorkerPool', () => {
  it('serves many messages, one after another and at once, with the single-thread bytes', async () => {
    const pool = new ChunkWorkerPool({ threads: 2 });
    try {
      expect(pool.threads).toBe(2);
      expect(tracker.workers).toHaveLength(2);
      await tracker.online(0);
      const plaintexts = [3 * MiB + 5, 2 * MiB, 5 * MiB - 1].map((n, i) => pseudoRandomBytes(n, 20 + i));
      const fixed = await encrypt(plaintexts[0]!, { kms, keyId, context, dataKeys: fixedKeys, concurrency: pool });
      expect(sameBytes(fixed, singleThreadEnvelope(plaintexts[0]!, fixed))).toBe(true);
      const sealed: Uint8Array[] = [];
      for (const plaintext of plaintexts) sealed.push(await encrypt(plaintext, { kms, keyId, context, concurrency: pool }));
      const opened = await Promise.all(sealed.map((envelope) => decrypt(envelope, { kms, concurrency: pool })));
      opened.forEach((plaintext, i) => expect(sameBytes(plaintext, plaintexts[i]!)).toBe(true));
      const streamed = await runNode(decryptStream({ kms, concurrency: pool }), splitBy(sealed[2]!, [MiB, 3, 700_000]));
      expect(sameBytes(streamed.output, plaintexts[2]!)).toBe(true);
      expect(tracker.batches()).toBeGreaterThan(0);
      expect(tracker.workers).toHaveLength(2); // no thread started per message
    } finally {
      await pool.close();
    }
  });

  it('stays usable after a message fails, and runs later messages on the calling thread once closed', async () => {
    const pool = new ChunkWorkerPool({ threads: 1 });
    const plaintext = pseudoRandomBytes(4 * MiB, 30);
    const envelope = await encrypt(plaintext, { kms, keyId, context });
    try {
      await tracker.online(0);
      const bad = envelope.slice();
      bad[bad.length - 100 * SEALED]! ^= 1;
      await expect(decrypt(bad, { kms, concurrency: pool })).rejects.toBeInstanceOf(AuthenticationError);
      expect(sameBytes(await decrypt(envelope, { kms, concurrency: pool }), plaintext)).toBe(true);
    } finally {
      await pool.close();
    }
    expect(await allExited(tracker.workers)).toBe(true);
    expect(sameBytes(await decrypt(envelope, { kms, concurrency: pool }), plaintext)).toBe(true);
    expect(tracker.workers).toHaveLength(1);
  });

  it('refuses a bad thread count (ArgumentError naming the field)', () => {
    for (const threads of [0, 64, 1.5]) {
      expect(() => new ChunkWorkerPool({ threads })).toThrow(expect.objectContaining({ code: 'DEK_ARGUMENT', details: { field: 'threads' } }));
    }
  });
});

describe('concurrency: limits and checks', () => {
  it('keeps the bytes in flight bounded with a slow consumer', async () => {
    const { Readable, Writable } = await import('node:stream');
    const { pipeline } = await import('node:stream/promises');
    const total = 24 * MiB;
    const block = pseudoRandomBytes(MiB, 9);
    let produced = 0;
    let consumed = 0;
    let maxInFlight = 0;
    const source = new Readable({
      highWaterMark: MiB,
      read() {
        if (produced >= total) return void this.push(null);
        produced += MiB;
        this.push(Buffer.from(block));
      },
    });
    const sink = new Writable({
      highWaterMark: 64 * 1024,
      write(chunk: Buffer, _enc, callback) {
        consumed += chunk.length;
        maxInFlight = Math.max(maxInFlight, produced - consumed);
        setImmediate(callback);
      },
    });
    await pipeline(source, encryptStream({ kms, keyId, concurrency: 2, highWaterMark: MiB }), sink);
    expect(consumed).toBeGreaterThan(total);
    expect(maxInFlight).toBeLessThan(12 * MiB); // a few batches and high-water marks, far below the total
  });

  it('refuses a bad concurrency before any KMS call (ArgumentError naming the field)', async () => {
    for (const concurrency of [0, 1.5, 65, '2', Number.NaN]) {
      const options = { kms, keyId, concurrency: concurrency as number };
      expect(() => encryptStream(options)).toThrow(expect.objectContaining({ code: 'DEK_ARGUMENT', details: { field: 'concurrency' } }));
      expect(() => decryptStream({ kms, concurrency: concurrency as number })).toThrow(expect.objectContaining({ details: { field: 'concurrency' } }));
      await expect(encrypt(new Uint8Array(1), options)).rejects.toMatchObject({ details: { field: 'concurrency' } });
      await expect(decrypt(new Uint8Array(1), { kms, concurrency: concurrency as number })).rejects.toMatchObject({ details: { field: 'concurrency' } });
    }
  });
});

describe('concurrency: the worker code from dist under plain node', () => {
  const root = resolve(import.meta.dirname, '../../..');
  beforeAll(async () => {
    await promisify(execFile)(resolve(root, 'node_modules/.bin/tsc'), ['-b', 'packages/stream'], { cwd: root });
  }, 120_000);

  it('seals and opens on worker threads started from the compiled package', async () => {
    const script = `
      import { subscribe } from 'node:diagnostics_channel';
      import { randomBytes } from 'node:crypto';
      import { Readable, Writable } from 'node:stream';
      import { pipeline } from 'node:stream/promises';
      import { ChunkWorkerPool, decrypt, encryptStream } from '${root}/packages/stream/dist/index.js';
      import { LocalKms } from '${root}/packages/kms-adapter/dist/index.js';
      let batches = 0;
      const online = [];
      subscribe('worker_threads', ({ worker }) => {
        online.push(new Promise((ok) => worker.once('online', ok)));
        worker.on('message', (m) => { if (m.outputs) batches++; });
      });
      const kms = new LocalKms();
      const { keyMetadata: { keyId } } = await kms.createKey();
      const plaintext = randomBytes(4 * 1024 * 1024);
      async function* source() {
        yield plaintext.subarray(0, 1024 * 1024);
        while (online.length === 0) await new Promise((ok) => setImmediate(ok));
        await Promise.all(online);
        yield plaintext.subarray(1024 * 1024);
      }
      const out = [];
      await pipeline(Readable.from(source()), encryptStream({ kms, keyId, concurrency: 2 }), new Writable({ write(c, e, cb) { out.push(c); cb(); } }));
      const back = await decrypt(Buffer.concat(out), { kms, concurrency: 2 });
      // A pool left open must not keep the process alive; awaiting close() must see the exits.
      const open = new ChunkWorkerPool({ threads: 1 });
      const again = await decrypt(Buffer.concat(out), { kms, concurrency: open });
      const closed = new ChunkWorkerPool({ threads: 1 });
      await decrypt(Buffer.concat(out), { kms, concurrency: closed });
      await closed.close();
      console.log(JSON.stringify({ same: Buffer.compare(back, plaintext) === 0 && Buffer.compare(again, plaintext) === 0, batches }));
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { cwd: root, timeout: 30_000 });
    const result = JSON.parse(stdout.trim()) as { same: boolean; batches: number };
    expect(result.same).toBe(true);
    expect(result.batches).toBeGreaterThan(0);
  });
});
