import { describe, expect, test } from 'vitest';
import { LocalKms } from '@dek/kms-adapter';
import { expectKmsError, FakeClock } from '../helpers.js';

async function rotatingKey(interval = '7d') {
  const clock = new FakeClock();
  const kms = new LocalKms({ now: clock.now });
  const { keyMetadata } = await kms.createKey({ enableAutomaticRotation: true, rotationInterval: interval });
  return { clock, kms, keyId: keyMetadata.keyId, initial: keyMetadata.primaryKeyVersion };
}

describe('automatic rotation (lazy, injectable clock)', () => {
  test('rotates exactly when lastRotationDate + interval has passed', async () => {
    const { clock, kms, keyId, initial } = await rotatingKey('7d');
    const old = await kms.advanceGenerateDataKey({ keyId, numberOfBytes: 32 });
    clock.advanceDays(7);
    clock.advanceMs(-1);
    expect((await kms.advanceGenerateDataKey({ keyId, numberOfBytes: 32 })).keyVersionId).toBe(initial);
    clock.advanceMs(1);
    const fresh = await kms.advanceGenerateDataKey({ keyId, numberOfBytes: 32 });
    expect(fresh.keyVersionId).not.toBe(initial);
    const m = (await kms.describeKey({ keyId })).keyMetadata;
    expect(m).toMatchObject({
      primaryKeyVersion: fresh.keyVersionId,
      lastRotationDate: '2026-01-08T00:00:00Z',
      nextRotationDate: '2026-01-15T00:00:00Z',
      automaticRotation: 'Enabled',
      rotationInterval: '604800s',
    });
    // non-advance calls stay on the initial version; everything still decrypts
    expect((await kms.generateDataKey({ keyId })).keyVersionId).toBe(initial);
    expect((await kms.advanceDecrypt({ ciphertextBlob: old.ciphertextBlob })).plaintext).toEqual(old.plaintext);
    expect((await kms.advanceDecrypt({ ciphertextBlob: fresh.ciphertextBlob })).plaintext).toEqual(fresh.plaintext);
  });

  test('after several intervals one new version is made, dated at the call; the next is one interval later', async () => {
    const { clock, kms, keyId } = await rotatingKey('7d');
    clock.advanceDays(30);
    await kms.describeKey({ keyId });
    const versions = await kms.listKeyVersions({ keyId });
    expect(versions.totalCount).toBe(2);
    expect(versions.keyVersions[1]!.creationDate).toBe('2026-01-31T00:00:00Z');
    expect((await kms.describeKey({ keyId })).keyMetadata.nextRotationDate).toBe('2026-02-07T00:00:00Z');
    clock.advanceDays(7);
    expect((await kms.listKeyVersions({ keyId })).totalCount).toBe(3);
  });

  test('hour, minute and second units', async () => {
    for (const interval of ['168h', '10080m', '604800s']) {
      const { clock, kms, keyId, initial } = await rotatingKey(interval);
      clock.advanceDays(7);
      expect((await kms.advanceEncrypt({ keyId, plaintext: new Uint8Array([1]) })).keyVersionId).not.toBe(initial);
    }
  });

  test('a Disabled key does not rotate (Suspended) and catches up once enabled', async () => {
    const { clock, kms, keyId, initial } = await rotatingKey('7d');
    await kms.disableKey({ keyId });
    expect((await kms.describeKey({ keyId })).keyMetadata.automaticRotation).toBe('Suspended');
    clock.advanceDays(10);
    expect((await kms.describeKey({ keyId })).keyMetadata.primaryKeyVersion).toBe(initial);
    await kms.enableKey({ keyId });
    const m = (await kms.describeKey({ keyId })).keyMetadata;
    expect(m.primaryKeyVersion).not.toBe(initial);
    expect(m.automaticRotation).toBe('Enabled');
  });

  test('updateRotationPolicy turns rotation on and off', async () => {
    const clock = new FakeClock();
    const kms = new LocalKms({ now: clock.now });
    const { keyMetadata } = await kms.createKey();
    const keyId = keyMetadata.keyId;
    await kms.updateRotationPolicy({ keyId, enableAutomaticRotation: true, rotationInterval: '14d' });
    expect((await kms.describeKey({ keyId })).keyMetadata).toMatchObject({
      automaticRotation: 'Enabled',
      rotationInterval: '1209600s',
      nextRotationDate: '2026-01-15T00:00:00Z',
    });
    clock.advanceDays(14);
    expect((await kms.listKeyVersions({ keyId })).totalCount).toBe(2);
    await kms.updateRotationPolicy({ keyId, enableAutomaticRotation: false });
    const off = (await kms.describeKey({ keyId })).keyMetadata;
    expect(off.automaticRotation).toBe('Disabled');
    expect(off.rotationInterval).toBeUndefined();
    expect(off.nextRotationDate).toBeUndefined();
    clock.advanceDays(100);
    expect((await kms.listKeyVersions({ keyId })).totalCount).toBe(2);
  });

  test('updateRotationPolicy errors', async () => {
    const kms = new LocalKms();
    const keyId = (await kms.createKey()).keyMetadata.keyId;
    await expectKmsError(kms.updateRotationPolicy({ keyId } as never), 400, 'MissingParameter', 'The parameter "EnableAutomaticRotation" is needed but not provided.');
    await expectKmsError(kms.updateRotationPolicy({ keyId, enableAutomaticRotation: true }), 400, 'MissingParameter', 'The parameter "RotationInterval" is needed but not provided.');
    await expectKmsError(kms.updateRotationPolicy({ keyId, enableAutomaticRotation: true, rotationInterval: '366d' }), 400, 'InvalidParameter', 'The specified parameter "RotationInterval" is not valid.');
    await expectKmsError(kms.updateRotationPolicy({ keyId, enableAutomaticRotation: true, rotationInterval: '1w' }), 400, 'InvalidParameter');
    await expectKmsError(kms.updateRotationPolicy({ keyId: 'alias/none', enableAutomaticRotation: false }), 404, 'Forbidden.AliasNotFound');
    const ec = (await kms.createKey({ keySpec: 'EC_P256' })).keyMetadata.keyId;
    await expectKmsError(kms.updateRotationPolicy({ keyId: ec, enableAutomaticRotation: true, rotationInterval: '7d' }), 400, 'Rejected.UnsupportedOperation');
    await kms.disableKey({ keyId });
    await expectKmsError(kms.updateRotationPolicy({ keyId, enableAutomaticRotation: true, rotationInterval: '7d' }), 409, 'Rejected.Disabled');
  });

  test('no rotation while pending deletion', async () => {
    const { clock, kms, keyId, initial } = await rotatingKey('7d');
    await kms.scheduleKeyDeletion({ keyId, pendingWindowInDays: 30 });
    clock.advanceDays(20);
    const m = (await kms.describeKey({ keyId })).keyMetadata;
    expect(m.primaryKeyVersion).toBe(initial);
    expect(m.automaticRotation).toBe('Suspended');
  });
});
