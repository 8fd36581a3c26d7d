/**
 * The two decrypt requests that Alibaba's official KMS SDKs (alibabacloud-kms-go-sdk's transfer
 * handlers over alibabacloud-dkms-gcs-go-sdk, and their Java twins) send to the instance API,
 * built here as those SDKs build them from an OpenAPI blob `KeyVersionId(36) | Iv(12) | ct|tag`:
 *
 * - `AdvanceDecrypt{CiphertextBlob: '$' 0x00 0x02 | blob, Iv: blob[36:48], Aad}`, no KeyId
 *   (advance_decrypt_handler.go);
 * - `Decrypt{CiphertextBlob: blob[48:], Iv: blob[36:48], Aad}`, no KeyId, no Algorithm, with the
 *   request header `x-kms-migrationkeyversionid: blob[:36]` (decrypt_handler.go), which the SDK
 *   signs like every `x-kms-*` header (openapi-util GetCanonicalizedHeaders).
 *
 * Headers follow dkms-gcs-go-sdk openapi/client.go DoRequest.
 */
import { createHash } from 'node:crypto';
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeInstanceMessage, encodeInstanceMessage, instanceAuthorization, instanceStringToSign, parseClientKey } from '@dek/kms-alibaba';
import { CLIENT_KEY_PASSWORD, startHarness, testPki, type Harness } from './support/harness.js';

let h: Harness;
let keyId: string;
let primary: string;

beforeAll(async () => {
  h = await startHarness();
  keyId = (await h.kms.createKey()).keyMetadata.keyId;
  // Rotated once: the blob's version is the primary, not the initial one.
  primary = (await h.kms.createKeyVersion({ keyId })).keyVersion.keyVersionId;
});
afterAll(async () => h.close());

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A request with the headers of the Go SDK's DoRequest; `after` changes headers once signed. */
function goSdkRequest(apiName: string, body: Uint8Array, requestHeaders: Record<string, string> = {}, after: (headers: Record<string, string>) => void = () => undefined): Promise<Answer> {
  const { tls, clientKey } = testPki();
  const key = parseClientKey(clientKey.content, CLIENT_KEY_PASSWORD);
  const headers: Record<string, string> = {
    ...requestHeaders,
    accept: 'application/x-protobuf',
    host: `127.0.0.1:${h.https.port}`,
    date: new Date().toUTCString(),
    'user-agent': 'AlibabaCloud (linux; amd64) Golang/1.21 Core/0.01 TeaDSL/1',
    'x-kms-apiversion': 'dkms-gcs-0.2',
    'x-kms-apiname': apiName,
    'x-kms-signaturemethod': 'RSA_PKCS1_SHA_256',
    'x-kms-acccesskeyid': key.keyId,
    'content-type': 'application/x-protobuf',
    'content-length': String(body.length),
    'content-sha256': createHash('sha256').update(body).digest('hex').toUpperCase(),
  };
  headers['authorization'] = instanceAuthorization(key.privateKey, instanceStringToSign('POST', headers));
  after(headers);
  return new Promise((resolve, reject) => {
    const req = request(`${h.https.url}/`, { method: 'POST', headers, ca: tls.caCertificate }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** EncodeUserEncryptionContext of the transfer SDKs: SHA-256 of the sorted `k=v` pairs joined by `&`. */
const aad = new Uint8Array(createHash('sha256').update('purpose=backup').digest());

/** An OpenAPI blob under the primary version, as the shared-gateway Encrypt/GenerateDataKey would return it. */
async function openApiBlob(): Promise<{ blob: Uint8Array; plaintext: Uint8Array }> {
  const g = await h.kms.advanceGenerateDataKey({ keyId, numberOfBytes: 32, aad });
  return { blob: g.ciphertextBlob.slice(3), plaintext: g.plaintext };
}

function errorOf(answer: Answer): { status: number; code: string; message: string } {
  const e = decodeInstanceMessage('Error', answer.body);
  return { status: answer.status, code: e.ErrorCode, message: e.ErrorMessage };
}

describe('instance API requests as the official SDKs build them', () => {
  it('AdvanceDecrypt with the advance blob and its own Iv, no KeyId', async () => {
    const { blob, plaintext } = await openApiBlob();
    const body = encodeInstanceMessage('AdvanceDecryptRequest', { CiphertextBlob: new Uint8Array([0x24, 0x00, 0x02, ...blob]), Iv: blob.subarray(36, 48), Aad: aad });
    const answer = await goSdkRequest('AdvanceDecrypt', body);
    expect(answer.status).toBe(200);
    const r = decodeInstanceMessage('AdvanceDecryptResponse', answer.body);
    expect(r).toMatchObject({ KeyId: keyId, KeyVersionId: primary, Algorithm: 'AES_GCM' });
    expect(r.Plaintext).toEqual(plaintext);
  });

  it('Decrypt naming the key version in the signed x-kms-migrationkeyversionid header, no KeyId', async () => {
    const { blob, plaintext } = await openApiBlob();
    const ektId = new TextDecoder().decode(blob.subarray(0, 36));
    const body = encodeInstanceMessage('DecryptRequest', { CiphertextBlob: blob.subarray(48), Iv: blob.subarray(36, 48), Aad: aad });
    const answer = await goSdkRequest('Decrypt', body, { 'x-kms-migrationkeyversionid': ektId });
    expect(answer.status).toBe(200);
    expect(answer.headers['x-kms-migrationkeyversionid']).toBe(primary);
    const r = decodeInstanceMessage('DecryptResponse', answer.body);
    expect(r).toMatchObject({ KeyId: keyId, Algorithm: 'AES_GCM' });
    expect(r.Plaintext).toEqual(plaintext);
  });

  it('the version header is signed: changed after signing, the request is refused', async () => {
    const { blob } = await openApiBlob();
    const body = encodeInstanceMessage('DecryptRequest', { CiphertextBlob: blob.subarray(48), Iv: blob.subarray(36, 48), Aad: aad });
    const initial = `${keyId}-${'0'.repeat(10)}`;
    const answer = await goSdkRequest('Decrypt', body, { 'x-kms-migrationkeyversionid': new TextDecoder().decode(blob.subarray(0, 36)) }, (headers) => {
      headers['x-kms-migrationkeyversionid'] = initial;
    });
    expect(errorOf(answer)).toEqual({ status: 400, code: 'InvalidParam', message: 'The Param Authorization is invalid.' });
  });

  it('Decrypt without KeyId or version header is still 400 MissingParameter; an unknown version 404', async () => {
    const { blob } = await openApiBlob();
    const body = encodeInstanceMessage('DecryptRequest', { CiphertextBlob: blob.subarray(48), Iv: blob.subarray(36, 48), Aad: aad });
    expect(errorOf(await goSdkRequest('Decrypt', body))).toMatchObject({ status: 400, code: 'MissingParameter' });
    const unknown = await goSdkRequest('Decrypt', body, { 'x-kms-migrationkeyversionid': `${keyId}-zzzzzzzzzz` });
    expect(errorOf(unknown)).toMatchObject({ status: 404, code: 'Forbidden.KeyNotFound' });
  });

  it('AlibabaInstanceKms.decrypt with keyVersionId sends the request the same way', async () => {
    const { blob, plaintext } = await openApiBlob();
    const client = h.instanceClient();
    const r = await client.decrypt({ keyVersionId: new TextDecoder().decode(blob.subarray(0, 36)), ciphertextBlob: blob.subarray(48), iv: blob.subarray(36, 48), algorithm: 'AES_GCM', aad });
    expect(r).toMatchObject({ keyId, keyVersionId: primary });
    expect(r.plaintext).toEqual(plaintext);
    client.close();
  });
});
