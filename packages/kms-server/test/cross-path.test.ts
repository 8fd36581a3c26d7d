/**
 * One keystore, four ways in: LocalKms in process, the instance API (AlibabaInstanceKms), the
 * OpenAPI through AlibabaOpenApiKms, and the official clients. A data key wrapped through one
 * decrypts through the others.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiToAdvanceBlob } from '@dek/core';
import { AlibabaOpenApiKms, type AlibabaInstanceKms } from '@dek/kms-alibaba';
import { startHarness, type Harness } from './support/harness.js';
import { $Kms, ACCESS_KEY_ID, ACCESS_KEY_SECRET, callApi, kmsClient, openApiClient, type KmsClient } from './support/official.js';

let h: Harness;
let instance: AlibabaInstanceKms;
let openapi: AlibabaOpenApiKms;
let official: KmsClient;
let keyId: string;

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
const aad = new Uint8Array(createHash('sha256').update('dek/v1 context').digest());

beforeAll(async () => {
  h = await startHarness();
  instance = h.instanceClient();
  openapi = new AlibabaOpenApiKms({ endpoint: h.endpoint, protocol: 'http', accessKeyId: ACCESS_KEY_ID, accessKeySecret: ACCESS_KEY_SECRET, regionId: 'cn-hangzhou' });
  official = kmsClient(h.endpoint);
  keyId = (await h.kms.createKey()).keyMetadata.keyId;
  await h.kms.createAlias({ aliasName: 'alias/shared', keyId });
});
afterAll(async () => h.close());

describe('a data key generated through one path decrypts through another', () => {
  it('instance API -> LocalKms in process -> OpenAPI AdvanceDecrypt (official generic client)', async () => {
    const g = await instance.advanceGenerateDataKey({ keyId: 'alias/shared', numberOfBytes: 32, aad });
    expect((await h.kms.advanceDecrypt({ ciphertextBlob: g.ciphertextBlob, aad })).plaintext).toEqual(g.plaintext);
    const viaOpenApi = await callApi(openApiClient(h.endpoint), 'AdvanceDecrypt', { CiphertextBlob: b64(g.ciphertextBlob), Aad: b64(aad) });
    expect(viaOpenApi['Plaintext']).toBe(b64(g.plaintext));
  });

  it('LocalKms in process -> instance API', async () => {
    const g = await h.kms.advanceGenerateDataKey({ keyId, numberOfBytes: 16, aad });
    const d = await instance.advanceDecrypt({ ciphertextBlob: g.ciphertextBlob, aad });
    expect(d.plaintext).toEqual(g.plaintext);
    const e = await h.kms.encrypt({ keyId, plaintext: new Uint8Array([1, 2]) });
    expect((await instance.decrypt({ keyId, ciphertextBlob: e.ciphertextBlob, iv: e.iv, algorithm: 'AES_GCM' })).plaintext).toEqual(new Uint8Array([1, 2]));
  });

  it('AlibabaOpenApiKms -> official kms20160120 Decrypt -> LocalKms in process', async () => {
    const g = await openapi.advanceGenerateDataKey({ keyId: 'alias/shared', numberOfBytes: 32, aad });
    const blobText = new TextDecoder().decode(g.ciphertextBlob);
    const context = JSON.stringify({ 'dek-aad': b64(aad) }) as unknown as Record<string, unknown>;
    const d = await official.decrypt(new $Kms.DecryptRequest({ ciphertextBlob: blobText, encryptionContext: context }));
    expect(d.plaintext).toBe(b64(g.plaintext));

    const openApiAad = new Uint8Array(createHash('sha256').update(`dek-aad=${b64(aad)}`).digest());
    const local = await h.kms.advanceDecrypt({ ciphertextBlob: openApiToAdvanceBlob(blobText), aad: openApiAad });
    expect(new TextDecoder().decode(local.plaintext)).toBe(b64(g.plaintext));
  });

  it('official kms20160120 GenerateDataKey -> AlibabaOpenApiKms', async () => {
    const g = await official.generateDataKey(new $Kms.GenerateDataKeyRequest({ keyId, numberOfBytes: 32 }));
    const d = await openapi.advanceDecrypt({ ciphertextBlob: new TextEncoder().encode(g.ciphertextBlob) });
    expect(b64(d.plaintext)).toBe(g.plaintext);
    expect(d.keyVersionId).toBe(g.keyVersionId);
  });

  it('AlibabaOpenApiKms wraps the same data key again (multi-slot) and unwraps both', async () => {
    const g = await openapi.advanceGenerateDataKey({ keyId, numberOfBytes: 32, aad });
    const second = await openapi.advanceEncrypt({ keyId: 'alias/shared', plaintext: g.plaintext, aad });
    const d = await openapi.advanceDecrypt({ ciphertextBlob: second.ciphertextBlob, aad });
    expect(d.plaintext).toEqual(g.plaintext);
    await expect(openapi.advanceDecrypt({ ciphertextBlob: second.ciphertextBlob })).rejects.toMatchObject({ httpStatus: 400, code: 'InvalidParameter' });
  });
});
