import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { ArgumentError } from '@dek/core';
import { KmsServiceError } from '@dek/kms-adapter';
import { AlibabaOpenApiKms, openApiError, type AlibabaOpenApiKmsOptions } from '@dek/kms-alibaba';
import { scriptedServer, type SeenRequest } from './alibaba-support.js';

const VERSION_ID = 'key-abcdefghijklmnopqrstu-0123456789';
const IV = new Uint8Array(12).map((_, i) => i + 1);
/** An OpenAPI blob: base64(KeyVersionId | IV | ciphertext | tag). */
const BLOB = Buffer.concat([Buffer.from(VERSION_ID), IV, Buffer.alloc(60, 9)]).toString('base64');

const servers: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function json(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'content-type': 'application/json;charset=utf-8' });
  res.end(JSON.stringify(body));
}

const query = (r: SeenRequest): URLSearchParams => new URL(r.url, 'http://x').searchParams;

async function setup(script: (request: SeenRequest, res: ServerResponse, n: number) => void, options: Partial<AlibabaOpenApiKmsOptions> = {}) {
  let n = 0;
  const server = await scriptedServer((request, res) => script(request, res, n++));
  servers.push(server);
  const kms = new AlibabaOpenApiKms({
    endpoint: server.url.replace('http://', ''),
    protocol: 'http',
    regionId: 'cn-hangzhou',
    accessKeyId: 'AK',
    accessKeySecret: 'SK',
    retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
    ...options,
  });
  return { kms, seen: server.seen };
}

describe('AlibabaOpenApiKms', () => {
  it('advanceGenerateDataKey calls GenerateDataKey with the aad as EncryptionContext and keeps the blob text', async () => {
    const dataKey = Buffer.alloc(32, 5);
    const { kms, seen } = await setup((_, res) =>
      json(res, 200, { RequestId: 'R1', KeyId: 'key-1', KeyVersionId: VERSION_ID, CiphertextBlob: BLOB, Plaintext: dataKey.toString('base64') }),
    );
    const r = await kms.advanceGenerateDataKey({ keyId: 'alias/a', numberOfBytes: 32, aad: new Uint8Array([1, 2, 3]) });
    expect(r).toMatchObject({ keyId: 'key-1', keyVersionId: VERSION_ID, algorithm: 'AES_GCM', requestId: 'R1' });
    expect(r.plaintext).toEqual(new Uint8Array(dataKey));
    expect(new TextDecoder().decode(r.ciphertextBlob)).toBe(BLOB);
    expect(r.iv).toEqual(IV);
    const q = query(seen[0]!);
    expect(q.get('Action')).toBe('GenerateDataKey');
    expect(q.get('KeyId')).toBe('alias/a');
    expect(q.get('NumberOfBytes')).toBe('32');
    expect(q.get('EncryptionContext')).toBe('{"dek-aad":"AQID"}');
    expect(q.get('SignatureMethod')).toBe('HMAC-SHA1');
  });

  it('sends no EncryptionContext without aad', async () => {
    const { kms, seen } = await setup((_, res) =>
      json(res, 200, { RequestId: 'R', KeyId: 'k', KeyVersionId: VERSION_ID, CiphertextBlob: BLOB, Plaintext: Buffer.alloc(16).toString('base64') }),
    );
    await kms.advanceGenerateDataKey({ keyId: 'k', numberOfBytes: 16 });
    expect(query(seen[0]!).has('EncryptionContext')).toBe(false);
  });

  it('advanceEncrypt sends base64 text; advanceDecrypt decodes it back', async () => {
    const { kms, seen } = await setup((request, res) => {
      const q = query(request);
      if (q.get('Action') === 'Encrypt') return json(res, 200, { RequestId: 'E', KeyId: 'k', KeyVersionId: VERSION_ID, CiphertextBlob: BLOB });
      return json(res, 200, { RequestId: 'D', KeyId: 'k', KeyVersionId: VERSION_ID, Plaintext: Buffer.from([0, 255, 7]).toString('base64') });
    });
    const e = await kms.advanceEncrypt({ keyId: 'k', plaintext: new Uint8Array([0, 255, 7]) });
    expect(query(seen[0]!).get('Plaintext')).toBe('AP8H');
    const d = await kms.advanceDecrypt({ ciphertextBlob: e.ciphertextBlob, aad: new Uint8Array([1]) });
    expect(query(seen[1]!).get('CiphertextBlob')).toBe(BLOB);
    expect(query(seen[1]!).get('EncryptionContext')).toBe('{"dek-aad":"AQ=="}');
    expect(d.plaintext).toEqual(new Uint8Array([0, 255, 7]));
    expect(d.keyVersionId).toBe(VERSION_ID);
  });

  it('surfaces service errors with code, status and request id (no "Error" suffix)', async () => {
    const { kms, seen } = await setup((_, res) =>
      json(res, 404, { RequestId: 'RID-404', HostId: 'h', Code: 'Forbidden.KeyNotFound', Message: 'The specified Key is not found.' }),
    );
    const error = await kms.advanceGenerateDataKey({ keyId: 'nope', numberOfBytes: 32 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KmsServiceError);
    expect(error).toMatchObject({ httpStatus: 404, code: 'Forbidden.KeyNotFound', message: 'The specified Key is not found.', requestId: 'RID-404' });
    expect(seen).toHaveLength(1);
  });

  it('retries Throttling and 5xx, then succeeds', async () => {
    const { kms, seen } = await setup((_, res, n) => {
      if (n === 0) return json(res, 400, { RequestId: 'a', Code: 'Throttling', Message: 'Request was denied due to request throttling.' });
      if (n === 1) return json(res, 503, { RequestId: 'b', Code: 'ServiceUnavailableTemporary', Message: 'Service Unavailable Temporary.' });
      return json(res, 200, { RequestId: 'c', KeyId: 'k', KeyVersionId: VERSION_ID, Plaintext: 'AQ==' });
    });
    const r = await kms.advanceDecrypt({ ciphertextBlob: new TextEncoder().encode(BLOB) });
    expect(r.requestId).toBe('c');
    expect(seen).toHaveLength(3);
  });

  it('times out a hanging gateway', async () => {
    const { kms, seen } = await setup(() => undefined, { timeoutMs: 100, retry: { maxAttempts: 2, baseDelayMs: 1 } });
    await expect(kms.advanceEncrypt({ keyId: 'k', plaintext: new Uint8Array([1]) })).rejects.toMatchObject({ httpStatus: 0, code: 'RequestTimeout' });
    expect(seen).toHaveLength(2);
  });

  it('refuses a data key of the wrong length and a blob that is not an OpenAPI blob', async () => {
    const { kms } = await setup((_, res) =>
      json(res, 200, { RequestId: 'R', KeyId: 'k', KeyVersionId: VERSION_ID, CiphertextBlob: BLOB, Plaintext: Buffer.alloc(16).toString('base64') }),
    );
    await expect(kms.advanceGenerateDataKey({ keyId: 'k', numberOfBytes: 32 })).rejects.toMatchObject({ code: 'InvalidResponse' });
    await expect(kms.advanceDecrypt({ ciphertextBlob: new Uint8Array([0x24, 0, 2, 1, 2]) })).rejects.toBeInstanceOf(ArgumentError);
    await expect(kms.advanceEncrypt({ keyId: 'k', plaintext: new Uint8Array(1), iv: new Uint8Array(12) })).rejects.toMatchObject({ details: { field: 'iv' } });
  });

  it('takes credentials and region from the usual environment variables, and says which is missing', () => {
    const env = { ALIBABA_CLOUD_ACCESS_KEY_ID: 'AK', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'SK', ALIBABA_CLOUD_REGION_ID: 'cn-shanghai' };
    expect(new AlibabaOpenApiKms({ env }).provider).toBe('alibaba-openapi');
    expect(() => new AlibabaOpenApiKms({ env: { ...env, ALIBABA_CLOUD_ACCESS_KEY_SECRET: undefined } })).toThrow(/ALIBABA_CLOUD_ACCESS_KEY_SECRET/);
    expect(() => new AlibabaOpenApiKms({ env: { ...env, ALIBABA_CLOUD_REGION_ID: undefined } })).toThrow(/ALIBABA_CLOUD_REGION_ID/);
  });

  it('maps network failures and unknown errors', () => {
    expect(openApiError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toMatchObject({ httpStatus: 0, code: 'NetworkFailure' });
    expect(openApiError(Object.assign(new Error('ReadTimeout'), { name: 'RequestTimeoutError' }))).toMatchObject({ code: 'RequestTimeout' });
    expect(openApiError(new SyntaxError('Unexpected token'))).toMatchObject({ httpStatus: 0, code: 'InvalidResponse' });
  });
});
