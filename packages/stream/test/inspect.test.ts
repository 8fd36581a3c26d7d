import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FormatError, TruncatedError } from '@dek/core';
import { bytesReader, encrypt, inspect } from '@dek/stream';
import { FakeKms } from './support/fake-kms.js';
import { pseudoRandomBytes, splitBy } from './support/streams.js';

const local = new FakeKms('local');
const aws = new FakeKms('aws-kms');
const a = local.createKey();
const b = aws.createKey();
const plaintext = pseudoRandomBytes(20000, 8);

describe('inspect', () => {
  it('reports suite, context and slots without any KMS call, and says it is unauthenticated', async () => {
    const envelope = await encrypt(plaintext, { kms: local, keyId: a, keys: [{ kms: aws, keyId: b }], context: { x: 'y' }, suite: 'cobblestone-128' });
    const calls = JSON.stringify([local.calls, aws.calls]);
    const info = await inspect(envelope);
    expect(JSON.stringify([local.calls, aws.calls])).toBe(calls);
    expect(info).toMatchObject({
      authenticated: false,
      version: 1,
      suite: 'cobblestone-128',
      context: { x: 'y' },
      payloadLength: envelope.length - info.headerLength,
      plaintextLength: 20000,
    });
    expect(info.slots).toEqual([
      { kms: 'local', keyId: a, keyVersionId: local.primaryVersion(a), blobLength: expect.any(Number), hasIv: false },
      { kms: 'aws-kms', keyId: b, keyVersionId: aws.primaryVersion(b), blobLength: expect.any(Number), hasIv: false },
    ]);
    expect(info.slots[0]!.blobLength).toBeGreaterThan(3 + 36 + 12 + 16);
  });

  it('reads a FileHandle, a PositionalReader, a Node Readable and an async iterable alike', async () => {
    const envelope = await encrypt(plaintext, { kms: local, keyId: a });
    const expected = await inspect(envelope);
    const dir = await mkdtemp(join(tmpdir(), 'dek-inspect-'));
    try {
      await writeFile(join(dir, 'f'), envelope);
      const handle = await open(join(dir, 'f'), 'r');
      try {
        expect(await inspect(handle)).toEqual(expected);
      } finally {
        await handle.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect(await inspect(bytesReader(envelope))).toEqual(expected);
    const { payloadLength: _p, plaintextLength: _l, ...headerOnly } = expected;
    expect(await inspect(Readable.from(splitBy(envelope, [7]).map((c) => Buffer.from(c))))).toEqual(headerOnly);
    // Only the header is consumed from a stream.
    let pulled = 0;
    async function* pieces() {
      for (const piece of splitBy(envelope, [100])) {
        pulled += piece.length;
        yield piece;
      }
    }
    await inspect(pieces());
    expect(pulled).toBeLessThan(expected.headerLength + 100);
  });

  it('leaves plaintextLength out when the payload length is impossible', async () => {
    const envelope = await encrypt(plaintext, { kms: local, keyId: a });
    const info = await inspect(envelope);
    const cut = await inspect(envelope.subarray(0, info.headerLength + 56 + 16400));
    expect(cut.plaintextLength).toBeUndefined();
    expect(cut.payloadLength).toBe(56 + 16400);
  });

  it('refuses a bad or truncated header', async () => {
    const envelope = await encrypt(plaintext, { kms: local, keyId: a });
    await expect(inspect(envelope.subarray(0, 30))).rejects.toBeInstanceOf(TruncatedError);
    await expect(inspect(envelope.subarray(0, 5))).rejects.toBeInstanceOf(TruncatedError);
    await expect(inspect(Readable.from([Buffer.from(envelope.subarray(0, 30))]))).rejects.toBeInstanceOf(TruncatedError);
    const bad = envelope.slice();
    bad[0] = 0x50;
    await expect(inspect(bad)).rejects.toMatchObject({ code: 'DEK_FORMAT', details: { field: 'magic' } });
    const badBody = envelope.slice();
    badBody[9] = 0xc0; // nil instead of the root map
    await expect(inspect(badBody)).rejects.toBeInstanceOf(FormatError);
  });
});
