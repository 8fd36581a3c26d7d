import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ArgumentError,
  AuthenticationError,
  CommitmentError,
  HeaderMacError,
  KmsError,
  TrailingDataError,
  TruncatedError,
  decodeAdvanceBlob,
} from '@dek/core';
import { LocalKms } from '@dek/kms-adapter';
import type { AdvanceKms } from '@dek/kms-adapter';
import { decrypt, encrypt, inspect, rewrap, rewrapStream } from '@dek/stream';
import { FakeKms, kmsError } from './support/fake-kms.js';
import { collector } from './support/sink.js';
import { concat, pseudoRandomBytes, runNode, sameBytes, splitBy } from './support/streams.js';

/** Wraps a KMS so that advanceDecrypt refuses blobs of the given key versions. */
function refusing(kms: AdvanceKms, refused: ReadonlySet<string>): AdvanceKms & { decrypts: number } {
  const wrapper = {
    decrypts: 0,
    provider: kms.provider,
    advanceGenerateDataKey: kms.advanceGenerateDataKey.bind(kms),
    advanceEncrypt: kms.advanceEncrypt.bind(kms),
    advanceDecrypt: async (request: Parameters<AdvanceKms['advanceDecrypt']>[0]) => {
      wrapper.decrypts++;
      if (refused.has(decodeAdvanceBlob(request.ciphertextBlob).keyVersionId)) {
        throw kmsError(403, 'Forbidden.NoPermission', 'This operation is forbidden by permission system.');
      }
      return kms.advanceDecrypt(request);
    },
  };
  return wrapper;
}

async function rewrapBytes(envelope: Uint8Array, options: Parameters<typeof rewrap>[2]) {
  const sink = collector();
  const result = await rewrap(envelope, sink, options);
  return { result, bytes: sink.bytes() };
}

describe('rewrap', () => {
  it('after rotation, the new header names the new primary version and the old one is no longer needed (LocalKms)', async () => {
    const kms = new LocalKms();
    const keyId = (await kms.createKey()).keyMetadata.keyId;
    const plaintext = pseudoRandomBytes(40000, 11);
    const envelope = await encrypt(plaintext, { kms, keyId, context: { tenant: 't1' }, suite: 'cobblestone-128' });
    const oldVersion = (await inspect(envelope)).slots[0]!.keyVersionId!;
    const newVersion = (await kms.createKeyVersion({ keyId })).keyVersion.keyVersionId;
    expect(newVersion).not.toBe(oldVersion);

    const { result, bytes } = await rewrapBytes(envelope, { kms, to: [{ keyId }] });
    expect(result.slotIndex).toBe(0);
    expect(result.header.slots.map((s) => s.keyVersionId)).toEqual([newVersion]);
    const info = await inspect(bytes);
    expect(info.slots.map((s) => s.keyVersionId)).toEqual([newVersion]);
    expect(info.context).toEqual({ tenant: 't1' });
    expect(info.suite).toBe('cobblestone-128');
    // The payload is copied byte for byte.
    const oldInfo = await inspect(envelope);
    expect(sameBytes(bytes.subarray(info.headerLength), envelope.subarray(oldInfo.headerLength))).toBe(true);

    const withoutOld = refusing(kms, new Set([oldVersion]));
    expect(sameBytes(await decrypt(bytes, { kms: withoutOld }), plaintext)).toBe(true);
    const refused = await decrypt(envelope, { kms: withoutOld }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(KmsError);
    expect((refused as KmsError).details.failures).toEqual([
      expect.objectContaining({ index: 0, kms: 'local', code: 'Forbidden.NoPermission' }),
    ]);
  });

  it('rewraps to several keys across KMSs; each opens the result; one KMS call per slot', async () => {
    const local = new FakeKms('local');
    const aws = new FakeKms('aws-kms');
    const a = local.createKey();
    const b = local.createKey();
    const c = aws.createKey();
    const plaintext = pseudoRandomBytes(20000, 12);
    const envelope = await encrypt(plaintext, { kms: local, keyId: a });
    local.calls.decrypt = 0;
    const { result, bytes } = await rewrapBytes(envelope, { kms: local, to: [{ keyId: b }, { kms: aws, keyId: c }] });
    expect(local.calls.decrypt).toBe(1);
    expect(result.header.slots.map((s) => [s.kms, s.keyId])).toEqual([
      ['local', b],
      ['aws-kms', c],
    ]);
    expect(sameBytes(await decrypt(bytes, { kms: aws }), plaintext)).toBe(true);
    expect(sameBytes(await decrypt(bytes, { kms: refusing(local, new Set([local.primaryVersion(a)])) }), plaintext)).toBe(true);
  });

  it('works with any write splitting through rewrapStream', async () => {
    const kms = new FakeKms();
    const keyId = kms.createKey();
    const next = kms.createKey();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(0, 5, 16383, 16384, 16385, 40000),
        fc.array(fc.integer({ min: 1, max: 20000 }), { minLength: 1, maxLength: 4 }),
        async (length, sizes) => {
          const plaintext = pseudoRandomBytes(length, length + 3);
          const envelope = await encrypt(plaintext, { kms, keyId });
          const out = await runNode(rewrapStream({ kms, to: [{ keyId: next }] }), splitBy(envelope, sizes));
          expect(out.error).toBeUndefined();
          expect((await inspect(out.output)).slots[0]!.keyId).toBe(next);
          expect(sameBytes(await decrypt(out.output, { kms }), plaintext)).toBe(true);
        },
      ),
      { numRuns: 20 },
    );
  });

  it('refuses a bad MAC, another file\'s payload, truncation and appended bytes', async () => {
    const kms = new FakeKms();
    const keyId = kms.createKey();
    const envelope = await encrypt(pseudoRandomBytes(3 * 16384 + 9, 1), { kms, keyId });
    const other = await encrypt(pseudoRandomBytes(100, 2), { kms, keyId });
    const { headerLength } = await inspect(envelope);
    const { headerLength: otherLength } = await inspect(other);
    const badMac = envelope.slice();
    badMac[headerLength - 3]! ^= 1;
    const to = [{ keyId }];
    await expect(rewrapBytes(badMac, { kms, to })).rejects.toBeInstanceOf(HeaderMacError);
    await expect(rewrapBytes(concat([envelope.subarray(0, headerLength), other.subarray(otherLength)]), { kms, to })).rejects.toBeInstanceOf(
      CommitmentError,
    );
    await expect(rewrapBytes(envelope.subarray(0, headerLength + 56 + 16400), { kms, to })).rejects.toBeInstanceOf(TruncatedError);
    await expect(rewrapBytes(envelope.subarray(0, headerLength + 30), { kms, to })).rejects.toBeInstanceOf(TruncatedError);
    await expect(rewrapBytes(envelope.subarray(0, headerLength - 1), { kms, to })).rejects.toBeInstanceOf(TruncatedError);
    await expect(rewrapBytes(envelope.subarray(0, envelope.length - 1), { kms, to })).rejects.toBeInstanceOf(AuthenticationError);
    await expect(rewrapBytes(concat([envelope, new Uint8Array(1)]), { kms, to })).rejects.toBeInstanceOf(TrailingDataError);
    const lastChunk = envelope.slice();
    lastChunk[lastChunk.length - 2]! ^= 1;
    await expect(rewrapBytes(lastChunk, { kms, to })).rejects.toBeInstanceOf(AuthenticationError);
  });

  it('opens every chunk by default: swapped, altered, truncated or extended payloads fail with the decrypt verdicts', async () => {
    const kms = new FakeKms();
    const keyId = kms.createKey();
    const envelope = await encrypt(pseudoRandomBytes(3 * 16384 + 9, 3), { kms, keyId });
    const { headerLength } = await inspect(envelope);
    const start = headerLength + 56;
    const chunk = (k: number): Uint8Array => envelope.subarray(start + k * 16400, start + (k + 1) * 16400);
    const swapped = concat([envelope.subarray(0, start), chunk(1), chunk(0), envelope.subarray(start + 2 * 16400)]);
    const flipped = envelope.slice();
    flipped[start + 16400 + 7]! ^= 1;
    const to = [{ keyId }];
    const cases: Array<[Uint8Array, new (...args: never[]) => Error, number]> = [
      [swapped, AuthenticationError, 0],
      [flipped, AuthenticationError, 1],
      [envelope.subarray(0, start + 2 * 16400), TruncatedError, 2],
      [concat([envelope, new TextEncoder().encode('\n')]), TrailingDataError, 3],
    ];
    for (const [bad, type, chunkIndex] of cases) {
      for (const sizes of [[bad.length], [1000, 16400, 7]]) {
        const out = await runNode(rewrapStream({ kms, to }), splitBy(bad, sizes));
        expect(out.error).toBeInstanceOf(type);
        expect((out.error as AuthenticationError).details.chunkIndex).toBe(chunkIndex);
      }
    }
    // verify: false is the old copy: only the commitment and the final chunk are checked.
    for (const bad of [swapped, flipped]) {
      const copied = await rewrapBytes(bad, { kms, to, verify: false });
      expect(copied.bytes.subarray(copied.bytes.length - bad.length + headerLength)).toEqual(bad.subarray(headerLength));
      await expect(decrypt(copied.bytes, { kms })).rejects.toBeInstanceOf(AuthenticationError);
    }
    await expect(rewrapBytes(cases[2]![0], { kms, to, verify: false })).rejects.toBeInstanceOf(TruncatedError);
    await expect(rewrapBytes(cases[3]![0], { kms, to, verify: false })).rejects.toBeInstanceOf(TrailingDataError);
    expect(() => rewrapStream({ kms, to, verify: 'no' as never })).toThrow(ArgumentError);
  });

  it('reports KMS failures of the old slots and of the new keys', async () => {
    const kms = new FakeKms();
    const keyId = kms.createKey();
    const envelope = await encrypt(new Uint8Array(10), { kms, keyId });
    const other = new FakeKms('aws-kms');
    await expect(rewrapBytes(envelope, { kms: other, to: [{ keyId: other.createKey() }] })).rejects.toMatchObject({
      code: 'DEK_KMS',
      details: { failures: [expect.objectContaining({ code: 'NoKmsForProvider' })] },
    });
    await expect(rewrapBytes(envelope, { kms, to: [{ keyId: 'key-doesnotexist' }] })).rejects.toMatchObject({
      code: 'DEK_KMS',
      details: { field: 'to[0]', code: 'Forbidden.KeyNotFound' },
    });
  });

  it('validates its options before reading anything', () => {
    const kms = new FakeKms();
    expect(() => rewrapStream({ kms, to: [] })).toThrow(ArgumentError);
    expect(() => rewrapStream({ kms } as never)).toThrow(ArgumentError);
    expect(() => rewrapStream({ kmsByProvider: { local: kms }, to: [{ keyId: 'k' }] })).toThrow(
      expect.objectContaining({ details: { field: 'to[0].kms' } }),
    );
    expect(() => rewrapStream({ kms, to: Array.from({ length: 17 }, () => ({ keyId: 'k' })) })).toThrow(ArgumentError);
  });
});
