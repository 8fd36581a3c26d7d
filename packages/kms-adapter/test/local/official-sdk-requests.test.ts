/**
 * LocalKms answers the two decrypt requests Alibaba's official KMS SDKs (Go, Java, transfer)
 * build from an OpenAPI blob `KeyVersionId | Iv | ciphertext | tag`: `AdvanceDecrypt` with the
 * advance blob and its own `Iv` but no `KeyId`, and `Decrypt` naming the version, not the key.
 */
import { describe, expect, test } from 'vitest';
import { LocalKms } from '@dek/kms-adapter';
import { expectKmsError } from '../helpers.js';

const aad = new Uint8Array([7, 7, 7]);

/** A key rotated once (so its primary version is not its initial one) and an advance blob under the primary. */
async function rotatedBlob() {
  const kms = new LocalKms();
  const keyId = (await kms.createKey()).keyMetadata.keyId;
  const primary = (await kms.createKeyVersion({ keyId })).keyVersion.keyVersionId;
  const g = await kms.advanceGenerateDataKey({ keyId, numberOfBytes: 32, aad });
  const openApi = g.ciphertextBlob.subarray(3);
  return { kms, keyId, primary, g, ektId: new TextDecoder().decode(openApi.subarray(0, 36)), iv: openApi.subarray(36, 48), body: openApi.subarray(48) };
}

describe('LocalKms: decrypt requests of the official SDKs', () => {
  test('AdvanceDecrypt of an advance blob with its Iv and no KeyId: the $ 00 02 header decides', async () => {
    const { kms, keyId, primary, g, iv } = await rotatedBlob();
    const d = await kms.advanceDecrypt({ ciphertextBlob: g.ciphertextBlob, iv, aad });
    expect(d).toMatchObject({ keyId, keyVersionId: primary });
    expect(d.plaintext).toEqual(g.plaintext);
    // An Iv that is not the blob's own is refused rather than ignored.
    await expectKmsError(kms.advanceDecrypt({ ciphertextBlob: g.ciphertextBlob, iv: new Uint8Array(12), aad }), 400, 'InvalidParameter', 'The specified parameter "Iv" is not valid.');
  });

  test('a non-advance blob with KeyId and Iv still opens under the initial version', async () => {
    const { kms, keyId } = await rotatedBlob();
    const e = await kms.encrypt({ keyId, plaintext: new Uint8Array([1, 2]), aad });
    const d = await kms.advanceDecrypt({ ciphertextBlob: e.ciphertextBlob, keyId, iv: e.iv, algorithm: 'AES_GCM', aad });
    expect(d.plaintext).toEqual(new Uint8Array([1, 2]));
    await expectKmsError(kms.advanceDecrypt({ ciphertextBlob: e.ciphertextBlob, iv: e.iv, aad }), 400, 'MissingParameter', 'The parameter "KeyId" is needed but not provided.');
  });

  test('Decrypt by key version, without KeyId, uses that version (here the primary, not the initial)', async () => {
    const { kms, keyId, primary, g, ektId, iv, body } = await rotatedBlob();
    const d = await kms.decrypt({ ciphertextBlob: body, keyVersionId: ektId, iv, algorithm: 'AES_GCM', aad });
    expect(d).toMatchObject({ keyId, keyVersionId: primary });
    expect(d.plaintext).toEqual(g.plaintext);
    expect((await kms.decrypt({ ciphertextBlob: body, keyId, keyVersionId: ektId, iv, algorithm: 'AES_GCM', aad })).plaintext).toEqual(g.plaintext);
  });

  test('Decrypt by key version: unknown version 404, another key named 400 KeyId, disabled key 409', async () => {
    const { kms, keyId, ektId, iv, body } = await rotatedBlob();
    const unknown = `${keyId}-0000000000`;
    await expectKmsError(kms.decrypt({ ciphertextBlob: body, keyVersionId: unknown, iv, algorithm: 'AES_GCM', aad }), 404, 'Forbidden.KeyNotFound');
    const other = (await kms.createKey()).keyMetadata.keyId;
    await expectKmsError(kms.decrypt({ ciphertextBlob: body, keyId: other, keyVersionId: ektId, iv, algorithm: 'AES_GCM', aad }), 400, 'InvalidParameter', 'The specified parameter "KeyId" is not valid.');
    await kms.disableKey({ keyId });
    await expectKmsError(kms.decrypt({ ciphertextBlob: body, keyVersionId: ektId, iv, algorithm: 'AES_GCM', aad }), 409, 'Rejected.Disabled');
  });
});
