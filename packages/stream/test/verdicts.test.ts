import fc from 'fast-check';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { AuthenticationError, FormatError, TrailingDataError, TruncatedError, nodeAesGcm } from '@dek/core';
import type { AesGcm } from '@dek/core';
import { decrypt, decryptFile, decryptStream, decryptWebStream, encrypt, encryptWebStream, inspect, openEnvelope, rewrapStream } from '@dek/stream';
import { FakeKms } from './support/fake-kms.js';
import { concat, pseudoRandomBytes, runNode, runWeb, sameBytes, splitBy } from './support/streams.js';
import type { RunResult } from './support/streams.js';

const CHUNK = 16384;
const SEALED = 16400;
const kms = new FakeKms();
const keyId = kms.createKey();

async function caught(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

/** The error of every decrypt entry on `input`, each streamed entry fed in `writes`. */
async function verdicts(input: Uint8Array, writes: readonly number[]): Promise<{ errors: unknown[]; runs: RunResult[] }> {
  const node = await runNode(decryptStream({ kms }), splitBy(input, writes));
  const web = await runWeb(decryptWebStream({ kms }), splitBy(input, writes));
  const rewrapped = await runNode(rewrapStream({ kms, to: [{ keyId }] }), splitBy(input, writes));
  const errors = [
    node.error,
    web.error,
    await caught(decrypt(input, { kms })),
    await caught(openEnvelope(input, { kms })),
    rewrapped.error,
  ];
  return { errors, runs: [node, web] };
}

/** Message sizes, with final chunks of every length near empty and near full. */
const sizeArb = fc.oneof(
  fc.nat({ max: 3 * CHUNK + 300 }),
  fc.tuple(fc.nat({ max: 2 }), fc.nat({ max: 80 })).map(([full, d]) => full * CHUNK + d),
  fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 80 })).map(([full, d]) => full * CHUNK - d),
);
const writesArb = fc.oneof(fc.constant([1 << 20]), fc.array(fc.integer({ min: 1, max: 20_000 }), { minLength: 1, maxLength: 4 }));

describe('decryption verdicts on every entry (stream, Web, one-shot, random access, rewrap)', () => {
  it('1..64 appended bytes are DEK_TRAILING_DATA, and nothing past the full chunks comes out', async () => {
    await fc.assert(
      fc.asyncProperty(sizeArb, fc.uint8Array({ minLength: 1, maxLength: 64 }), writesArb, async (size, extra, writes) => {
        const plaintext = pseudoRandomBytes(size, size + 1);
        const envelope = await encrypt(plaintext, { kms, keyId });
        const finalIndex = Math.floor(size / CHUNK);
        const { errors, runs } = await verdicts(concat([envelope, extra]), writes);
        for (const error of errors) {
          expect(error).toBeInstanceOf(TrailingDataError);
          expect((error as TrailingDataError).details).toEqual({ chunkIndex: finalIndex, trailingLength: extra.length });
        }
        for (const run of runs) {
          expect(run.ended).toBe(false);
          expect(run.output.length % CHUNK).toBe(0);
          expect(run.output.length).toBeLessThanOrEqual(finalIndex * CHUNK);
          expect(sameBytes(run.output, plaintext.subarray(0, run.output.length))).toBe(true);
        }
      }),
      { numRuns: 25 },
    );
  });

  it('a flip in the last chunk stays DEK_AUTH, with or without appended bytes', async () => {
    await fc.assert(
      fc.asyncProperty(sizeArb, fc.nat({ max: 64 }), fc.nat(), writesArb, async (size, extra, where, writes) => {
        const envelope = await encrypt(pseudoRandomBytes(size, size + 2), { kms, keyId });
        const finalLength = (size % CHUNK) + 16;
        const bad = concat([envelope, pseudoRandomBytes(extra, where + 1)]);
        bad[envelope.length - finalLength + (where % finalLength)]! ^= 1 << (where % 8);
        for (const error of (await verdicts(bad, writes)).errors) expect(error).toBeInstanceOf(AuthenticationError);
      }),
      { numRuns: 15 },
    );
  });

  it('a cut at a chunk boundary stays DEK_TRUNCATED', async () => {
    const envelope = await encrypt(pseudoRandomBytes(2 * CHUNK + 50, 3), { kms, keyId });
    const { headerLength } = await inspect(envelope);
    for (const k of [1, 2]) {
      for (const error of (await verdicts(envelope.subarray(0, headerLength + 56 + k * SEALED), [5000])).errors) {
        expect(error).toBeInstanceOf(TruncatedError);
      }
    }
  });

  it('the file engine on worker threads gives the same verdicts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dek-verdicts-'));
    let n = 0;
    const decryptAsFile = async (envelope: Uint8Array): Promise<Uint8Array> => {
      const input = join(dir, `in-${n}`);
      const output = join(dir, `out-${n++}`);
      await writeFile(input, envelope);
      await decryptFile(input, output, { kms, concurrency: 2 });
      return readFile(output);
    };
    try {
      // Final chunks of 116 and 16396 sealed bytes: 20 stray bytes stay inside the last 16400-byte
      // slot, or push the final chunk past it.
      for (const size of [80 * CHUNK + 100, 80 * CHUNK + 16380]) {
        const envelope = await encrypt(pseudoRandomBytes(size, 4), { kms, keyId });
        for (const extra of [1, 20, 64]) {
          const error = await caught(decryptAsFile(concat([envelope, new Uint8Array(extra).fill(0x0a)])));
          expect(error).toBeInstanceOf(TrailingDataError);
          expect((error as TrailingDataError).details).toEqual({ chunkIndex: 80, trailingLength: extra });
        }
        expect(await caught(decryptAsFile(concat([envelope, new Uint8Array(65).fill(0x0a)])))).toBeInstanceOf(AuthenticationError);
        const damaged = envelope.slice();
        damaged[damaged.length - 3]! ^= 1;
        expect(await caught(decryptAsFile(damaged))).toBeInstanceOf(AuthenticationError);
        const { headerLength } = await inspect(envelope);
        const cut = envelope.subarray(0, headerLength + 56 + 80 * SEALED);
        expect(await caught(decryptAsFile(cut))).toBeInstanceOf(TruncatedError);
        expect(sameBytes(await decryptAsFile(envelope), pseudoRandomBytes(size, 4))).toBe(true);
      }
      // Only the verdicts' output files may be missing: nothing else was left behind.
      expect((await readdir(dir)).filter((name) => name.startsWith('out-'))).toHaveLength(2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('inputs too short for a header', () => {
  const text = new TextEncoder().encode('hello\n');

  async function shortVerdicts(input: Uint8Array): Promise<unknown[]> {
    return [
      (await runNode(decryptStream({ kms }), [input])).error,
      (await runWeb(decryptWebStream({ kms }), [input])).error,
      await caught(decrypt(input, { kms })),
      await caught(openEnvelope(input, { kms })),
      await caught(inspect(input)),
      await caught(inspect(Readable.from([input]))),
      (await runNode(rewrapStream({ kms, to: [{ keyId }] }), [input])).error,
    ];
  }

  it('a 6-byte text file is DEK_FORMAT (not a dek file), not DEK_TRUNCATED', async () => {
    for (const error of await shortVerdicts(text)) {
      expect(error).toBeInstanceOf(FormatError);
      expect((error as FormatError).details.field).toBe('magic');
    }
  });

  it('a short start of a real envelope is DEK_TRUNCATED', async () => {
    const envelope = await encrypt(new Uint8Array(10), { kms, keyId });
    for (const length of [0, 3, 8]) {
      for (const error of await shortVerdicts(envelope.subarray(0, length))) expect(error).toBeInstanceOf(TruncatedError);
    }
  });
});

describe('Web streams zero their keys when the consumer cancels or aborts', () => {
  /** A node:crypto backend that remembers every key it was handed. */
  function keyRecorder(): { aead: AesGcm; keys: Uint8Array[] } {
    const keys: Uint8Array[] = [];
    const aead: AesGcm = {
      name: 'recording',
      seal: (key, ...rest) => (keys.push(key), nodeAesGcm.seal(key, ...rest)),
      open: (key, ...rest) => (keys.push(key), nodeAesGcm.open(key, ...rest)),
    };
    return { aead, keys };
  }
  const zeroed = (keys: readonly Uint8Array[]): boolean => keys.length > 0 && keys.every((k) => k.every((b) => b === 0));

  it.each(['cancel', 'abort'] as const)('decryptWebStream: %s', async (how) => {
    const envelope = await encrypt(pseudoRandomBytes(4 * CHUNK, 5), { kms, keyId });
    const { aead, keys } = keyRecorder();
    const stream = decryptWebStream({ kms, aead });
    const writer = stream.writable.getWriter();
    const reader = stream.readable.getReader();
    void writer.write(envelope.subarray(0, envelope.length - SEALED)).catch(() => {});
    expect((await reader.read()).value?.length).toBeGreaterThan(0);
    expect(zeroed(keys)).toBe(false);
    if (how === 'cancel') await reader.cancel(new Error('consumer gone'));
    else await writer.abort(new Error('producer gone'));
    expect(zeroed(keys)).toBe(true);
  });

  it.each(['cancel', 'abort'] as const)('encryptWebStream: %s', async (how) => {
    const { aead, keys } = keyRecorder();
    const stream = encryptWebStream({ kms, keyId, aead });
    const writer = stream.writable.getWriter();
    const reader = stream.readable.getReader();
    void writer.write(pseudoRandomBytes(3 * CHUNK, 6)).catch(() => {});
    expect((await reader.read()).value?.length).toBeGreaterThan(0);
    expect(zeroed(keys)).toBe(false);
    if (how === 'cancel') await reader.cancel(new Error('consumer gone'));
    else await writer.abort(new Error('producer gone'));
    expect(zeroed(keys)).toBe(true);
  });
});

