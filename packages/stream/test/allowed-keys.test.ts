/**
 * `allowedKeys`: a planted file (its slots name a key the reader did not choose) is refused
 * before any unwrap call, by every decrypt entry point and by rewrap.
 */
import { Writable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { ArgumentError, decodeHeader, encodeHeader, KeyNotAllowedError, KmsError } from '@dek/core';
import { LocalKms } from '@dek/kms-adapter';
import type { AdvanceKms } from '@dek/kms-adapter';
import { bytesReader, decrypt, decryptStream, decryptWebStream, encrypt, openEnvelope, rewrap } from '@dek/stream';
import type { SlotFailure } from '@dek/stream';
import { FakeKms } from './support/fake-kms.js';
import { pseudoRandomBytes, runNode, runWeb, sameBytes } from './support/streams.js';

const plaintext = pseudoRandomBytes(20_000, 12);

/** `kms` with its unwrap and resolve calls counted. */
function counting(kms: LocalKms): AdvanceKms & { unwraps: number; resolves: number } {
  const counted = {
    provider: kms.provider,
    unwraps: 0,
    resolves: 0,
    advanceGenerateDataKey: kms.advanceGenerateDataKey.bind(kms),
    advanceEncrypt: kms.advanceEncrypt.bind(kms),
    advanceDecrypt: (request: Parameters<LocalKms['advanceDecrypt']>[0]) => {
      counted.unwraps++;
      return kms.advanceDecrypt(request);
    },
    resolveKey: (request: Parameters<LocalKms['resolveKey']>[0]) => {
      counted.resolves++;
      return kms.resolveKey(request);
    },
  };
  return counted;
}

let local: LocalKms;
let mine: string;
let theirs: string;
let planted: Uint8Array;

beforeAll(async () => {
  local = new LocalKms();
  mine = (await local.createKey()).keyMetadata.keyId;
  await local.createAlias({ aliasName: 'alias/backup', keyId: mine });
  // A key the reader's credentials can use but did not choose (another team's, or one a policy grants).
  theirs = (await local.createKey()).keyMetadata.keyId;
  planted = await encrypt(plaintext, { kms: local, keyId: theirs });
});

async function refusal(promise: Promise<unknown>): Promise<KeyNotAllowedError> {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(KeyNotAllowedError);
  return error as KeyNotAllowedError;
}

describe('allowedKeys', () => {
  it('without it a planted file decrypts under a key the reader did not choose (the risk)', async () => {
    expect(sameBytes(await decrypt(planted, { kms: local }), plaintext)).toBe(true);
  });

  it('refuses a planted file before any unwrap, naming what the file asked for and what was allowed', async () => {
    for (const allowed of [[mine], ['alias/backup'], [`acs:kms:local:0:key/${mine}`]]) {
      const kms = counting(local);
      const error = await refusal(decrypt(planted, { kms, allowedKeys: allowed }));
      expect(error.code).toBe('DEK_KEY_NOT_ALLOWED');
      expect(error.details).toMatchObject({ requested: [{ kms: 'local', keyId: theirs }], allowed });
      expect(error.message).toContain(`"${theirs}"`);
      expect(kms.unwraps).toBe(0);
    }
  });

  it('the same refusal from decryptStream, decryptWebStream, openEnvelope and rewrap', async () => {
    const kms = counting(local);
    for (const run of [await runNode(decryptStream({ kms, allowedKeys: [mine] }), [planted]), await runWeb(decryptWebStream({ kms, allowedKeys: [mine] }), [planted])]) {
      await refusal(Promise.reject(run.error));
      expect(run.output).toHaveLength(0);
    }
    await refusal(openEnvelope(bytesReader(planted), { kms, allowedKeys: [mine] }));
    const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
    await refusal(rewrap(planted, sink, { kms, allowedKeys: [mine], to: [{ keyId: mine }] }));
    expect(kms.unwraps).toBe(0);
  });

  it('allowed by id, alias or ARN, any version; only the allowed slot is tried', async () => {
    const both = await encrypt(plaintext, { kms: local, keyId: theirs, keys: [{ keyId: mine }] });
    await local.createKeyVersion({ keyId: mine });
    for (const allowed of [[mine], ['alias/backup'], [`acs:kms:local:0:key/${mine}`], ['alias/backup', 'alias/none']]) {
      const kms = counting(local);
      const slots: number[] = [];
      const out = await decrypt(both, { kms, allowedKeys: allowed, onHeader: (_h, { slotIndex }) => slots.push(slotIndex) });
      expect(sameBytes(out, plaintext)).toBe(true);
      expect(slots).toEqual([1]);
      expect(kms.unwraps).toBe(1);
    }
    const reader = await openEnvelope(bytesReader(both), { kms: local, allowedKeys: ['alias/backup'] });
    expect(sameBytes(await reader.read(0, 10), plaintext.subarray(0, 10))).toBe(true);
    await reader.close();
  });

  it('an alias that does not resolve allows nothing, and says so', async () => {
    const kms = counting(local);
    const error = await refusal(decrypt(planted, { kms, allowedKeys: ['alias/missing'] }));
    expect(error.details.unresolved).toEqual([{ kms: 'local', alias: 'alias/missing', code: 'Forbidden.AliasNotFound' }]);
    expect(kms.unwraps).toBe(0);
  });

  it('a slot that names an allowed key but carries a blob of another is not unwrapped under it', async () => {
    // The file's author relabels its slot with the reader's key id.
    const { header, macedLength, mac } = decodeHeader(planted);
    const relabeled = encodeHeader({ ...header, slots: [{ ...header.slots[0]!, keyId: mine }] });
    const file = new Uint8Array([...relabeled, ...mac, ...planted.subarray(macedLength + 32)]);
    // LocalKms is told the key and refuses the blob.
    const error = await decrypt(file, { kms: local, allowedKeys: [mine] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KmsError);
    expect((error as KmsError).details.failures).toMatchObject([{ code: 'InvalidParameter' }]);
  });

  it('a KMS that ignores the key named and unwraps under another: the answer is refused', async () => {
    const fake = new FakeKms('local');
    const a = fake.createKey();
    const b = fake.createKey();
    const file = await encrypt(plaintext, { kms: fake, keyId: b });
    const { header, macedLength, mac } = decodeHeader(file);
    const relabeled = encodeHeader({ ...header, slots: [{ ...header.slots[0]!, keyId: a }] });
    const forged = new Uint8Array([...relabeled, ...mac, ...file.subarray(macedLength + 32)]);
    const error = await decrypt(forged, { kms: fake, allowedKeys: [a] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KmsError);
    expect((error as KmsError).details.failures as SlotFailure[]).toMatchObject([{ code: 'KeyNotAllowed' }]);
  });

  it('names from the file are quoted and escaped in the message', async () => {
    const fake = new FakeKms('local');
    const file = await encrypt(plaintext, { kms: fake, keyId: fake.createKey() });
    const { header, mac, macedLength } = decodeHeader(file);
    const hostile = encodeHeader({ ...header, slots: [{ ...header.slots[0]!, keyId: 'key-\u001b[2J\u009b31m\u202e' }] });
    const forged = new Uint8Array([...hostile, ...mac, ...file.subarray(macedLength + 32)]);
    const error = await refusal(decrypt(forged, { kms: fake, allowedKeys: ['key-x'] }));
    expect(error.message).toContain('"key-\\u001b[2J\\u009b31m\\u202e"');
    expect(error.message).not.toMatch(/[\u001b\u009b\u202e]/);
  });

  it('a malformed allowedKeys is an ArgumentError up front', () => {
    for (const allowedKeys of [[], [''], 'key-1', [1]]) {
      expect(() => decryptStream({ kms: local, allowedKeys: allowedKeys as never })).toThrow(ArgumentError);
    }
  });
});
