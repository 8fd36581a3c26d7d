/**
 * Alibaba's gateway echoes request content in its errors (`SignatureDoesNotMatch` quotes its
 * string to sign: every parameter, `Plaintext` included), and HTTP libraries put the request URL
 * in network errors. Against loopback servers that echo the worst they could, no error of the
 * Alibaba clients carries the data key, plaintext or blob they sent, in any encoding, while the
 * error code survives. (AWS: packages/kms-aws/test/remote-echo.test.ts.)
 */
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { describe, expect, it, onTestFinished } from 'vitest';
import { KmsServiceError } from '@dek/kms-adapter';
import { AlibabaInstanceKms, AlibabaOpenApiKms, decodeInstanceMessage, encodeInstanceMessage } from '@dek/kms-alibaba';
import { FIXED_DATA_KEY, serve } from '../../../test-support/echo-server.js';
import { failureOf } from '../../../test-support/kms-failure.js';
import { assertNoSecret } from '../../../test-support/no-secret.js';
import { makeClientKey, type SeenRequest } from './alibaba-support.js';

const kmsFailure = (call: Promise<unknown>): Promise<KmsServiceError> => failureOf(call, KmsServiceError);

/** Alibaba's percent-encoding, as its gateway builds the v1 string to sign. */
const percentEncode = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** What the real gateway answers to a bad v1 signature: its string to sign, every parameter in it. */
function signatureDoesNotMatch(r: SeenRequest, res: ServerResponse): void {
  const query = new URL(r.url, 'http://x').searchParams;
  const canonical = [...query.entries()]
    .filter(([name]) => name !== 'Signature')
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, value]) => `${percentEncode(name)}=${percentEncode(value)}`)
    .join('&');
  res.writeHead(400, { 'content-type': 'application/json;charset=utf-8' });
  res.end(
    JSON.stringify({
      RequestId: 'R-1',
      HostId: 'kms.cn-hangzhou.aliyuncs.com',
      Code: 'SignatureDoesNotMatch',
      Message: `Specified signature is not matched with our calculation. server string to sign is:POST&%2F&${percentEncode(canonical)}`,
      Recommend: 'https://error-center.aliyun.com/status/search?Keyword=SignatureDoesNotMatch&source=PopGw',
    }),
  );
}

/** A gateway that names the parameter's value in its message, without any string to sign. */
function echoedValue(r: SeenRequest, res: ServerResponse): void {
  const query = new URL(r.url, 'http://x').searchParams;
  const value = query.get('Plaintext') ?? query.get('CiphertextBlob') ?? '';
  res.writeHead(400, { 'content-type': 'application/json;charset=utf-8' });
  res.end(JSON.stringify({ RequestId: 'R-2', Code: 'InvalidParameter', Message: `The parameter value ${value} is not valid.` }));
}

/** An OpenAPI CiphertextBlob: base64(KeyVersionId | IV | ciphertext | tag), the bytes random. */
function openApiBlob(): { text: string; bytes: Buffer } {
  const bytes = Buffer.concat([Buffer.from('key-abcdefghijklmnopqrstu-0123456789'), randomBytes(12 + 60)]);
  return { text: bytes.toString('base64'), bytes };
}

describe('AlibabaOpenApiKms', () => {
  function client(url: string): AlibabaOpenApiKms {
    return new AlibabaOpenApiKms({
      endpoint: url.replace('http://', ''),
      protocol: 'http',
      regionId: 'cn-hangzhou',
      accessKeyId: 'AK',
      accessKeySecret: 'wrong-secret',
      retry: { maxAttempts: 1 },
    });
  }

  for (const [label, script, code] of [
    ['SignatureDoesNotMatch with the string to sign', signatureDoesNotMatch, 'SignatureDoesNotMatch'],
    ['a message quoting the value', echoedValue, 'InvalidParameter'],
  ] as const) {
    it(`${label}: advanceEncrypt and advanceDecrypt errors keep the code, not the data key or blob`, async () => {
      const kms = client(await serve(script));
      const dataKey = FIXED_DATA_KEY;
      const encrypt = await kmsFailure(kms.advanceEncrypt({ keyId: 'alias/a', plaintext: dataKey }));
      expect(encrypt).toMatchObject({ httpStatus: 400, code });
      assertNoSecret(encrypt, [dataKey]);
      const blob = openApiBlob();
      const decrypt = await kmsFailure(kms.advanceDecrypt({ ciphertextBlob: new TextEncoder().encode(blob.text) }));
      expect(decrypt).toMatchObject({ httpStatus: 400, code });
      assertNoSecret(decrypt, [blob.bytes]);
    });
  }

  it('a connection cut mid-request: the network error drops the request URL and its query', async () => {
    const kms = client(await serve((_, res) => res.socket?.destroy()));
    const dataKey = randomBytes(32);
    const error = await kmsFailure(kms.advanceEncrypt({ keyId: 'alias/a', plaintext: dataKey }));
    expect(error.code).toBe('NetworkFailure');
    assertNoSecret(error, [dataKey]);
  });
});

describe('AlibabaInstanceKms', () => {
  const clientKey = makeClientKey();

  it('a protobuf Error quoting the request body: the code stays, the plaintext and blob do not', async () => {
    const url = await serve((r, res) => {
      const message = `bad signature. string to sign is: ${r.body.toString('base64')}; body ${r.body.toString('hex')}`;
      res.writeHead(400, { 'content-type': 'application/x-protobuf' });
      res.end(encodeInstanceMessage('Error', { StatusCode: 400, ErrorCode: 'InvalidParam', ErrorMessage: message, RequestId: 'R-3' }));
    });
    const kms = new AlibabaInstanceKms({ endpoint: url, clientKey: clientKey.content, password: clientKey.password, retry: { maxAttempts: 1 } });
    onTestFinished(() => kms.close());
    const dataKey = randomBytes(32);
    const encrypt = await kmsFailure(kms.advanceEncrypt({ keyId: 'k', plaintext: dataKey }));
    expect(encrypt).toMatchObject({ httpStatus: 400, code: 'InvalidParam', requestId: 'R-3' });
    assertNoSecret(encrypt, [dataKey]);
    const blob = randomBytes(3 + 36 + 12 + 48);
    const decrypt = await kmsFailure(kms.advanceDecrypt({ ciphertextBlob: blob }));
    assertNoSecret(decrypt, [blob]);
  });

  it('a message without any string to sign, quoting the plaintext in hex and base64', async () => {
    const url = await serve((r, res) => {
      const plaintext = decodeInstanceMessage('AdvanceEncryptRequest', r.body).Plaintext;
      const message = `Plaintext ${Buffer.from(plaintext).toString('hex')} / ${Buffer.from(plaintext).toString('base64')} refused`;
      res.writeHead(400, { 'content-type': 'application/x-protobuf' });
      res.end(encodeInstanceMessage('Error', { StatusCode: 400, ErrorCode: 'InvalidParameter', ErrorMessage: message, RequestId: 'R-4' }));
    });
    const kms = new AlibabaInstanceKms({ endpoint: url, clientKey: clientKey.content, password: clientKey.password, retry: { maxAttempts: 1 } });
    onTestFinished(() => kms.close());
    const dataKey = FIXED_DATA_KEY;
    const error = await kmsFailure(kms.advanceEncrypt({ keyId: 'k', plaintext: dataKey }));
    expect(error).toMatchObject({ code: 'InvalidParameter', message: 'Plaintext <redacted> / <redacted> refused' });
    assertNoSecret(error, [dataKey]);
  });
});
