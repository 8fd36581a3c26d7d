/**
 * Signature errors echo the signed request so a client can see where it differs (Alibaba's
 * string to sign, AWS's canonical request), but never a parameter's value that could be a data
 * key, plaintext or blob. Every client, official and dek's, sends Plaintext- and blob-carrying
 * calls with a wrong secret; nothing it throws holds those bytes in any encoding.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlibabaInstanceKms, AlibabaOpenApiKms } from '@dek/kms-alibaba';
import { AwsKms } from '@dek/kms-aws';
import { issueClientKey } from '@dek/kms-server';
import { assertNoSecret } from '../../../test-support/no-secret.js';
import { AWS_ACCESS_KEY_ID, awsSdk, startAwsHarness, type AwsHarness } from './aws-support.js';
import { startHarness, testPki, type Harness } from './support/harness.js';
import { $Kms, ACCESS_KEY_ID, callApi, kmsClient, officialError, openApiClient } from './support/official.js';

const WRONG = 'not-the-secret-0123456789';

let h: Harness;
let aws: AwsHarness;
let keyId: string;

beforeAll(async () => {
  h = await startHarness();
  aws = await startAwsHarness();
  keyId = (await h.kms.createKey()).keyMetadata.keyId;
});
afterAll(async () => {
  await h.close();
  await aws.close();
});

async function thrown(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  );
}

describe('OpenAPI SignatureDoesNotMatch', () => {
  it('@alicloud/kms20160120 (v1): Encrypt and Decrypt echo the string to sign with every value but the protocol redacted', async () => {
    const dataKey = randomBytes(32);
    const good = kmsClient(h.endpoint);
    const wrapped = await good.encrypt(new $Kms.EncryptRequest({ keyId, plaintext: dataKey.toString('base64') }));
    const blob = Buffer.from(wrapped.ciphertextBlob, 'base64');

    const bad = kmsClient(h.endpoint, WRONG);
    const encrypt = await officialError(() => bad.encrypt(new $Kms.EncryptRequest({ keyId, plaintext: dataKey.toString('base64') })));
    expect(encrypt.code).toBe('SignatureDoesNotMatchError');
    // Names stay, and the signing protocol's own values, so a client can still compare.
    expect(encrypt.message).toContain('server string to sign is:POST&%2F&');
    expect(encrypt.message).toContain('Plaintext%3DREDACTED');
    expect(encrypt.message).toContain(`AccessKeyId%3D${ACCESS_KEY_ID}`);
    expect(encrypt.message).toContain('Action%3DEncrypt');
    assertNoSecret(encrypt, [dataKey]);

    const decrypt = await officialError(() => bad.decrypt(new $Kms.DecryptRequest({ ciphertextBlob: wrapped.ciphertextBlob })));
    expect(decrypt.message).toContain('CiphertextBlob%3DREDACTED');
    assertNoSecret(decrypt, [blob]);
  });

  for (const algorithm of [undefined, 'v2'] as const) {
    it(`@alicloud/openapi-client (${algorithm ?? 'ACS3'}): AdvanceEncrypt and AdvanceDecrypt, in the query and in a form body`, async () => {
      const good = openApiClient(h.endpoint, algorithm);
      const dataKey = randomBytes(32);
      const aad = randomBytes(16);
      const plaintext = dataKey.toString('base64');
      const e = await callApi(good, 'AdvanceEncrypt', { KeyId: keyId, Plaintext: plaintext, Aad: aad.toString('base64') });
      const blob = Buffer.from(String(e['CiphertextBlob']), 'base64');

      const bad = openApiClient(h.endpoint, algorithm, WRONG);
      const inQuery = await officialError(() => callApi(bad, 'AdvanceEncrypt', { KeyId: keyId, Plaintext: plaintext, Aad: aad.toString('base64') }));
      expect(inQuery).toMatchObject({ code: 'SignatureDoesNotMatch', statusCode: 400 });
      assertNoSecret(inQuery, [dataKey, aad]);
      const inBody = await officialError(() => callApi(bad, 'AdvanceEncrypt', { KeyId: keyId }, { body: { Plaintext: plaintext } }));
      assertNoSecret(inBody, [dataKey]);
      const decrypt = await officialError(() => callApi(bad, 'AdvanceDecrypt', { CiphertextBlob: blob.toString('base64'), Aad: aad.toString('base64') }));
      assertNoSecret(decrypt, [blob, aad]);
    });
  }

  it("dek's AlibabaOpenApiKms", async () => {
    const kms = new AlibabaOpenApiKms({ endpoint: h.endpoint, protocol: 'http', regionId: 'cn-hangzhou', accessKeyId: ACCESS_KEY_ID, accessKeySecret: WRONG, retry: { maxAttempts: 1 } });
    const dataKey = randomBytes(32);
    const encrypt = await thrown(kms.advanceEncrypt({ keyId, plaintext: dataKey }));
    expect(encrypt).toMatchObject({ httpStatus: 400, code: 'SignatureDoesNotMatch' });
    assertNoSecret(encrypt, [dataKey]);
    const blob = await h.kms.advanceEncrypt({ keyId, plaintext: dataKey });
    const openApiBlob = Buffer.from(blob.ciphertextBlob.subarray(3)).toString('base64');
    const decrypt = await thrown(kms.advanceDecrypt({ ciphertextBlob: new TextEncoder().encode(openApiBlob) }));
    assertNoSecret(decrypt, [blob.ciphertextBlob.subarray(3)]);
  });
});

describe('instance API with a ClientKey the server does not trust', () => {
  it('AlibabaInstanceKms: Encrypt, AdvanceEncrypt, Decrypt and AdvanceDecrypt errors hold no plaintext or blob', async () => {
    const { tls, clientKey } = testPki();
    const impostor = issueClientKey({ password: 'pw', keyId: clientKey.keyId });
    const kms = new AlibabaInstanceKms({ endpoint: `127.0.0.1:${h.https.port}`, clientKey: impostor.content, password: 'pw', ca: tls.caCertificate, retry: { maxAttempts: 1 } });
    try {
      const dataKey = randomBytes(32);
      const blob = (await h.kms.advanceEncrypt({ keyId, plaintext: dataKey })).ciphertextBlob;
      const basic = await h.kms.encrypt({ keyId, plaintext: dataKey });
      for (const call of [
        kms.advanceEncrypt({ keyId, plaintext: dataKey }),
        kms.encrypt({ keyId, plaintext: dataKey }),
        kms.advanceDecrypt({ ciphertextBlob: blob }),
        kms.decrypt({ keyId, ciphertextBlob: basic.ciphertextBlob, iv: basic.iv, algorithm: 'AES_GCM' }),
      ]) {
        const error = await thrown(call);
        expect(error).toMatchObject({ httpStatus: 400, code: 'InvalidParam' });
        assertNoSecret(error, [dataKey, blob, basic.ciphertextBlob]);
      }
    } finally {
      kms.close();
    }
  });
});

describe('AWS InvalidSignatureException', () => {
  it('the official client and AwsKms: Encrypt and Decrypt errors hold no plaintext or blob', async () => {
    const sdk = awsSdk();
    const dataKey = randomBytes(32);
    const arn = aws.arn((await aws.kms.createKey()).keyMetadata.keyId);
    const blob = (await aws.client().send(new sdk.EncryptCommand({ KeyId: arn, Plaintext: dataKey }))).CiphertextBlob!;

    const bad = aws.client({ secretAccessKey: WRONG });
    const encrypt = await thrown(bad.send(new sdk.EncryptCommand({ KeyId: arn, Plaintext: dataKey })));
    expect(encrypt).toMatchObject({ name: 'InvalidSignatureException' });
    assertNoSecret(encrypt, [dataKey]);
    assertNoSecret(await thrown(bad.send(new sdk.DecryptCommand({ CiphertextBlob: blob }))), [blob]);

    const awsKms = new AwsKms({ endpoint: aws.server.url, region: 'us-east-1', credentials: { accessKeyId: AWS_ACCESS_KEY_ID, secretAccessKey: WRONG }, maxAttempts: 1 });
    try {
      const mine = await thrown(awsKms.advanceEncrypt({ keyId: arn, plaintext: dataKey }));
      expect(mine).toMatchObject({ httpStatus: 400, code: 'InvalidSignatureException' });
      assertNoSecret(mine, [dataKey]);
      assertNoSecret(await thrown(awsKms.advanceDecrypt({ ciphertextBlob: blob })), [blob]);
    } finally {
      awsKms.close();
    }
  });
});
