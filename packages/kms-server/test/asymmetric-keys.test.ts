/**
 * Asymmetric keys (RSA_2048, EC_P256, ...) on every server plane: created through the OpenAPI and
 * AWS dialects, and refused by every symmetric crypto call with Alibaba's 404
 * `Forbidden.OnlySymmetricKeySupported` (AWS: `InvalidKeyUsageException`, the same message).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KmsServiceError } from '@dek/kms-adapter';
import { $Kms, callApi, kmsClient, officialError, openApiClient } from './support/official.js';
import { startHarness, type Harness } from './support/harness.js';
import { awsFailure, awsSdk, startAwsHarness, type AwsHarness } from './aws-support.js';

const message = (keyId: string): string => `The key ${keyId} is not a symmetric key. The API only supports symmetric keys.`;

let h: Harness;
let aws: AwsHarness;
beforeAll(async () => {
  [h, aws] = await Promise.all([startHarness(), startAwsHarness()]);
});
afterAll(async () => Promise.all([h.close(), aws.close()]));

describe('asymmetric keys on the server planes', () => {
  it('OpenAPI: CreateKey RSA_2048 (both usages) and EC_P256; the crypto calls answer 404 OnlySymmetricKeySupported', async () => {
    const kms = kmsClient(h.endpoint);
    const rsa = (await kms.createKey(new $Kms.CreateKeyRequest({ keySpec: 'RSA_2048', keyUsage: 'ENCRYPT/DECRYPT' }))).keyMetadata;
    expect(rsa).toMatchObject({ keySpec: 'RSA_2048', keyUsage: 'ENCRYPT/DECRYPT' });
    const signing = (await kms.createKey(new $Kms.CreateKeyRequest({ keySpec: 'RSA_2048', keyUsage: 'SIGN/VERIFY' }))).keyMetadata;
    expect(signing.keyUsage).toBe('SIGN/VERIFY');
    const ec = (await kms.createKey(new $Kms.CreateKeyRequest({ keySpec: 'EC_P256' }))).keyMetadata;
    expect(ec).toMatchObject({ keySpec: 'EC_P256', keyUsage: 'SIGN/VERIFY' });

    const e = await officialError(() => kms.generateDataKey(new $Kms.GenerateDataKeyRequest({ keyId: rsa.keyId })));
    expect(e.code).toBe('Forbidden.OnlySymmetricKeySupportedError');
    expect(e.message).toContain(message(rsa.keyId));
    const oc = openApiClient(h.endpoint);
    for (const [action, query] of [
      ['Encrypt', { KeyId: ec.keyId, Plaintext: 'x' }],
      ['AdvanceGenerateDataKey', { KeyId: ec.keyId, NumberOfBytes: '32' }],
    ] as const) {
      const failure = await officialError(() => callApi(oc, action, query));
      expect({ code: failure.code, status: failure.statusCode }).toEqual({ code: 'Forbidden.OnlySymmetricKeySupported', status: 404 });
    }
  });

  it('instance API: every symmetric call on an asymmetric key is 404 OnlySymmetricKeySupported', async () => {
    const keyId = (await h.kms.createKey({ keySpec: 'RSA_2048' })).keyMetadata.keyId;
    const client = h.instanceClient();
    const calls = [
      () => client.advanceGenerateDataKey({ keyId, numberOfBytes: 32 }),
      () => client.advanceEncrypt({ keyId, plaintext: new Uint8Array([1]) }),
      () => client.generateDataKey({ keyId }),
      () => client.encrypt({ keyId, plaintext: new Uint8Array([1]) }),
      () => client.decrypt({ keyId, ciphertextBlob: new Uint8Array(32), iv: new Uint8Array(12), algorithm: 'AES_GCM' }),
      () => client.advanceDecrypt({ keyId, ciphertextBlob: new Uint8Array(32), iv: new Uint8Array(12), algorithm: 'AES_GCM' }),
    ];
    for (const call of calls) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KmsServiceError);
      expect(error).toMatchObject({ httpStatus: 404, code: 'Forbidden.OnlySymmetricKeySupported', message: message(keyId) });
    }
  });

  it('AWS: CreateKey RSA_2048 / RSA_3072 / ECC_SECG_P256K1; GenerateDataKey and Encrypt say InvalidKeyUsageException', async () => {
    const sdk = awsSdk();
    const client = aws.client();
    const rsa = (await client.send(new sdk.CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' }))).KeyMetadata!;
    expect(rsa).toMatchObject({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT', EncryptionAlgorithms: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] });
    expect((await client.send(new sdk.CreateKeyCommand({ KeySpec: 'RSA_3072', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata).toMatchObject({ KeySpec: 'RSA_3072', KeyUsage: 'SIGN_VERIFY' });
    expect((await client.send(new sdk.CreateKeyCommand({ KeySpec: 'ECC_SECG_P256K1', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata).toMatchObject({ KeySpec: 'ECC_SECG_P256K1' });
    await awsFailure(client.send(new sdk.CreateKeyCommand({ KeySpec: 'ECC_SECG_P256K1', KeyUsage: 'ENCRYPT_DECRYPT' })), 'ValidationException');
    const keyId = rsa.KeyId!;
    const gdk = await awsFailure(client.send(new sdk.GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256' })), 'InvalidKeyUsageException');
    expect(gdk.message).toBe(message(keyId));
    await awsFailure(client.send(new sdk.EncryptCommand({ KeyId: keyId, Plaintext: new Uint8Array([1]) })), 'InvalidKeyUsageException');
  });
});
