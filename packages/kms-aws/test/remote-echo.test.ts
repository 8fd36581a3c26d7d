/**
 * AWS echoes request content in its errors (`InvalidSignatureException` quotes the canonical
 * request it expected; a `ValidationException` may name a value). Against loopback servers that
 * echo the worst they could, no error of AwsKms carries the data key or blob it sent, in any
 * encoding, while the error code survives. (Alibaba: packages/kms-alibaba/test/remote-echo.test.ts.)
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it, onTestFinished } from 'vitest';
import { KmsServiceError } from '@dek/kms-adapter';
import { AwsKms } from '@dek/kms-aws';
import { FIXED_DATA_KEY, serve } from '../../../test-support/echo-server.js';
import { failureOf } from '../../../test-support/kms-failure.js';
import { assertNoSecret } from '../../../test-support/no-secret.js';

const kmsFailure = (call: Promise<unknown>): Promise<KmsServiceError> => failureOf(call, KmsServiceError);

describe('AwsKms', () => {
  it('InvalidSignatureException quoting the canonical request and the body: the code stays, the bytes do not', async () => {
    const url = await serve((r, res) => {
      const message =
        'The request signature we calculated does not match the signature you provided.\n\nThe Canonical String for this request should have been\n' +
        `'POST\n/\n\n${r.body.toString('utf8')}'`;
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'R-5', 'x-amzn-errortype': 'InvalidSignatureException' });
      res.end(JSON.stringify({ __type: 'InvalidSignatureException', message }));
    });
    const kms = new AwsKms({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'AK', secretAccessKey: 'wrong' }, maxAttempts: 1 });
    onTestFinished(() => kms.close());
    const dataKey = randomBytes(32);
    const encrypt = await kmsFailure(kms.advanceEncrypt({ keyId: 'alias/a', plaintext: dataKey }));
    expect(encrypt).toMatchObject({ httpStatus: 400, code: 'InvalidSignatureException', requestId: 'R-5' });
    assertNoSecret(encrypt, [dataKey]);
    const blob = randomBytes(120);
    const decrypt = await kmsFailure(kms.advanceDecrypt({ ciphertextBlob: blob }));
    assertNoSecret(decrypt, [blob]);
  });

  it('a ValidationException naming the value: redacted', async () => {
    const url = await serve((r, res) => {
      const plaintext = String((JSON.parse(r.body.toString('utf8')) as Record<string, unknown>)['Plaintext']);
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': 'ValidationException' });
      res.end(JSON.stringify({ __type: 'ValidationException', message: `Value '${plaintext}' at 'plaintext' failed to satisfy constraint` }));
    });
    const kms = new AwsKms({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'AK', secretAccessKey: 'wrong' }, maxAttempts: 1 });
    onTestFinished(() => kms.close());
    const dataKey = FIXED_DATA_KEY;
    const error = await kmsFailure(kms.advanceEncrypt({ keyId: 'alias/a', plaintext: dataKey }));
    expect(error.code).toBe('ValidationException');
    assertNoSecret(error, [dataKey]);
  });
});
