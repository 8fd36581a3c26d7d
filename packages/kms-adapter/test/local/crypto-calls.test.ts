import { describe, expect, test } from 'vitest';
import { LocalKms } from '@dek/kms-adapter';
import type { KmsServiceError } from '@dek/kms-adapter';
import { expectKmsError, UUID } from '../helpers.js';

const text = (s: string) => new TextEncoder().encode(s);

async function setup() {
  const kms = new LocalKms();
  const { keyMetadata } = await kms.createKey({ description: 'test key' });
  return { kms, keyId: keyMetadata.keyId, initial: keyMetadata.primaryKeyVersion };
}

describe('LocalKms advance calls', () => {
  test('advanceGenerateDataKey: the advance blob layout byte for byte, and it decrypts', async () => {
    const { kms, keyId, initial } = await setup();
    const aad = text('context');
    const r = await kms.advanceGenerateDataKey({ keyId, numberOfBytes: 32, aad });
    expect(r).toMatchObject({ keyId, keyVersionId: initial, algorithm: 'AES_GCM' });
    expect(r.requestId).toMatch(UUID);
    expect(r.plaintext).toHaveLength(32);
    expect(r.iv).toHaveLength(12);
    const blob = r.ciphertextBlob;
    expect(blob).toHaveLength(3 + 36 + 12 + 32 + 16);
    expect([...blob.subarray(0, 3)]).toEqual([0x24, 0x00, 0x02]);
    expect(new TextDecoder().decode(blob.subarray(3, 39))).toBe(initial);
    expect(blob.subarray(39, 51)).toEqual(r.iv);
    expect(blob.subarray(51, 51 + 32)).not.toEqual(r.plaintext);
    const d = await kms.advanceDecrypt({ ciphertextBlob: blob, aad });
    expect(d).toMatchObject({ keyId, keyVersionId: initial, algorithm: 'AES_GCM' });
    expect(d.plaintext).toEqual(r.plaintext);
    expect(d.requestId).toMatch(UUID);
    expect(d.requestId).not.toBe(r.requestId);
  });

  test('NumberOfBytes 1 and 1024 work; 0, 1025, fractions, strings fail; absent is MissingParameter', async () => {
    const { kms, keyId } = await setup();
    expect((await kms.advanceGenerateDataKey({ keyId, numberOfBytes: 1 })).plaintext).toHaveLength(1);
    expect((await kms.advanceGenerateDataKey({ keyId, numberOfBytes: 1024 })).plaintext).toHaveLength(1024);
    for (const numberOfBytes of [0, 1025, 1.5, -1, Number.NaN, '32' as unknown as number]) {
      await expectKmsError(
        kms.advanceGenerateDataKey({ keyId, numberOfBytes }),
        400,
        'InvalidParameter',
        'The specified parameter "NumberOfBytes" is not valid.',
      );
    }
    await expectKmsError(kms.generateDataKey({ keyId, numberOfBytes: 1025 }), 400, 'InvalidParameter');
    await expectKmsError(
      kms.advanceGenerateDataKey({ keyId } as never),
      400,
      'MissingParameter',
      'The parameter "NumberOfBytes" is needed but not provided.',
    );
  });

  test('KeyId absent, empty or not a string', async () => {
    const { kms } = await setup();
    const missing = 'The parameter "KeyId" is needed but not provided.';
    await expectKmsError(kms.advanceGenerateDataKey({ numberOfBytes: 32 } as never), 400, 'MissingParameter', missing);
    await expectKmsError(kms.advanceGenerateDataKey({ keyId: '', numberOfBytes: 32 }), 400, 'MissingParameter', missing);
    await expectKmsError(kms.encrypt({ keyId: 5 as never, plaintext: text('x') }), 400, 'InvalidParameter');
    await expectKmsError(kms.advanceGenerateDataKey(undefined as never), 400, 'MissingParameter', missing);
    await expectKmsError(kms.advanceGenerateDataKey('key' as never), 400, 'InvalidParameter');
  });

  test('Aad up to 8192 bytes; more is InvalidParameter Aad', async () => {
    const { kms, keyId } = await setup();
    const ok = new Uint8Array(8192).fill(7);
    const r = await kms.advanceGenerateDataKey({ keyId, numberOfBytes: 16, aad: ok });
    expect((await kms.advanceDecrypt({ ciphertextBlob: r.ciphertextBlob, aad: ok })).plaintext).toEqual(r.plaintext);
    const big = new Uint8Array(8193);
    await expectKmsError(kms.advanceGenerateDataKey({ keyId, numberOfBytes: 16, aad: big }), 400, 'InvalidParameter', 'The specified parameter "Aad" is not valid.');
    await expectKmsError(kms.advanceDecrypt({ ciphertextBlob: r.ciphertextBlob, aad: big }), 400, 'InvalidParameter');
    await expectKmsError(kms.advanceEncrypt({ keyId, plaintext: text('x'), aad: 'aad' as never }), 400, 'InvalidParameter');
  });

  test('keys resolve by id, alias and ARN; the response has the resolved id', async () => {
    const { kms, keyId } = await setup();
    await kms.createAlias({ aliasName: 'alias/app', keyId });
    const { keyMetadata } = await kms.describeKey({ keyId });
    for (const name of [keyId, 'alias/app', keyMetadata.arn, 'acs:kms:local:0:alias/app']) {
      expect((await kms.advanceGenerateDataKey({ keyId: name, numberOfBytes: 8 })).keyId).toBe(keyId);
    }
  });

  test('unknown key 404 Forbidden.KeyNotFound, unknown alias 404 Forbidden.AliasNotFound', async () => {
    const { kms } = await setup();
    await expectKmsError(kms.advanceGenerateDataKey({ keyId: 'key-000000000000000000000', numberOfBytes: 32 }), 404, 'Forbidden.KeyNotFound', 'The specified Key is not found.');
    await expectKmsError(kms.generateDataKey({ keyId: 'no-such-thing' }), 404, 'Forbidden.KeyNotFound');
    await expectKmsError(kms.advanceEncrypt({ keyId: 'acs:kms:cn-hangzhou:123:key/key-000000000000000000000', plaintext: text('x') }), 404, 'Forbidden.KeyNotFound');
    await expectKmsError(kms.encrypt({ keyId: 'alias/missing', plaintext: text('x') }), 404, 'Forbidden.AliasNotFound', 'The specified Alias is not found.');
    await expectKmsError(kms.encrypt({ keyId: 'acs:kms:local:0:alias/missing', plaintext: text('x') }), 404, 'Forbidden.AliasNotFound');
  });

  test('advanceEncrypt: caller plaintext, a fresh random IV, AES_GCM only, 1..65536 bytes', async () => {
    const { kms, keyId, initial } = await setup();
    const r = await kms.advanceEncrypt({ keyId, plaintext: text('hello'), algorithm: 'AES_GCM', aad: text('a') });
    expect(r).toMatchObject({ keyId, keyVersionId: initial, algorithm: 'AES_GCM' });
    expect(r.iv).toHaveLength(12);
    expect(r.ciphertextBlob.subarray(39, 51)).toEqual(r.iv);
    expect((await kms.advanceEncrypt({ keyId, plaintext: text('hello'), aad: text('a') })).iv).not.toEqual(r.iv);
    expect(new TextDecoder().decode((await kms.advanceDecrypt({ ciphertextBlob: r.ciphertextBlob, aad: text('a') })).plaintext)).toBe('hello');
    const big = await kms.advanceEncrypt({ keyId, plaintext: new Uint8Array(65536) });
    expect((await kms.advanceDecrypt({ ciphertextBlob: big.ciphertextBlob })).plaintext).toHaveLength(65536);
    await expectKmsError(kms.advanceEncrypt({ keyId, plaintext: new Uint8Array(65537) }), 400, 'InvalidParameter', 'The specified parameter "Plaintext" is not valid.');
    await expectKmsError(kms.advanceEncrypt({ keyId, plaintext: new Uint8Array(0) }), 400, 'MissingParameter', 'The parameter "Plaintext" is needed but not provided.');
    await expectKmsError(kms.advanceEncrypt({ keyId, plaintext: text('x'), iv: new Uint8Array(16) }), 400, 'InvalidParameter', 'The specified parameter "Iv" is not valid.');
    await expectKmsError(kms.advanceEncrypt({ keyId, plaintext: text('x'), algorithm: 'AES_CBC' as never }), 400, 'InvalidParameter', 'The specified parameter "Algorithm" is not valid.');
  });

  test("advanceEncrypt refuses a caller's IV, so a victim blob's IV cannot be reused to read its key stream", async () => {
    const { kms, keyId } = await setup();
    const victim = await kms.advanceGenerateDataKey({ keyId, numberOfBytes: 32 });
    const victimIv = victim.ciphertextBlob.subarray(39, 51);
    // With the victim's IV, encrypting 32 zero bytes would return the key stream: XOR gives the data key.
    await expectKmsError(kms.advanceEncrypt({ keyId, plaintext: new Uint8Array(32), iv: victimIv }), 400, 'InvalidParameter', 'The specified parameter "Iv" is not valid.');
    await expectKmsError(kms.advanceEncrypt({ keyId, plaintext: new Uint8Array(32), iv: new Uint8Array(12) }), 400, 'InvalidParameter', 'The specified parameter "Iv" is not valid.');
    await expectKmsError(kms.advanceEncrypt({ keyId, plaintext: new Uint8Array(32), iv: new Uint8Array(0) }), 400, 'InvalidParameter', 'The specified parameter "Iv" is not valid.');
  });

  test('advanceDecrypt: wrong Aad, tampered or malformed blob is 400 InvalidParameter CiphertextBlob; unknown version 404', async () => {
    const { kms, keyId } = await setup();
    const r = await kms.advanceGenerateDataKey({ keyId, numberOfBytes: 32, aad: text('right') });
    const bad = 'The specified parameter "CiphertextBlob" is not valid.';
    await expectKmsError(kms.advanceDecrypt({ ciphertextBlob: r.ciphertextBlob, aad: text('wrong') }), 400, 'InvalidParameter', bad);
    await expectKmsError(kms.advanceDecrypt({ ciphertextBlob: r.ciphertextBlob }), 400, 'InvalidParameter', bad);
    const flipped = r.ciphertextBlob.slice();
    flipped[flipped.length - 1]! ^= 1;
    await expectKmsError(kms.advanceDecrypt({ ciphertextBlob: flipped, aad: text('right') }), 400, 'InvalidParameter', bad);
    await expectKmsError(kms.advanceDecrypt({ ciphertextBlob: r.ciphertextBlob.subarray(0, 60) }), 400, 'InvalidParameter', bad);
    const wrongMagic = r.ciphertextBlob.slice();
    wrongMagic[0] = 0x25;
    await expectKmsError(kms.advanceDecrypt({ ciphertextBlob: wrongMagic, aad: text('right') }), 400, 'InvalidParameter', bad);
    const otherVersion = r.ciphertextBlob.slice();
    otherVersion.set(new TextEncoder().encode(`${keyId}-zzzzzzzzzz`), 3);
    await expectKmsError(kms.advanceDecrypt({ ciphertextBlob: otherVersion, aad: text('right') }), 404, 'Forbidden.KeyNotFound');
    await expectKmsError(kms.advanceDecrypt({} as never), 400, 'MissingParameter', 'The parameter "CiphertextBlob" is needed but not provided.');
  });

  test('advanceDecrypt with a KeyId that names another key is InvalidParameter KeyId', async () => {
    const { kms, keyId } = await setup();
    const other = (await kms.createKey()).keyMetadata.keyId;
    const r = await kms.advanceGenerateDataKey({ keyId, numberOfBytes: 32 });
    expect((await kms.advanceDecrypt({ ciphertextBlob: r.ciphertextBlob, keyId })).plaintext).toEqual(r.plaintext);
    await expectKmsError(kms.advanceDecrypt({ ciphertextBlob: r.ciphertextBlob, keyId: other }), 400, 'InvalidParameter', 'The specified parameter "KeyId" is not valid.');
  });
});

describe('LocalKms non-advance calls', () => {
  test('generateDataKey: 32 bytes by default, ct||tag with separate iv, initial version', async () => {
    const { kms, keyId, initial } = await setup();
    const aad = text('ctx');
    const r = await kms.generateDataKey({ keyId, aad });
    expect(r).toMatchObject({ keyId, keyVersionId: initial, algorithm: 'AES_GCM' });
    expect(r.plaintext).toHaveLength(32);
    expect(r.ciphertextBlob).toHaveLength(32 + 16);
    expect(r.iv).toHaveLength(12);
    const viaDecrypt = await kms.decrypt({ ciphertextBlob: r.ciphertextBlob, keyId, iv: r.iv, algorithm: 'AES_GCM', aad });
    expect(viaDecrypt).toMatchObject({ keyId, keyVersionId: initial, algorithm: 'AES_GCM' });
    expect(viaDecrypt.plaintext).toEqual(r.plaintext);
    const viaAdvance = await kms.advanceDecrypt({ ciphertextBlob: r.ciphertextBlob, keyId, iv: r.iv, algorithm: 'AES_GCM', aad });
    expect(viaAdvance.plaintext).toEqual(r.plaintext);
    expect(viaAdvance.keyVersionId).toBe(initial);
  });

  test('encrypt/decrypt round trip; wrong Aad, IV or bytes fail without plaintext', async () => {
    const { kms, keyId } = await setup();
    const r = await kms.encrypt({ keyId, plaintext: text('secret'), aad: text('a') });
    expect(r.ciphertextBlob).toHaveLength(6 + 16);
    const ok = await kms.decrypt({ ciphertextBlob: r.ciphertextBlob, keyId, iv: r.iv, algorithm: 'AES_GCM', aad: text('a') });
    expect(new TextDecoder().decode(ok.plaintext)).toBe('secret');
    const bad = 'The specified parameter "CiphertextBlob" is not valid.';
    await expectKmsError(kms.decrypt({ ciphertextBlob: r.ciphertextBlob, keyId, iv: r.iv, algorithm: 'AES_GCM', aad: text('b') }), 400, 'InvalidParameter', bad);
    await expectKmsError(kms.decrypt({ ciphertextBlob: r.ciphertextBlob, keyId, iv: new Uint8Array(12), algorithm: 'AES_GCM', aad: text('a') }), 400, 'InvalidParameter', bad);
    await expectKmsError(kms.decrypt({ ciphertextBlob: r.ciphertextBlob.subarray(0, 10), keyId, iv: r.iv, algorithm: 'AES_GCM' }), 400, 'InvalidParameter', bad);
    await expectKmsError(kms.decrypt({ ciphertextBlob: r.ciphertextBlob, keyId, algorithm: 'AES_GCM' } as never), 400, 'MissingParameter', 'The parameter "Iv" is needed but not provided.');
    await expectKmsError(kms.decrypt({ ciphertextBlob: r.ciphertextBlob, keyId, iv: new Uint8Array(16), algorithm: 'AES_GCM' }), 400, 'InvalidParameter', 'The specified parameter "Iv" is not valid.');
    await expectKmsError(kms.decrypt({ ciphertextBlob: r.ciphertextBlob, iv: r.iv, algorithm: 'AES_GCM' } as never), 400, 'MissingParameter', 'The parameter "KeyId" is needed but not provided.');
    await expectKmsError(kms.advanceDecrypt({ ciphertextBlob: r.ciphertextBlob, iv: r.iv }), 400, 'MissingParameter', 'The parameter "KeyId" is needed but not provided.');
  });

  test('Aliyun_AES_128 keys work for every call', async () => {
    const kms = new LocalKms();
    const { keyMetadata } = await kms.createKey({ keySpec: 'Aliyun_AES_128' });
    expect(keyMetadata.keySpec).toBe('Aliyun_AES_128');
    const keyId = keyMetadata.keyId;
    const a = await kms.advanceGenerateDataKey({ keyId, numberOfBytes: 16 });
    expect((await kms.advanceDecrypt({ ciphertextBlob: a.ciphertextBlob })).plaintext).toEqual(a.plaintext);
    const g = await kms.generateDataKey({ keyId });
    expect((await kms.decrypt({ ciphertextBlob: g.ciphertextBlob, keyId, iv: g.iv, algorithm: 'AES_GCM' })).plaintext).toEqual(g.plaintext);
  });
});

describe('LocalKms key kinds and states in crypto calls', () => {
  test.each(['EC_P256', 'EC_P256K', 'RSA_2048', 'RSA_3072'] as const)('a %s key: every symmetric call is 404 Forbidden.OnlySymmetricKeySupported', async (keySpec) => {
    const kms = new LocalKms();
    const { keyMetadata } = await kms.createKey({ keySpec });
    expect(keyMetadata).toMatchObject({ keySpec, keyUsage: keySpec.startsWith('RSA') ? 'ENCRYPT/DECRYPT' : 'SIGN/VERIFY' });
    const keyId = keyMetadata.keyId;
    const message = `The key ${keyId} is not a symmetric key. The API only supports symmetric keys.`;
    const advanceBlob = new Uint8Array([0x24, 0, 2, ...new TextEncoder().encode(keyMetadata.primaryKeyVersion), ...new Uint8Array(12 + 32)]);
    for (const call of allCalls(kms, keyId, advanceBlob, new Uint8Array(32), new Uint8Array(12))) {
      await expectKmsError(call(), 404, 'Forbidden.OnlySymmetricKeySupported', message);
    }
  });

  test('CreateKey takes the usages Alibaba allows per spec', async () => {
    const kms = new LocalKms();
    expect((await kms.createKey({ keySpec: 'RSA_2048', keyUsage: 'SIGN/VERIFY' })).keyMetadata.keyUsage).toBe('SIGN/VERIFY');
    await expectKmsError(kms.createKey({ keySpec: 'EC_P256', keyUsage: 'ENCRYPT/DECRYPT' }), 400, 'InvalidParameter', 'The specified parameter "KeyUsage" is not valid.');
    await expectKmsError(kms.createKey({ keySpec: 'Aliyun_AES_256', keyUsage: 'SIGN/VERIFY' }), 400, 'InvalidParameter');
    await expectKmsError(kms.createKey({ keySpec: 'RSA_2048', enableAutomaticRotation: true, rotationInterval: '30d' }), 400, 'Rejected.UnsupportedOperation');
  });

  test('Disabled keys refuse every crypto call with 409 Rejected.Disabled, also for old blobs', async () => {
    const { kms, keyId } = await setup();
    const blob = (await kms.advanceGenerateDataKey({ keyId, numberOfBytes: 32 })).ciphertextBlob;
    const g = await kms.generateDataKey({ keyId });
    await kms.disableKey({ keyId });
    const calls = allCalls(kms, keyId, blob, g.ciphertextBlob, g.iv);
    for (const call of calls) await expectKmsError(call(), 409, 'Rejected.Disabled', 'The request was rejected because the key state is Disabled.');
    await kms.enableKey({ keyId });
    for (const call of calls) await call();
  });

  test('keys pending deletion refuse every crypto call with 409 Rejected.PendingDeletion', async () => {
    const { kms, keyId } = await setup();
    const blob = (await kms.advanceGenerateDataKey({ keyId, numberOfBytes: 32 })).ciphertextBlob;
    const g = await kms.generateDataKey({ keyId });
    await kms.scheduleKeyDeletion({ keyId, pendingWindowInDays: 7 });
    for (const call of allCalls(kms, keyId, blob, g.ciphertextBlob, g.iv)) {
      await expectKmsError(call(), 409, 'Rejected.PendingDeletion');
    }
  });

  test('errors carry a fresh request id per call and never key or plaintext bytes', async () => {
    const { kms, keyId } = await setup();
    const r = await kms.advanceGenerateDataKey({ keyId, numberOfBytes: 32 });
    const e1 = await expectKmsError(kms.advanceDecrypt({ ciphertextBlob: r.ciphertextBlob, aad: text('x') }), 400, 'InvalidParameter');
    const e2: KmsServiceError = await expectKmsError(kms.advanceDecrypt({ ciphertextBlob: r.ciphertextBlob, aad: text('x') }), 400, 'InvalidParameter');
    expect(e1.requestId).not.toBe(e2.requestId);
    expect(e1.message).not.toContain(Buffer.from(r.plaintext).toString('hex'));
    expect(e1.message).not.toContain(Buffer.from(r.plaintext).toString('base64'));
  });
});

function allCalls(kms: LocalKms, keyId: string, advanceBlob: Uint8Array, blob: Uint8Array, iv: Uint8Array): Array<() => Promise<unknown>> {
  return [
    () => kms.advanceGenerateDataKey({ keyId, numberOfBytes: 32 }),
    () => kms.advanceEncrypt({ keyId, plaintext: text('x') }),
    () => kms.advanceDecrypt({ ciphertextBlob: advanceBlob }),
    () => kms.advanceDecrypt({ ciphertextBlob: blob, keyId, iv, algorithm: 'AES_GCM' }),
    () => kms.generateDataKey({ keyId }),
    () => kms.encrypt({ keyId, plaintext: text('x') }),
    () => kms.decrypt({ ciphertextBlob: blob, keyId, iv, algorithm: 'AES_GCM' }),
  ];
}
