/**
 * The file engine (`encryptFile`, `decryptFile`, `rewrapFile`): the bytes of the stream path for
 * the same data key and salt at any concurrency, round trips at chunk and batch edges, the stream
 * path's typed error for every tamper case, and nothing left behind on failure. Concurrency above
 * 1 runs the compiled worker from `dist` (build first).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, open, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthenticationError, DekError, TruncatedError } from '@dek/core';
import type { KeySlot } from '@dek/core';
import { EnvelopeEncryptor, decryptFile, decryptStream, encrypt, encryptFile, inspect, leaseOf, rewrapFile } from '@dek/stream';
import { sealFile } from '../src/file/encrypt-file.js';
import { openSource } from '../src/file/files.js';
import { FakeKms } from './support/fake-kms.js';
import { concat, pseudoRandomBytes, runNode, sameBytes } from './support/streams.js';

const CHUNK = 16384;
const SEALED = 16400;
const BATCH = 64 * CHUNK;

const kms = new FakeKms();
const keyId = kms.createKey();
const otherKey = kms.createKey();
const context = { purpose: 'file-engine' };

const dataKey = pseudoRandomBytes(32, 7);
const salt = pseudoRandomBytes(24, 9);
const slots: KeySlot[] = [{ kms: 'local', keyId: 'key-fixed', blob: pseudoRandomBytes(40, 8) }];

let dir: string;
let counter = 0;
const path = (name = 'f'): string => join(dir, `${name}-${counter++}`);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dek-file-engine-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fileOf(bytes: Uint8Array): Promise<string> {
  const file = path('in');
  await writeFile(file, bytes);
  return file;
}

/** What the stream state machine makes of `plaintext` under the fixed key and salt. */
function streamEnvelope(plaintext: Uint8Array): Uint8Array {
  const encryptor = new EnvelopeEncryptor({ lease: leaseOf(dataKey.slice(), slots), salt, context });
  return concat([...encryptor.writeParts(plaintext), ...encryptor.end()]);
}

/** The file engine's envelope of `plaintext` under the fixed key and salt. */
async function engineEnvelope(plaintext: Uint8Array, concurrency: number): Promise<Uint8Array> {
  const input = await openSource(await fileOf(plaintext));
  const out = path('sealed');
  try {
    await sealFile(input, out, { lease: leaseOf(dataKey.slice(), slots), salt, suite: 'cobblestone-256', context, concurrency });
  } finally {
    await input.close();
  }
  return readFile(out);
}

/** Decrypts through the stream path; the error or the plaintext. */
async function streamDecrypt(envelope: Uint8Array): Promise<{ error?: unknown; output: Uint8Array }> {
  const result = await runNode(decryptStream({ kms }), [envelope]);
  return { error: result.error, output: result.output };
}

/** The files in the test directory whose name starts with `prefix` (temporary files included). */
async function leftovers(target: string): Promise<string[]> {
  const name = target.slice(dir.length + 1);
  return (await readdir(dir)).filter((entry) => entry.includes(name));
}

const EDGES = [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, BATCH - 1, BATCH, BATCH + 1, 2 * BATCH + CHUNK, 3 * BATCH + 5];

describe('file engine: encryption', () => {
  it('writes the stream path bytes for the same data key and salt, at chunk and batch edges', async () => {
    for (const length of EDGES) {
      const plaintext = pseudoRandomBytes(length, length + 1);
      expect(sameBytes(await engineEnvelope(plaintext, 1), streamEnvelope(plaintext))).toBe(true);
    }
  });

  it('gives identical bytes at concurrency 1 to 4', async () => {
    const plaintext = pseudoRandomBytes(5 * BATCH + 3 * CHUNK + 17, 3);
    const expected = streamEnvelope(plaintext);
    for (const concurrency of [1, 2, 3, 4]) {
      expect(sameBytes(await engineEnvelope(plaintext, concurrency), expected), `concurrency ${concurrency}`).toBe(true);
    }
  });

  it('round-trips random sizes through encryptFile and decryptFile, and interoperates with the streams', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 3 * BATCH }), fc.integer({ min: 1, max: 3 }), async (length, concurrency) => {
        const plaintext = pseudoRandomBytes(length, length);
        const sealed = path('sealed');
        await encryptFile(await fileOf(plaintext), sealed, { kms, keyId, context, concurrency });
        const streamed = await streamDecrypt(await readFile(sealed));
        expect(streamed.error).toBeUndefined();
        expect(sameBytes(streamed.output, plaintext)).toBe(true);
        const opened = path('opened');
        await decryptFile(await fileOf(await encrypt(plaintext, { kms, keyId })), opened, { kms, concurrency });
        expect(sameBytes(await readFile(opened), plaintext)).toBe(true);
      }),
      { numRuns: 12 },
    );
  });

  it('reports progress up to the input size', async () => {
    const plaintext = pseudoRandomBytes(2 * BATCH + 5, 4);
    const seen: number[] = [];
    await encryptFile(await fileOf(plaintext), path(), { kms, keyId, onProgress: (done, total) => seen.push(done, total) });
    expect(seen.at(-2)).toBe(plaintext.length);
    expect(seen.at(-1)).toBe(plaintext.length);
  });

  it('writes into a FileHandle the caller commits, and refuses a source that is not a regular file', async () => {
    const plaintext = pseudoRandomBytes(BATCH + 3, 5);
    const target = path();
    const handle = await open(target, 'w+');
    try {
      await handle.write(new Uint8Array(5 * BATCH)); // longer old content is cut off
      await encryptFile(await fileOf(plaintext), handle, { kms, keyId });
    } finally {
      await handle.close();
    }
    const streamed = await streamDecrypt(await readFile(target));
    expect(sameBytes(streamed.output, plaintext)).toBe(true);
    await expect(encryptFile(dir, path(), { kms, keyId })).rejects.toMatchObject({ code: 'DEK_ARGUMENT', details: { field: 'source' } });
    await expect(encryptFile(path('missing'), path(), { kms, keyId, concurrency: 0 })).rejects.toMatchObject({ details: { field: 'concurrency' } });
  });
});

describe('file engine: decryption and rewrap of damaged files', () => {
  const length = 2 * BATCH + 3 * CHUNK + 100;
  let plaintext: Uint8Array;
  let envelope: Uint8Array;
  let chunksStart: number;
  beforeAll(async () => {
    plaintext = pseudoRandomBytes(length, 11);
    envelope = await encrypt(plaintext, { kms, keyId, context });
    chunksStart = (await inspect(envelope)).headerLength + 56;
  });

  /** Damaged copies of the envelope, by name. */
  function cases(): [string, Uint8Array][] {
    const flip = (at: number): Uint8Array => {
      const bad = envelope.slice();
      bad[at]! ^= 0x10;
      return bad;
    };
    const last = Math.floor((length) / CHUNK);
    return [
      ['header prelude', flip(2)],
      ['header body', flip(20)],
      ['header MAC', flip(chunksStart - 57)],
      ['payload salt', flip(chunksStart - 50)],
      ['commitment', flip(chunksStart - 5)],
      ['chunk 0', flip(chunksStart + 7)],
      ['a chunk in the second batch', flip(chunksStart + 70 * SEALED + 3)],
      ['the last full chunk', flip(chunksStart + (last - 1) * SEALED + 1)],
      ['the final chunk', flip(envelope.length - 20)],
      ['the final tag', flip(envelope.length - 1)],
      ['cut inside the header', envelope.slice(0, 30)],
      ['cut inside the payload header', envelope.slice(0, chunksStart - 10)],
      ['cut after the payload header', envelope.slice(0, chunksStart)],
      ['cut inside a chunk', envelope.slice(0, chunksStart + 5 * SEALED + 100)],
      ['cut on a chunk boundary', envelope.slice(0, chunksStart + 5 * SEALED)],
      ['cut inside the final tag', envelope.slice(0, envelope.length - 5)],
      ['the final chunk missing', envelope.slice(0, chunksStart + last * SEALED)],
      ['one stray byte appended', concat([envelope, new Uint8Array(1)])],
      ['a whole chunk appended', concat([envelope, pseudoRandomBytes(SEALED, 3)])],
      ['two chunks swapped', concat([envelope.subarray(0, chunksStart), envelope.subarray(chunksStart + SEALED, chunksStart + 2 * SEALED), envelope.subarray(chunksStart, chunksStart + SEALED), envelope.subarray(chunksStart + 2 * SEALED)])],
    ];
  }

  it('fails every tamper case with the stream path error, leaving nothing behind, at concurrency 1 and 3', async () => {
    for (const [name, bad] of cases()) {
      const expected = (await streamDecrypt(bad)).error;
      expect(expected, name).toBeInstanceOf(DekError);
      const input = await fileOf(bad);
      for (const concurrency of [1, 3]) {
        const target = path('plain');
        const error = await decryptFile(input, target, { kms, concurrency }).then(() => undefined, (e: unknown) => e);
        expect(error, `${name}, concurrency ${concurrency}`).toBeInstanceOf((expected as object).constructor);
        expect((error as DekError).code).toBe((expected as DekError).code);
        expect((error as DekError).details.chunkIndex, name).toBe((expected as DekError).details.chunkIndex);
        expect(await leftovers(target), name).toEqual([]);
      }
    }
  });

  it('empties a FileHandle target on failure', async () => {
    const target = path();
    const handle = await open(target, 'w+');
    try {
      const bad = envelope.slice();
      bad[envelope.length - 1]! ^= 1;
      await expect(decryptFile(await fileOf(bad), handle, { kms })).rejects.toBeInstanceOf(AuthenticationError);
    } finally {
      await handle.close();
    }
    expect((await stat(target)).size).toBe(0);
  });

  it('rewrap verifies every chunk: a damaged chunk fails it and leaves no output; verify: false copies it', async () => {
    const bad = envelope.slice();
    bad[chunksStart + 70 * SEALED + 3]! ^= 1;
    const input = await fileOf(bad);
    const target = path('rewrapped');
    await expect(rewrapFile(input, target, { kms, to: [{ keyId: otherKey }], concurrency: 2 })).rejects.toMatchObject({ code: 'DEK_AUTH', details: { chunkIndex: 70 } });
    expect(existsSync(target)).toBe(false);
    expect(await leftovers(target)).toEqual([]);
    await rewrapFile(input, target, { kms, to: [{ keyId: otherKey }], verify: false });
    const cut = await fileOf(envelope.slice(0, envelope.length - 3));
    await expect(rewrapFile(cut, path(), { kms, to: [{ keyId: otherKey }], verify: false })).rejects.toBeInstanceOf(DekError);
  });

  it('rewraps to new keys, in place, and the result decrypts to the same plaintext', async () => {
    const file = await fileOf(envelope);
    const result = await rewrapFile(file, file, { kms, to: [{ keyId: otherKey }, { keyId }] });
    expect(result.header.slots.map((slot) => slot.keyId)).toEqual([otherKey, keyId]);
    expect(result.previous.slots.map((slot) => slot.keyId)).toEqual([keyId]);
    const opened = path();
    await decryptFile(file, opened, { kms });
    expect(sameBytes(await readFile(opened), plaintext)).toBe(true);
    expect(await leftovers(file)).toEqual([file.slice(dir.length + 1)]);
  });

  it('a short final chunk is TruncatedError with its index', async () => {
    const error = await decryptFile(await fileOf(envelope.slice(0, chunksStart + 2 * SEALED + 10)), path(), { kms }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TruncatedError);
    expect((error as TruncatedError).details.chunkIndex).toBe(2);
  });
});
