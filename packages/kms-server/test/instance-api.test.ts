/**
 * The KMS instance API (dkms-gcs-0.2): AlibabaInstanceKms over HTTPS with a CA made in the test,
 * and hand-made requests for the error paths a well-behaved client never takes.
 */
import { createHash, createPublicKey } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KmsServiceError } from '@dek/kms-adapter';
import {
  AlibabaInstanceKms,
  decodeInstanceMessage,
  encodeInstanceMessage,
  instanceAuthorization,
  instanceStringToSign,
  parseClientKey,
} from '@dek/kms-alibaba';
import { issueClientKey, startKmsServer } from '@dek/kms-server';
import { CLIENT_KEY_PASSWORD, startHarness, testPki, type Harness } from './support/harness.js';

let h: Harness;
let client: AlibabaInstanceKms;
let keyId: string;

beforeAll(async () => {
  h = await startHarness();
  client = h.instanceClient();
  keyId = (await h.kms.createKey()).keyMetadata.keyId;
  await h.kms.createAlias({ aliasName: 'alias/instance', keyId });
});
afterAll(async () => h.close());

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A signed instance API request, with headers and body open to tampering. */
function raw(apiName: string, body: Uint8Array, tamper: (headers: Record<string, string>) => void = () => undefined, sign = true): Promise<RawAnswer> {
  const { tls, clientKey } = testPki();
  const key = parseClientKey(clientKey.content, CLIENT_KEY_PASSWORD);
  const headers: Record<string, string> = {
    'content-type': 'application/x-protobuf',
    'content-sha256': createHash('sha256').update(body).digest('hex').toUpperCase(),
    date: new Date().toUTCString(),
    'x-kms-apiversion': 'dkms-gcs-0.2',
    'x-kms-apiname': apiName,
    'x-kms-signaturemethod': 'RSA_PKCS1_SHA_256',
    'x-kms-acccesskeyid': key.keyId,
  };
  tamper(headers);
  if (sign) headers['authorization'] ??= instanceAuthorization(key.privateKey, instanceStringToSign('POST', headers));
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

const gdkBody = (): Uint8Array => encodeInstanceMessage('AdvanceGenerateDataKeyRequest', { KeyId: 'alias/instance', NumberOfBytes: 32 });

function errorOf(answer: RawAnswer): { status: number; code: string; message: string } {
  expect(answer.headers['content-type']).toBe('application/x-protobuf');
  const e = decodeInstanceMessage('Error', answer.body);
  expect(e.StatusCode).toBe(answer.status);
  expect(e.RequestId).toMatch(/^[0-9A-F-]{36}$/);
  return { status: answer.status, code: e.ErrorCode, message: e.ErrorMessage };
}

describe('AlibabaInstanceKms over HTTPS against the instance API', () => {
  it('advance calls: generate, encrypt and decrypt under the primary version, with Aad', async () => {
    const aad = new Uint8Array([1, 2, 3]);
    const g = await client.advanceGenerateDataKey({ keyId: 'alias/instance', numberOfBytes: 32, aad });
    expect(g).toMatchObject({ keyId, algorithm: 'AES_GCM' });
    expect(g.plaintext).toHaveLength(32);
    expect([...g.ciphertextBlob.subarray(0, 3)]).toEqual([0x24, 0, 2]);
    expect(g.requestId).toMatch(/^[0-9A-F-]{36}$/);

    const d = await client.advanceDecrypt({ ciphertextBlob: g.ciphertextBlob, aad });
    expect(d.plaintext).toEqual(g.plaintext);
    expect(d.keyVersionId).toBe(g.keyVersionId);

    const e = await client.advanceEncrypt({ keyId, plaintext: new Uint8Array([9, 8, 7]) });
    expect((await client.advanceDecrypt({ ciphertextBlob: e.ciphertextBlob })).plaintext).toEqual(new Uint8Array([9, 8, 7]));

    const wrong = await client.advanceDecrypt({ ciphertextBlob: g.ciphertextBlob, aad: new Uint8Array([1, 2]) }).catch((x: unknown) => x);
    expect(wrong).toBeInstanceOf(KmsServiceError);
    expect(wrong).toMatchObject({ httpStatus: 400, code: 'InvalidParameter' });
  });

  it('the advance calls follow rotation; the non-advance ones stay on the initial version', async () => {
    const rotating = (await h.kms.createKey()).keyMetadata;
    const v2 = (await h.kms.createKeyVersion({ keyId: rotating.keyId })).keyVersion.keyVersionId;
    const advance = await client.advanceGenerateDataKey({ keyId: rotating.keyId, numberOfBytes: 16 });
    expect(advance.keyVersionId).toBe(v2);

    const basic = await client.generateDataKey({ keyId: rotating.keyId });
    expect(basic.keyVersionId).toBe(rotating.primaryKeyVersion);
    expect(basic.plaintext).toHaveLength(32);
    const back = await client.decrypt({ keyId: rotating.keyId, ciphertextBlob: basic.ciphertextBlob, iv: basic.iv, algorithm: 'AES_GCM' });
    expect(back.plaintext).toEqual(basic.plaintext);
    expect(back.keyVersionId).toBe(rotating.primaryKeyVersion);

    const enc = await client.encrypt({ keyId: rotating.keyId, plaintext: new Uint8Array([5]), aad: new Uint8Array([6]) });
    const viaAdvance = await client.advanceDecrypt({ ciphertextBlob: enc.ciphertextBlob, keyId: rotating.keyId, iv: enc.iv, algorithm: 'AES_GCM', aad: new Uint8Array([6]) });
    expect(viaAdvance.plaintext).toEqual(new Uint8Array([5]));
  });

  it('service errors arrive as KmsServiceError with code, status and request id', async () => {
    await expect(client.advanceGenerateDataKey({ keyId: 'key-doesnotexist000000000', numberOfBytes: 32 })).rejects.toMatchObject({
      httpStatus: 404,
      code: 'Forbidden.KeyNotFound',
      requestId: expect.stringMatching(/^[0-9A-F-]{36}$/),
    });
    await expect(client.advanceGenerateDataKey({ keyId, numberOfBytes: 0 })).rejects.toMatchObject({ httpStatus: 400, code: 'InvalidParameter' });
    const disabled = (await h.kms.createKey()).keyMetadata.keyId;
    await h.kms.disableKey({ keyId: disabled });
    await expect(client.advanceEncrypt({ keyId: disabled, plaintext: new Uint8Array([1]) })).rejects.toMatchObject({ httpStatus: 409, code: 'Rejected.Disabled' });
  });

  it("AdvanceEncrypt and Encrypt refuse a caller's Iv with InvalidParameter", async () => {
    const victim = await client.advanceGenerateDataKey({ keyId, numberOfBytes: 32 });
    await expect(client.advanceEncrypt({ keyId, plaintext: new Uint8Array(32), iv: victim.iv })).rejects.toMatchObject({
      httpStatus: 400,
      code: 'InvalidParameter',
      message: expect.stringContaining('"Iv" is not valid'),
    });
    const encrypt = encodeInstanceMessage('EncryptRequest', { KeyId: keyId, Plaintext: new Uint8Array(32), Iv: victim.iv });
    expect(errorOf(await raw('Encrypt', encrypt))).toMatchObject({ status: 400, code: 'InvalidParameter', message: expect.stringContaining('"Iv"') });
  });

  it('an unknown ClientKey, or one whose certificate does not match, is refused', async () => {
    const { tls } = testPki();
    const stranger = issueClientKey({ password: 'pw' });
    const unknown = new AlibabaInstanceKms({ endpoint: `127.0.0.1:${h.https.port}`, clientKey: stranger.content, password: 'pw', ca: tls.caCertificate, retry: { maxAttempts: 1 } });
    await expect(unknown.advanceGenerateDataKey({ keyId, numberOfBytes: 32 })).rejects.toMatchObject({ httpStatus: 401, code: 'Unauthorized' });
    unknown.close();

    // Same id, other key pair: the signature does not verify.
    const impostor = issueClientKey({ password: 'pw', keyId: testPki().clientKey.keyId });
    const forged = new AlibabaInstanceKms({ endpoint: `127.0.0.1:${h.https.port}`, clientKey: impostor.content, password: 'pw', ca: tls.caCertificate, retry: { maxAttempts: 1 } });
    await expect(forged.advanceGenerateDataKey({ keyId, numberOfBytes: 32 })).rejects.toMatchObject({ httpStatus: 400, code: 'InvalidParam', message: 'The Param Authorization is invalid.' });
    forged.close();
  });

  it('takes a ClientKey public key given as a KeyObject', async () => {
    const { tls, clientKey } = testPki();
    const server = await startKmsServer({
      kms: h.kms,
      clientKeys: { [clientKey.keyId]: createPublicKey(clientKey.certificate) },
      tls: { cert: tls.certificate, key: tls.privateKey },
    });
    const client = new AlibabaInstanceKms({ endpoint: `127.0.0.1:${server.port}`, clientKey: clientKey.content, password: CLIENT_KEY_PASSWORD, ca: tls.caCertificate, retry: { maxAttempts: 1 } });
    try {
      expect((await client.advanceGenerateDataKey({ keyId, numberOfBytes: 16 })).plaintext).toHaveLength(16);
    } finally {
      client.close();
      await server.close();
    }
  });

  it('reads the ClientKey and the CA from files, as the official SDKs do', async () => {
    const { tls, clientKey } = testPki();
    const dir = await mkdtemp(join(tmpdir(), 'dek-kms-server-'));
    try {
      await writeFile(join(dir, 'clientKey.json'), JSON.stringify(clientKey.content));
      await writeFile(join(dir, 'ca.pem'), tls.caCertificate);
      const fromFiles = new AlibabaInstanceKms({
        endpoint: `https://127.0.0.1:${h.https.port}`,
        clientKeyFile: join(dir, 'clientKey.json'),
        caFile: join(dir, 'ca.pem'),
        password: CLIENT_KEY_PASSWORD,
      });
      expect((await fromFiles.advanceGenerateDataKey({ keyId, numberOfBytes: 8 })).plaintext).toHaveLength(8);
      fromFiles.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('TLS is verified against the instance CA', async () => {
    const { clientKey } = testPki();
    const untrusting = new AlibabaInstanceKms({ endpoint: `127.0.0.1:${h.https.port}`, clientKey: clientKey.content, password: CLIENT_KEY_PASSWORD, retry: { maxAttempts: 1 } });
    await expect(untrusting.advanceGenerateDataKey({ keyId, numberOfBytes: 32 })).rejects.toMatchObject({ httpStatus: 0, code: 'NetworkFailure' });
    untrusting.close();
  });
});

describe('instance API error paths (hand-made requests)', () => {
  it('a well-formed hand-made request succeeds and carries the key version header', async () => {
    const answer = await raw('AdvanceGenerateDataKey', gdkBody());
    expect(answer.status).toBe(200);
    const r = decodeInstanceMessage('AdvanceGenerateDataKeyResponse', answer.body);
    expect(answer.headers['x-kms-migrationkeyversionid']).toBe(r.KeyVersionId);
  });

  it.each([
    ['another API version', (hd: Record<string, string>) => void (hd['x-kms-apiversion'] = 'dkms-gcs-0.1'), 400, 'InvalidApiVersion'],
    ['an unknown API name', (hd: Record<string, string>) => void (hd['x-kms-apiname'] = 'GetSecretValue'), 400, 'InvalidApiName'],
    ['another signature method', (hd: Record<string, string>) => void (hd['x-kms-signaturemethod'] = 'HMAC-SHA1'), 400, 'InvalidParam'],
    ['no ClientKey id', (hd: Record<string, string>) => void delete hd['x-kms-acccesskeyid'], 400, 'MissingParameter'],
    ['a malformed date', (hd: Record<string, string>) => void (hd['date'] = 'yesterday'), 400, 'InvalidParam'],
    ['a stale date', (hd: Record<string, string>) => void (hd['date'] = new Date(Date.now() - 3_600_000).toUTCString()), 400, 'RequestTimeTooSkewed'],
    ['a wrong content-sha256', (hd: Record<string, string>) => void (hd['content-sha256'] = 'AB'.repeat(32)), 400, 'InvalidParam'],
    ['a malformed Authorization', (hd: Record<string, string>) => void (hd['authorization'] = 'Basic abc'), 400, 'InvalidParam'],
  ])('refuses %s', async (_, tamper, status, code) => {
    expect(errorOf(await raw('AdvanceGenerateDataKey', gdkBody(), tamper))).toMatchObject({ status, code });
  });

  it('refuses a header changed after signing', async () => {
    const answer = await raw('AdvanceGenerateDataKey', gdkBody(), (hd) => {
      const { clientKey } = testPki();
      const key = parseClientKey(clientKey.content, CLIENT_KEY_PASSWORD);
      hd['authorization'] = instanceAuthorization(key.privateKey, instanceStringToSign('POST', hd));
      hd['x-kms-apiname'] = 'AdvanceEncrypt';
    });
    expect(errorOf(answer)).toMatchObject({ status: 400, code: 'InvalidParam', message: 'The Param Authorization is invalid.' });
  });

  it('refuses a body that is not the protobuf message', async () => {
    expect(errorOf(await raw('AdvanceGenerateDataKey', new Uint8Array([0xff, 0xff, 0xff])))).toMatchObject({ status: 400, code: 'InvalidParameter' });
  });

  it('answers 413 to a body over the limit, as a protobuf Error', async () => {
    const big = new Uint8Array(3 * 1024 * 1024 + 1);
    expect(errorOf(await raw('AdvanceEncrypt', big))).toMatchObject({ status: 413 });
  });

  it('refuses a request signed under a clock outside the window of the server clock', async () => {
    const { tls, clientKey } = testPki();
    const skewed = await startKmsServer({
      kms: h.kms,
      clientKeys: { [clientKey.keyId]: clientKey.certificate },
      tls: { cert: tls.certificate, key: tls.privateKey },
      now: () => Date.now() + 16 * 60_000,
    });
    const c = new AlibabaInstanceKms({ endpoint: `127.0.0.1:${skewed.port}`, clientKey: clientKey.content, password: CLIENT_KEY_PASSWORD, ca: tls.caCertificate, retry: { maxAttempts: 1 } });
    await expect(c.advanceGenerateDataKey({ keyId, numberOfBytes: 32 })).rejects.toMatchObject({ httpStatus: 400, code: 'RequestTimeTooSkewed' });
    c.close();
    await skewed.close();
  });
});
