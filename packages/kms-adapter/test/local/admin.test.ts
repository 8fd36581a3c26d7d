import { describe, expect, test } from 'vitest';
import { LocalKms } from '@dek/kms-adapter';
import { expectKmsError, FakeClock, UUID } from '../helpers.js';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

describe('LocalKms key administration', () => {
  test('createKey: metadata shaped like Alibaba KeyMetadata, ISO dates without ms', async () => {
    const clock = new FakeClock();
    const kms = new LocalKms({ now: clock.now, region: 'cn-hangzhou', accountId: '1234' });
    const r = await kms.createKey({ description: 'backups' });
    expect(r.requestId).toMatch(UUID);
    const m = r.keyMetadata;
    expect(m).toEqual({
      keyId: expect.stringMatching(/^key-[0-9a-z]{21}$/),
      arn: `acs:kms:cn-hangzhou:1234:key/${m.keyId}`,
      creationDate: '2026-01-01T00:00:00Z',
      description: 'backups',
      keySpec: 'Aliyun_AES_256',
      keyState: 'Enabled',
      keyUsage: 'ENCRYPT/DECRYPT',
      origin: 'Aliyun_KMS',
      protectionLevel: 'SOFTWARE',
      primaryKeyVersion: expect.stringMatching(new RegExp(`^${m.keyId}-[0-9a-z]{10}$`)),
      lastRotationDate: '2026-01-01T00:00:00Z',
      automaticRotation: 'Disabled',
    });
    expect((await kms.describeKey({ keyId: m.arn })).keyMetadata).toEqual(m);
  });

  test('createKey with rotation reports interval in seconds and the next rotation date', async () => {
    const clock = new FakeClock();
    const kms = new LocalKms({ now: clock.now });
    const { keyMetadata } = await kms.createKey({ enableAutomaticRotation: true, rotationInterval: '7d' });
    expect(keyMetadata).toMatchObject({ automaticRotation: 'Enabled', rotationInterval: '604800s', nextRotationDate: '2026-01-08T00:00:00Z' });
    expect(keyMetadata.creationDate).toMatch(ISO);
  });

  test('createKey rejects bad parameters with the right codes', async () => {
    const kms = new LocalKms();
    await expectKmsError(kms.createKey({ keySpec: 'AES_999' as never }), 400, 'InvalidParameter', 'The specified parameter "KeySpec" is not valid.');
    await expectKmsError(kms.createKey({ keySpec: 'Aliyun_SM4' }), 400, 'Rejected.UnsupportedOperation');
    await expectKmsError(kms.createKey({ keyUsage: 'SIGN/VERIFY' }), 400, 'InvalidParameter', 'The specified parameter "KeyUsage" is not valid.');
    await expectKmsError(kms.createKey({ description: 'x'.repeat(8193) }), 400, 'InvalidParameter', 'The specified parameter "Description" is not valid.');
    await expectKmsError(kms.createKey({ enableAutomaticRotation: true }), 400, 'MissingParameter', 'The parameter "RotationInterval" is needed but not provided.');
    await expectKmsError(kms.createKey({ enableAutomaticRotation: true, rotationInterval: '6d' }), 400, 'InvalidParameter', 'The specified parameter "RotationInterval" is not valid.');
    await expectKmsError(kms.createKey({ enableAutomaticRotation: 'yes' as never }), 400, 'InvalidParameter');
    await expectKmsError(kms.createKey({ keySpec: 'EC_P256', enableAutomaticRotation: true, rotationInterval: '7d' }), 400, 'Rejected.UnsupportedOperation');
    expect((await kms.listKeys()).totalCount).toBe(0);
  });

  test('listKeys pages in creation order', async () => {
    const kms = new LocalKms();
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push((await kms.createKey()).keyMetadata.keyId);
    const first = await kms.listKeys();
    expect(first).toMatchObject({ totalCount: 12, pageNumber: 1, pageSize: 10 });
    expect(first.keys.map((k) => k.keyId)).toEqual(ids.slice(0, 10));
    expect(first.keys[0]!.keyArn).toBe(`acs:kms:local:0:key/${ids[0]}`);
    const second = await kms.listKeys({ pageNumber: 2, pageSize: 10 });
    expect(second.keys.map((k) => k.keyId)).toEqual(ids.slice(10));
    expect((await kms.listKeys({ pageNumber: 5 })).keys).toEqual([]);
    await expectKmsError(kms.listKeys({ pageSize: 101 }), 400, 'InvalidParameter', 'The specified parameter "PageSize" is not valid.');
    await expectKmsError(kms.listKeys({ pageNumber: 0 }), 400, 'InvalidParameter', 'The specified parameter "PageNumber" is not valid.');
  });

  test('describeKey: missing KeyId, unknown key, unknown alias', async () => {
    const kms = new LocalKms();
    await expectKmsError(kms.describeKey({} as never), 400, 'MissingParameter', 'The parameter "KeyId" is needed but not provided.');
    await expectKmsError(kms.describeKey({ keyId: 'key-aaaaaaaaaaaaaaaaaaaaa' }), 404, 'Forbidden.KeyNotFound');
    await expectKmsError(kms.describeKey({ keyId: 'alias/nope' }), 404, 'Forbidden.AliasNotFound');
  });
});

describe('aliases', () => {
  test('create, list, update, delete', async () => {
    const kms = new LocalKms();
    const a = (await kms.createKey()).keyMetadata.keyId;
    const b = (await kms.createKey()).keyMetadata.keyId;
    expect((await kms.createAlias({ aliasName: 'alias/zeta', keyId: a })).requestId).toMatch(UUID);
    await kms.createAlias({ aliasName: 'alias/alpha', keyId: a });
    await kms.createAlias({ aliasName: 'alias/b:1/x_y-z', keyId: b });
    const all = await kms.listAliases();
    expect(all.totalCount).toBe(3);
    expect(all.aliases.map((x) => x.aliasName)).toEqual(['alias/alpha', 'alias/b:1/x_y-z', 'alias/zeta']);
    expect(all.aliases[0]).toEqual({ aliasName: 'alias/alpha', aliasArn: 'acs:kms:local:0:alias/alpha', keyId: a });
    expect((await kms.listAliasesByKeyId({ keyId: a })).aliases.map((x) => x.aliasName)).toEqual(['alias/alpha', 'alias/zeta']);
    await kms.updateAlias({ aliasName: 'alias/zeta', keyId: b });
    expect((await kms.describeKey({ keyId: 'alias/zeta' })).keyMetadata.keyId).toBe(b);
    await kms.deleteAlias({ aliasName: 'alias/zeta' });
    await expectKmsError(kms.describeKey({ keyId: 'alias/zeta' }), 404, 'Forbidden.AliasNotFound');
  });

  test('alias errors: exists, not found, invalid name, missing, pending deletion', async () => {
    const kms = new LocalKms();
    const keyId = (await kms.createKey()).keyMetadata.keyId;
    await kms.createAlias({ aliasName: 'alias/app', keyId });
    await expectKmsError(kms.createAlias({ aliasName: 'alias/app', keyId }), 400, 'AliasAlreadyExists', 'AliasName Already Exists.');
    await expectKmsError(kms.updateAlias({ aliasName: 'alias/other', keyId }), 404, 'Forbidden.AliasNotFound');
    await expectKmsError(kms.deleteAlias({ aliasName: 'alias/other' }), 404, 'Forbidden.AliasNotFound');
    for (const aliasName of ['app', 'alias/', 'alias/has space', `alias/${'a'.repeat(256)}`, 'alias/ü']) {
      await expectKmsError(kms.createAlias({ aliasName, keyId }), 400, 'InvalidParameter', 'The specified parameter "AliasName" is not valid.');
    }
    await expectKmsError(kms.createAlias({ keyId } as never), 400, 'MissingParameter', 'The parameter "AliasName" is needed but not provided.');
    await expectKmsError(kms.createAlias({ aliasName: 'alias/x', keyId: 'key-aaaaaaaaaaaaaaaaaaaaa' }), 404, 'Forbidden.KeyNotFound');
    await kms.scheduleKeyDeletion({ keyId, pendingWindowInDays: 7 });
    await expectKmsError(kms.createAlias({ aliasName: 'alias/late', keyId }), 409, 'Rejected.StateModifiedFailed');
    const other = (await kms.createKey()).keyMetadata.keyId;
    await kms.createAlias({ aliasName: 'alias/o', keyId: other });
    await expectKmsError(kms.updateAlias({ aliasName: 'alias/o', keyId }), 409, 'Rejected.StateModifiedFailed');
    expect((await kms.listAliases()).totalCount).toBe(2);
  });
});

describe('key versions', () => {
  test('createKeyVersion makes a new primary; advance calls use it, non-advance calls the initial one; all decrypt', async () => {
    const clock = new FakeClock();
    const kms = new LocalKms({ now: clock.now });
    const { keyMetadata } = await kms.createKey();
    const keyId = keyMetadata.keyId;
    const initial = keyMetadata.primaryKeyVersion;
    const before = await kms.advanceGenerateDataKey({ keyId, numberOfBytes: 32 });
    clock.advanceDays(1);
    const { keyVersion } = await kms.createKeyVersion({ keyId });
    expect(keyVersion).toEqual({ keyId, keyVersionId: expect.stringMatching(new RegExp(`^${keyId}-[0-9a-z]{10}$`)), creationDate: '2026-01-02T00:00:00Z' });
    expect(keyVersion.keyVersionId).not.toBe(initial);
    const described = (await kms.describeKey({ keyId })).keyMetadata;
    expect(described).toMatchObject({ primaryKeyVersion: keyVersion.keyVersionId, lastRotationDate: '2026-01-02T00:00:00Z' });

    const after = await kms.advanceGenerateDataKey({ keyId, numberOfBytes: 32 });
    expect(after.keyVersionId).toBe(keyVersion.keyVersionId);
    const encrypted = await kms.advanceEncrypt({ keyId, plaintext: new Uint8Array([1]) });
    expect(encrypted.keyVersionId).toBe(keyVersion.keyVersionId);
    const basic = await kms.generateDataKey({ keyId });
    expect(basic.keyVersionId).toBe(initial);
    expect((await kms.encrypt({ keyId, plaintext: new Uint8Array([1]) })).keyVersionId).toBe(initial);

    const d1 = await kms.advanceDecrypt({ ciphertextBlob: before.ciphertextBlob });
    expect(d1.keyVersionId).toBe(initial);
    expect(d1.plaintext).toEqual(before.plaintext);
    const d2 = await kms.advanceDecrypt({ ciphertextBlob: after.ciphertextBlob });
    expect(d2.keyVersionId).toBe(keyVersion.keyVersionId);
    expect(d2.plaintext).toEqual(after.plaintext);
    const d3 = await kms.decrypt({ ciphertextBlob: basic.ciphertextBlob, keyId, iv: basic.iv, algorithm: 'AES_GCM' });
    expect(d3.plaintext).toEqual(basic.plaintext);
  });

  test('listKeyVersions (oldest first, paged) and describeKeyVersion', async () => {
    const kms = new LocalKms();
    const { keyMetadata } = await kms.createKey();
    const keyId = keyMetadata.keyId;
    const ids = [keyMetadata.primaryKeyVersion];
    for (let i = 0; i < 3; i++) ids.push((await kms.createKeyVersion({ keyId })).keyVersion.keyVersionId);
    const listed = await kms.listKeyVersions({ keyId, pageSize: 3 });
    expect(listed).toMatchObject({ totalCount: 4, pageNumber: 1, pageSize: 3 });
    expect(listed.keyVersions.map((v) => v.keyVersionId)).toEqual(ids.slice(0, 3));
    expect((await kms.listKeyVersions({ keyId, pageNumber: 2, pageSize: 3 })).keyVersions.map((v) => v.keyVersionId)).toEqual(ids.slice(3));
    expect((await kms.describeKeyVersion({ keyId, keyVersionId: ids[2]! })).keyVersion.keyVersionId).toBe(ids[2]);
    await expectKmsError(kms.describeKeyVersion({ keyId, keyVersionId: `${keyId}-0000000000` }), 404, 'Forbidden.KeyNotFound');
    await expectKmsError(kms.describeKeyVersion({ keyId } as never), 400, 'MissingParameter', 'The parameter "KeyVersionId" is needed but not provided.');
  });

  test('createKeyVersion needs an Enabled symmetric key', async () => {
    const kms = new LocalKms();
    const keyId = (await kms.createKey()).keyMetadata.keyId;
    await kms.disableKey({ keyId });
    await expectKmsError(kms.createKeyVersion({ keyId }), 409, 'Rejected.Disabled');
    await kms.enableKey({ keyId });
    await kms.scheduleKeyDeletion({ keyId, pendingWindowInDays: 30 });
    await expectKmsError(kms.createKeyVersion({ keyId }), 409, 'Rejected.PendingDeletion');
    const ec = (await kms.createKey({ keySpec: 'EC_P256' })).keyMetadata.keyId;
    await expectKmsError(kms.createKeyVersion({ keyId: ec }), 400, 'Rejected.UnsupportedOperation');
  });
});

describe('enable, disable, deletion', () => {
  test('state changes follow Alibaba’s table', async () => {
    const clock = new FakeClock();
    const kms = new LocalKms({ now: clock.now });
    const keyId = (await kms.createKey()).keyMetadata.keyId;
    await kms.disableKey({ keyId });
    expect((await kms.describeKey({ keyId })).keyMetadata.keyState).toBe('Disabled');
    await kms.disableKey({ keyId });
    await expectKmsError(kms.cancelKeyDeletion({ keyId }), 409, 'Rejected.StateModifiedFailed');
    await kms.scheduleKeyDeletion({ keyId, pendingWindowInDays: 7 });
    const m = (await kms.describeKey({ keyId })).keyMetadata;
    expect(m).toMatchObject({ keyState: 'PendingDeletion', deleteDate: '2026-01-08T00:00:00Z' });
    await expectKmsError(kms.enableKey({ keyId }), 409, 'Rejected.StateModifiedFailed');
    await expectKmsError(kms.disableKey({ keyId }), 409, 'Rejected.StateModifiedFailed');
    await expectKmsError(kms.scheduleKeyDeletion({ keyId, pendingWindowInDays: 7 }), 409, 'Rejected.StateModifiedFailed');
    await kms.cancelKeyDeletion({ keyId });
    const back = (await kms.describeKey({ keyId })).keyMetadata;
    expect(back.keyState).toBe('Enabled');
    expect(back.deleteDate).toBeUndefined();
    await expectKmsError(kms.cancelKeyDeletion({ keyId }), 409, 'Rejected.StateModifiedFailed');
  });

  test('PendingWindowInDays must be an integer 7..30', async () => {
    const kms = new LocalKms();
    const keyId = (await kms.createKey()).keyMetadata.keyId;
    for (const days of [6, 31, 7.5, '7' as unknown as number]) {
      await expectKmsError(kms.scheduleKeyDeletion({ keyId, pendingWindowInDays: days }), 400, 'InvalidParameter', 'The specified parameter "PendingWindowInDays" is not valid.');
    }
    await expectKmsError(kms.scheduleKeyDeletion({ keyId } as never), 400, 'MissingParameter', 'The parameter "PendingWindowInDays" is needed but not provided.');
    await kms.scheduleKeyDeletion({ keyId, pendingWindowInDays: 30 });
  });

  test('after the window the key and its aliases are gone', async () => {
    const clock = new FakeClock();
    const kms = new LocalKms({ now: clock.now });
    const keyId = (await kms.createKey()).keyMetadata.keyId;
    const keep = (await kms.createKey()).keyMetadata.keyId;
    await kms.createAlias({ aliasName: 'alias/doomed', keyId });
    await kms.scheduleKeyDeletion({ keyId, pendingWindowInDays: 7 });
    clock.advanceDays(7);
    clock.advanceMs(-1);
    expect((await kms.describeKey({ keyId })).keyMetadata.keyState).toBe('PendingDeletion');
    clock.advanceMs(1);
    await expectKmsError(kms.describeKey({ keyId }), 404, 'Forbidden.KeyNotFound');
    await expectKmsError(kms.describeKey({ keyId: 'alias/doomed' }), 404, 'Forbidden.AliasNotFound');
    expect((await kms.listKeys()).keys.map((k) => k.keyId)).toEqual([keep]);
    expect((await kms.listAliases()).totalCount).toBe(0);
  });
});
