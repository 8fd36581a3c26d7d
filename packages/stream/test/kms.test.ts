import { describe, expect, it } from 'vitest';
import { ArgumentError, DekError, KmsError } from '@dek/core';
import { LocalKms } from '@dek/kms-adapter';
import type { AdvanceKms } from '@dek/kms-adapter';
import {
  EnvelopeEncryptor,
  decrypt,
  decryptStream,
  decryptWebStream,
  encrypt,
  encryptStream,
  encryptWebStream,
  inspect,
  leaseOf,
} from '@dek/stream';
import type { SlotFailure } from '@dek/stream';
import { FakeKms, kmsError } from './support/fake-kms.js';
import { concat, pseudoRandomBytes, runNode, runWeb, sameBytes, splitBy } from './support/streams.js';

const plaintext = pseudoRandomBytes(3 * 16384 + 321, 77);

function failuresOf(error: unknown): SlotFailure[] {
  expect(error).toBeInstanceOf(KmsError);
  return (error as KmsError).details.failures as SlotFailure[];
}

describe('multi-slot envelopes', () => {
  it('any one of several keys, across KMSs, opens the envelope', async () => {
    const local = new FakeKms('local');
    const aws = new FakeKms('aws-kms');
    const a = local.createKey();
    const b = local.createKey();
    const c = aws.createKey();
    const envelope = await encrypt(plaintext, { kms: local, keyId: a, keys: [{ keyId: b }, { kms: aws, keyId: c }], context: { k: 'v' } });
    expect(local.calls).toEqual({ generate: 1, encrypt: 1, decrypt: 0 });
    expect(aws.calls).toEqual({ generate: 0, encrypt: 1, decrypt: 0 });
    const info = await inspect(envelope);
    expect(info.slots.map((s) => [s.kms, s.keyId, s.keyVersionId])).toEqual([
      ['local', a, local.primaryVersion(a)],
      ['local', b, local.primaryVersion(b)],
      ['aws-kms', c, aws.primaryVersion(c)],
    ]);

    const slotUsed: number[] = [];
    const onHeader = (_h: unknown, { slotIndex }: { slotIndex: number }) => slotUsed.push(slotIndex);
    // Only the AWS KMS: the local slots are skipped.
    expect(sameBytes((await runNode(decryptStream({ kms: aws, onHeader }), [envelope])).output, plaintext)).toBe(true);
    // Key a refuses: key b opens it.
    local.hook = (op, { keyId }) => (op === 'decrypt' && keyId === a ? kmsError(409, 'Rejected.Disabled', 'disabled') : undefined);
    expect(sameBytes(await decrypt(envelope, { kmsByProvider: { local, 'aws-kms': aws }, onHeader }), plaintext)).toBe(true);
    expect(slotUsed).toEqual([2, 1]);
  });

  it('missing KMS for every slot: KmsError listing each slot, and no output', async () => {
    const local = new FakeKms('local');
    const envelope = await encrypt(plaintext, { kms: local, keyId: local.createKey(), keys: [{ keyId: local.createKey() }] });
    const other = new FakeKms('aws-kms');
    const result = await runNode(decryptStream({ kms: other }), [envelope]);
    expect(result.output.length).toBe(0);
    expect(result.ended).toBe(false);
    const failures = failuresOf(result.error);
    expect(failures).toHaveLength(2);
    expect(failures.map((f) => [f.index, f.kms, f.code])).toEqual([
      [0, 'local', 'NoKmsForProvider'],
      [1, 'local', 'NoKmsForProvider'],
    ]);
    expect(failures[0]!.keyId).toMatch(/^key-/);
    expect(typeof failures[0]!.message).toBe('string');
    expect(other.calls.decrypt).toBe(0);
    // Web streams report the same error.
    const web = await runWeb(decryptWebStream({ kmsByProvider: {} }), [envelope]);
    expect(failuresOf(web.error)).toHaveLength(2);
  });

  it('every slot failing at the KMS: the KMS codes are in the failures', async () => {
    const kms = new FakeKms();
    const envelope = await encrypt(plaintext, { kms, keyId: kms.createKey(), keys: [{ keyId: kms.createKey() }] });
    kms.hook = (op) => (op === 'decrypt' ? kmsError(409, 'Rejected.Disabled', 'The request was rejected because the key state is Disabled.') : undefined);
    const failures = failuresOf(await decrypt(envelope, { kms }).catch((e: unknown) => e));
    expect(failures.map((f) => f.code)).toEqual(['Rejected.Disabled', 'Rejected.Disabled']);
    expect(failures[0]!.message).toContain('Disabled');
  });

  it('a provider id that names an Object.prototype member is just a missing KMS', async () => {
    const odd = new FakeKms('constructor');
    const envelope = await encrypt(new Uint8Array(3), { kms: odd, keyId: odd.createKey() });
    const failures = failuresOf(await decrypt(envelope, { kmsByProvider: {} }).catch((e: unknown) => e));
    expect(failures[0]!.code).toBe('NoKmsForProvider');
  });

  it('a slot with iv and algorithm (non-advance blob) passes keyId, iv and algorithm to advanceDecrypt', async () => {
    const dataKey = pseudoRandomBytes(32, 5);
    const slot = { kms: 'local', keyId: 'key-1', blob: new Uint8Array([1, 2, 3]), iv: new Uint8Array(12).fill(9), algorithm: 'AES_GCM' };
    const encryptor = new EnvelopeEncryptor({ lease: leaseOf(dataKey.slice(), [slot, { ...slot, keyId: 'key-2', algorithm: 'SM4' }]) });
    const envelope = concat([...encryptor.write(plaintext), ...encryptor.end()]);
    const requests: Parameters<AdvanceKms['advanceDecrypt']>[0][] = [];
    const kms: AdvanceKms = {
      provider: 'local',
      advanceGenerateDataKey: () => Promise.reject(new Error('unused')),
      advanceEncrypt: () => Promise.reject(new Error('unused')),
      advanceDecrypt: async (request) => {
        requests.push(request);
        if (request.keyId === 'key-1') throw kmsError(400, 'InvalidParameter', 'no');
        return { keyId: 'key-2', keyVersionId: 'v', plaintext: dataKey.slice(), algorithm: 'AES_GCM', requestId: 'r' };
      },
    };
    const failures = failuresOf(await decrypt(envelope, { kms }).catch((e: unknown) => e));
    expect(failures.map((f) => f.code)).toEqual(['InvalidParameter', 'UnsupportedAlgorithm']);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ keyId: 'key-1', iv: slot.iv, algorithm: 'AES_GCM', ciphertextBlob: slot.blob });
    expect(requests[0]!.aad).toHaveLength(32);
  });

  it('a KMS that returns a data key of the wrong length is refused (encrypt and decrypt)', async () => {
    const kms = new FakeKms();
    const keyId = kms.createKey();
    const liar: AdvanceKms = {
      provider: 'local',
      advanceGenerateDataKey: async (r) => kms.advanceGenerateDataKey({ ...r, numberOfBytes: 16 }),
      advanceEncrypt: kms.advanceEncrypt.bind(kms),
      advanceDecrypt: async (r) => ({ ...(await kms.advanceDecrypt(r)), plaintext: new Uint8Array(16) }),
    };
    await expect(encrypt(plaintext, { kms: liar, keyId })).rejects.toMatchObject({ code: 'DEK_KMS', details: { code: 'InvalidDataKeyLength' } });
    const envelope = await encrypt(plaintext, { kms, keyId });
    expect(failuresOf(await decrypt(envelope, { kms: liar }).catch((e: unknown) => e))[0]!.code).toBe('InvalidDataKeyLength');
  });

  it('a failing KMS during encryption fails the stream with KmsError and emits nothing', async () => {
    const kms = new FakeKms();
    const keyId = kms.createKey();
    kms.hook = (op) => (op === 'generate' ? kmsError(404, 'Forbidden.KeyNotFound', 'The specified Key is not found.') : undefined);
    const node = await runNode(encryptStream({ kms, keyId }), splitBy(plaintext, [1000]));
    expect(node.error).toMatchObject({ code: 'DEK_KMS', details: { field: 'keyId', code: 'Forbidden.KeyNotFound', kms: 'local', keyId } });
    expect(node.output.length).toBe(0);
    const web = await runWeb(encryptWebStream({ kms, keyId }), [plaintext]);
    expect(web.error).toBeInstanceOf(KmsError);
    // An extra key failing: the error names it, and the generated data key is zeroed.
    kms.hook = (op) => (op === 'encrypt' ? kmsError(403, 'Forbidden.NoPermission', 'no') : undefined);
    let generated: Uint8Array | undefined;
    const generate = kms.advanceGenerateDataKey.bind(kms);
    kms.advanceGenerateDataKey = async (r) => {
      const response = await generate(r);
      generated = response.plaintext;
      return response;
    };
    await expect(encrypt(plaintext, { kms, keyId, keys: [{ keyId }] })).rejects.toMatchObject({
      code: 'DEK_KMS',
      details: { field: 'keys[0]', code: 'Forbidden.NoPermission' },
    });
    expect(generated!.every((b) => b === 0)).toBe(true);
  });
});

describe('a differently configured encryptor', () => {
  it('suite 128, three slots on two KMSs (one a LocalKms), unicode context: decrypts through kmsByProvider', async () => {
    const local = new LocalKms();
    const k1 = (await local.createKey()).keyMetadata.keyId;
    const k2 = (await local.createKey()).keyMetadata.keyId;
    const other = new FakeKms('alibaba-kms');
    const k3 = other.createKey();
    const context = { 'tenant/ü': 'Ωmega', empty: '', z: 'last' };
    const envelope = (
      await runNode(
        encryptStream({ kms: local, keyId: k1, keys: [{ keyId: k2 }, { kms: other, keyId: k3 }], suite: 'cobblestone-128', context }),
        splitBy(plaintext, [333, 20000]),
      )
    ).output;
    const info = await inspect(envelope);
    expect(info.suite).toBe('cobblestone-128');
    expect(info.context).toEqual(context);
    const headers: unknown[] = [];
    const out = await runNode(
      decryptStream({ kmsByProvider: { local, 'alibaba-kms': other }, onHeader: (h) => headers.push(h.context) }),
      splitBy(envelope, [5000]),
    );
    expect(sameBytes(out.output, plaintext)).toBe(true);
    expect(headers).toEqual([context]);
    expect(sameBytes(await decrypt(envelope, { kms: other }), plaintext)).toBe(true);
  });

  it('onHeader can refuse an unexpected context: that error, before any plaintext', async () => {
    const kms = new FakeKms();
    const envelope = await encrypt(plaintext, { kms, keyId: kms.createKey(), context: { tenant: 'a' } });
    const refusal = new Error('unexpected tenant');
    const result = await runNode(
      decryptStream({
        kms,
        onHeader: (h) => {
          if (h.context.tenant !== 'b') throw refusal;
        },
      }),
      [envelope],
    );
    expect(result.error).toBe(refusal);
    expect(result.output.length).toBe(0);
  });
});

describe('option checks (ArgumentError naming the field, before any KMS call)', () => {
  const kms = new FakeKms();
  const keyId = kms.createKey();
  const field = (f: () => unknown): string | undefined => {
    try {
      f();
    } catch (error) {
      expect(error).toBeInstanceOf(ArgumentError);
      return (error as DekError).details.field;
    }
    return undefined;
  };

  it('encryption options', () => {
    expect(field(() => encryptStream({} as never))).toBe('kms');
    expect(field(() => encryptStream({ kms, keyId: '' }))).toBe('keyId');
    expect(field(() => encryptStream({ kms, keyId, suite: 'aes' as never }))).toBe('suite');
    expect(field(() => encryptStream({ kms, keyId, context: { a: 1 } as never }))).toBe('context');
    expect(field(() => encryptStream({ kms, keyId, context: [] as never }))).toBe('context');
    expect(field(() => encryptStream({ kms, keyId, keys: [{}] as never }))).toBe('keys[0].keyId');
    expect(field(() => encryptStream({ kms, keyId, keys: [{ kms: {}, keyId }] as never }))).toBe('keys[0].kms');
    expect(field(() => encryptStream({ kms, keyId, keys: Array.from({ length: 16 }, () => ({ keyId })) }))).toBe('keys');
    expect(field(() => encryptWebStream({ kms, keyId, dataKeys: {} as never }))).toBe('dataKeys');
    expect(field(() => encryptStream({ kms, keyId, context: { k: 'x'.repeat(9000) } }))).toBe('context');
    expect(kms.calls.generate).toBe(0);
  });

  it('decryption options and inputs', async () => {
    expect(field(() => decryptStream({}))).toBe('kms');
    expect(field(() => decryptWebStream({ kmsByProvider: { local: {} } } as never))).toBe('kmsByProvider.local');
    await expect(decrypt('x' as never, { kms })).rejects.toMatchObject({ details: { field: 'envelope' } });
    await expect(encrypt('x' as never, { kms, keyId })).rejects.toMatchObject({ details: { field: 'plaintext' } });
    const web = await runWeb(encryptWebStream({ kms, keyId }), ['text' as never]);
    expect(web.error).toMatchObject({ code: 'DEK_ARGUMENT', details: { field: 'chunk' } });
  });
});
