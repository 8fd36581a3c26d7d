import { createHash, createPublicKey, verify } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { KmsServiceError } from '@dek/kms-adapter';
import {
  AlibabaInstanceKms,
  decodeInstanceMessage,
  encodeInstanceMessage,
  type InstanceMessageName,
  type InstanceMessages,
} from '@dek/kms-alibaba';
import { makeClientKey, scriptedServer, type SeenRequest } from './alibaba-support.js';

const clientKey = makeClientKey();
const servers: Array<{ close(): Promise<void> }> = [];
const clients: AlibabaInstanceKms[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function protobuf<N extends InstanceMessageName>(res: ServerResponse, status: number, name: N, message: Partial<InstanceMessages[N]>, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/x-protobuf', ...headers });
  res.end(encodeInstanceMessage(name, message));
}

async function setup(script: (request: SeenRequest, res: ServerResponse, n: number) => void, options: { timeoutMs?: number } = {}) {
  let n = 0;
  const server = await scriptedServer((request, res) => script(request, res, n++));
  servers.push(server);
  const kms = new AlibabaInstanceKms({
    endpoint: server.url,
    clientKey: clientKey.content,
    password: clientKey.password,
    retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
    ...options,
  });
  clients.push(kms);
  return { kms, seen: server.seen };
}

/** The string to sign, written out independently of the client (from the dkms-gcs Go SDK). */
function stringToSign(r: SeenRequest): string {
  const h = (n: string): string => String(r.headers[n] ?? '');
  const kms = Object.keys(r.headers).filter((n) => n.startsWith('x-kms-')).sort().map((n) => `${n}:${h(n).trim()}\n`).join('');
  return `POST\n${h('content-sha256')}\n${h('content-type')}\n${h('date')}\n${kms}/`;
}

describe('AlibabaInstanceKms wire protocol', () => {
  it('sends a signed protobuf AdvanceGenerateDataKey and reads the response', async () => {
    const blob = new Uint8Array([0x24, 0, 2, ...new Uint8Array(36 + 12 + 48)]);
    const { kms, seen } = await setup((_, res) =>
      protobuf(res, 200, 'AdvanceGenerateDataKeyResponse', {
        KeyId: 'key-1', KeyVersionId: 'v-1', Plaintext: new Uint8Array(32).fill(7), CiphertextBlob: blob,
        Iv: new Uint8Array(12).fill(1), Algorithm: 'AES_GCM', RequestId: 'req-1',
      }),
    );
    const r = await kms.advanceGenerateDataKey({ keyId: 'alias/a', numberOfBytes: 32, aad: new Uint8Array([1, 2, 3]) });
    expect(r).toMatchObject({ keyId: 'key-1', keyVersionId: 'v-1', algorithm: 'AES_GCM', requestId: 'req-1' });
    expect(r.plaintext).toEqual(new Uint8Array(32).fill(7));
    expect(r.ciphertextBlob).toEqual(blob);

    const request = seen[0]!;
    expect(request.headers).toMatchObject({
      'x-kms-apiversion': 'dkms-gcs-0.2',
      'x-kms-apiname': 'AdvanceGenerateDataKey',
      'x-kms-signaturemethod': 'RSA_PKCS1_SHA_256',
      'x-kms-acccesskeyid': 'KAAP.test-client-key',
      'content-type': 'application/x-protobuf',
      accept: 'application/x-protobuf',
    });
    expect(request.headers['content-sha256']).toBe(createHash('sha256').update(request.body).digest('hex').toUpperCase());
    const auth = /^Bearer (.+)$/.exec(String(request.headers.authorization))![1]!;
    expect(verify('sha256', Buffer.from(stringToSign(request)), createPublicKey(clientKey.certificate), Buffer.from(auth, 'base64'))).toBe(true);
    expect(decodeInstanceMessage('AdvanceGenerateDataKeyRequest', request.body)).toEqual({ KeyId: 'alias/a', NumberOfBytes: 32, Aad: new Uint8Array([1, 2, 3]) });
  });

  it('reads the key version of the non-advance calls from x-kms-migrationkeyversionid', async () => {
    const { kms } = await setup((_, res) =>
      protobuf(res, 200, 'EncryptResponse', { KeyId: 'key-1', CiphertextBlob: new Uint8Array(20), Iv: new Uint8Array(12), Algorithm: 'AES_GCM', RequestId: 'r' }, {
        'x-kms-migrationkeyversionid': 'key-1-version',
      }),
    );
    const r = await kms.encrypt({ keyId: 'key-1', plaintext: new Uint8Array([9]) });
    expect(r.keyVersionId).toBe('key-1-version');
  });

  it('retries throttling and 5xx with backoff, then succeeds', async () => {
    const { kms, seen } = await setup((_, res, n) => {
      if (n === 0) return protobuf(res, 400, 'Error', { StatusCode: 400, ErrorCode: 'Rejected.Throttling', ErrorMessage: 'QPS Limit Exceeded', RequestId: 'r0' });
      if (n === 1) return protobuf(res, 503, 'Error', { StatusCode: 503, ErrorCode: 'ServiceUnavailableTemporary', ErrorMessage: 'busy', RequestId: 'r1' });
      return protobuf(res, 200, 'AdvanceDecryptResponse', { KeyId: 'k', KeyVersionId: 'v', Plaintext: new Uint8Array([1]), Algorithm: 'AES_GCM', RequestId: 'r2' });
    });
    const r = await kms.advanceDecrypt({ ciphertextBlob: new Uint8Array(70) });
    expect(r.requestId).toBe('r2');
    expect(seen).toHaveLength(3);
  });

  it('gives up after maxAttempts with the last error, code, status and request id', async () => {
    const { kms, seen } = await setup((_, res) =>
      protobuf(res, 500, 'Error', { StatusCode: 500, ErrorCode: 'InternalFailure', ErrorMessage: 'Internal Failure.', RequestId: 'rid' }),
    );
    const error = await kms.advanceDecrypt({ ciphertextBlob: new Uint8Array(70) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KmsServiceError);
    expect(error).toMatchObject({ httpStatus: 500, code: 'InternalFailure', requestId: 'rid' });
    expect(seen).toHaveLength(3);
  });

  it('does not retry a client error', async () => {
    const { kms, seen } = await setup((_, res) =>
      protobuf(res, 404, 'Error', { StatusCode: 404, ErrorCode: 'Forbidden.KeyNotFound', ErrorMessage: 'The specified Key is not found.', RequestId: 'rid' }),
    );
    await expect(kms.advanceEncrypt({ keyId: 'nope', plaintext: new Uint8Array([1]) })).rejects.toMatchObject({
      httpStatus: 404,
      code: 'Forbidden.KeyNotFound',
      message: 'The specified Key is not found.',
      requestId: 'rid',
    });
    expect(seen).toHaveLength(1);
  });

  it('turns a 4xx without a protobuf Error into a KmsServiceError carrying the status', async () => {
    const { kms } = await setup((_, res) => {
      res.writeHead(418, { 'content-type': 'text/plain' });
      res.end('\xff\xff not protobuf');
    });
    await expect(kms.generateDataKey({ keyId: 'k' })).rejects.toMatchObject({ httpStatus: 418, code: 'InvalidResponse' });
  });

  it('times out a hanging server (and retries the timeout)', async () => {
    const { kms, seen } = await setup(() => undefined, { timeoutMs: 100 });
    await expect(kms.decrypt({ keyId: 'k', ciphertextBlob: new Uint8Array(20), iv: new Uint8Array(12), algorithm: 'AES_GCM' })).rejects.toMatchObject({
      httpStatus: 0,
      code: 'RequestTimeout',
    });
    expect(seen).toHaveLength(3);
  });

  it('reports a refused connection as NetworkFailure', async () => {
    const kms = new AlibabaInstanceKms({
      endpoint: 'http://127.0.0.1:1',
      clientKey: JSON.stringify(clientKey.content),
      password: clientKey.password,
      retry: { maxAttempts: 1 },
    });
    clients.push(kms);
    await expect(kms.advanceGenerateDataKey({ keyId: 'k', numberOfBytes: 32 })).rejects.toMatchObject({ httpStatus: 0, code: 'NetworkFailure' });
  });

  it('rejects an answer with another algorithm', async () => {
    const { kms } = await setup((_, res) =>
      protobuf(res, 200, 'AdvanceEncryptResponse', { KeyId: 'k', KeyVersionId: 'v', CiphertextBlob: new Uint8Array(70), Iv: new Uint8Array(12), Algorithm: 'SM4', RequestId: 'r' }),
    );
    await expect(kms.advanceEncrypt({ keyId: 'k', plaintext: new Uint8Array([1]) })).rejects.toMatchObject({ code: 'InvalidResponse' });
  });

  it('checks its options', () => {
    const base = { endpoint: 'kms.example', password: clientKey.password };
    expect(() => new AlibabaInstanceKms(base)).toThrow(/exactly one of clientKey and clientKeyFile/);
    expect(() => new AlibabaInstanceKms({ ...base, clientKey: clientKey.content, endpoint: 'ftp://x' })).toThrow(/https/);
    expect(() => new AlibabaInstanceKms({ ...base, clientKey: clientKey.content, timeoutMs: 0 })).toThrow(/timeoutMs/);
    expect(() => new AlibabaInstanceKms({ ...base, clientKey: clientKey.content, retry: { maxAttempts: 0 } })).toThrow(/maxAttempts/);
  });
});
