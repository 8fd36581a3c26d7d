import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArgumentError, AuthenticationError, CommitmentError, KmsError, StateError, TrailingDataError, TruncatedError } from '@dek/core';
import { bytesReader, encrypt, inspect, openEnvelope } from '@dek/stream';
import type { PositionalReader } from '@dek/stream';
import { FakeKms } from './support/fake-kms.js';
import { concat, pseudoRandomBytes, sameBytes } from './support/streams.js';

const CHUNK = 16384;
const kms = new FakeKms();
const keyId = kms.createKey();
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dek-ra-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A reader that counts the bytes it was asked for. */
function countingReader(bytes: Uint8Array): PositionalReader & { readBytes: number } {
  const inner = bytesReader(bytes);
  const reader = {
    readBytes: 0,
    size: () => inner.size(),
    read: (position: number, length: number) => {
      reader.readBytes += length;
      return inner.read(position, length);
    },
  };
  return reader;
}

describe('openEnvelope', () => {
  it('reads of random ranges equal the same slice of the plaintext (bytes and FileHandle)', async () => {
    const lengths = [0, 1, 100, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 5 * CHUNK + 77];
    const files = await Promise.all(
      lengths.map(async (length) => {
        const plaintext = pseudoRandomBytes(length, length + 1);
        const envelope = await encrypt(plaintext, { kms, keyId, context: { file: 'ra' } });
        const path = join(dir, `f-${length}.dek`);
        await writeFile(path, envelope);
        const handle = await open(path, 'r');
        return { plaintext, fromBytes: await openEnvelope(envelope, { kms }), fromFile: await openEnvelope(handle, { kms }), handle };
      }),
    );
    try {
      for (const f of files) {
        expect(f.fromFile.size).toBe(f.plaintext.length);
        expect(f.fromBytes.header.context).toEqual({ file: 'ra' });
        expect(sameBytes(await f.fromFile.read(), f.plaintext)).toBe(true);
      }
      await fc.assert(
        fc.asyncProperty(
          fc.nat(lengths.length - 1),
          fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })), { minLength: 1, maxLength: 6 }),
          async (which, ranges) => {
            const { plaintext, fromBytes, fromFile } = files[which]!;
            const length = plaintext.length;
            for (const [a, b] of ranges) {
              const start = Math.floor(Math.min(a, b) * length);
              const end = Math.floor(Math.max(a, b) * length);
              expect(sameBytes(await fromBytes.read(start, end), plaintext.subarray(start, end))).toBe(true);
              expect(sameBytes(await fromFile.read(start, end), plaintext.subarray(start, end))).toBe(true);
            }
          },
        ),
        { numRuns: 100 },
      );
    } finally {
      for (const f of files) await f.handle.close();
    }
  });

  it('reads only the chunks a range needs', async () => {
    const plaintext = pseudoRandomBytes(10 * CHUNK + 5, 9);
    const envelope = await encrypt(plaintext, { kms, keyId });
    const source = countingReader(envelope);
    const reader = await openEnvelope(source, { kms });
    const before = source.readBytes;
    expect(sameBytes(await reader.read(4 * CHUNK + 10, 5 * CHUNK + 10), plaintext.subarray(4 * CHUNK + 10, 5 * CHUNK + 10))).toBe(true);
    expect(source.readBytes - before).toBe(2 * 16400);
  });

  it('authenticates the final chunk before reporting the size', async () => {
    const plaintext = pseudoRandomBytes(2 * CHUNK + 10, 4);
    const envelope = await encrypt(plaintext, { kms, keyId });
    const bad = envelope.slice();
    bad[bad.length - 1]! ^= 1;
    await expect(openEnvelope(bad, { kms })).rejects.toBeInstanceOf(AuthenticationError);
    await expect(openEnvelope(concat([envelope, new Uint8Array(3)]), { kms })).rejects.toBeInstanceOf(TrailingDataError);
    await expect(openEnvelope(concat([envelope, new Uint8Array(65)]), { kms })).rejects.toBeInstanceOf(AuthenticationError);
    // Cut at a chunk boundary: the length itself is impossible.
    const { headerLength } = await inspect(envelope);
    await expect(openEnvelope(envelope.subarray(0, headerLength + 56 + 16400), { kms })).rejects.toBeInstanceOf(TruncatedError);
    await expect(openEnvelope(envelope.subarray(0, 20), { kms })).rejects.toBeInstanceOf(TruncatedError);
  });

  it('a damaged middle chunk fails only the reads that touch it', async () => {
    const plaintext = pseudoRandomBytes(4 * CHUNK + 10, 6);
    const envelope = await encrypt(plaintext, { kms, keyId });
    const { headerLength } = await inspect(envelope);
    const bad = envelope.slice();
    bad[headerLength + 56 + 2 * 16400 + 5]! ^= 1;
    const reader = await openEnvelope(bad, { kms });
    expect(sameBytes(await reader.read(0, 2 * CHUNK), plaintext.subarray(0, 2 * CHUNK))).toBe(true);
    expect(sameBytes(await reader.read(3 * CHUNK, reader.size), plaintext.subarray(3 * CHUNK))).toBe(true);
    const error = await reader.read(2 * CHUNK - 1, 2 * CHUNK + 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).details.chunkIndex).toBe(2);
  });

  it('checks the commitment and the header MAC', async () => {
    const a = await encrypt(pseudoRandomBytes(100, 1), { kms, keyId });
    const b = await encrypt(pseudoRandomBytes(100, 2), { kms, keyId });
    const { headerLength: ha } = await inspect(a);
    const { headerLength: hb } = await inspect(b);
    await expect(openEnvelope(concat([a.subarray(0, ha), b.subarray(hb)]), { kms })).rejects.toBeInstanceOf(CommitmentError);
    const badMac = a.slice();
    badMac[ha - 1]! ^= 1;
    await expect(openEnvelope(badMac, { kms })).rejects.toMatchObject({ code: 'DEK_HEADER_MAC' });
    await expect(openEnvelope(a, { kmsByProvider: {} })).rejects.toBeInstanceOf(KmsError);
  });

  it('validates ranges and refuses reads after close', async () => {
    const reader = await openEnvelope(await encrypt(pseudoRandomBytes(1000), { kms, keyId }), { kms });
    for (const [start, end] of [
      [-1, 10],
      [5, 4],
      [0, 1001],
      [0.5, 10],
      [Number.NaN, 1],
    ] as const) {
      const error = await reader.read(start, end).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ArgumentError);
      expect(['start', 'end']).toContain((error as ArgumentError).details.field);
    }
    expect(await reader.read(1000, 1000)).toEqual(new Uint8Array(0));
    reader.close();
    await expect(reader.read(0, 1)).rejects.toBeInstanceOf(StateError);
  });

  it('rejects a source that is not a reader, and bad KMS options', async () => {
    await expect(openEnvelope({} as unknown as Uint8Array, { kms })).rejects.toMatchObject({ code: 'DEK_ARGUMENT', details: { field: 'source' } });
    await expect(openEnvelope(new Uint8Array(10), {})).rejects.toMatchObject({ code: 'DEK_ARGUMENT', details: { field: 'kms' } });
  });
});
