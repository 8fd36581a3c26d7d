/**
 * AwsKms over the official `@aws-sdk/client-kms`, against a loopback server whose answers each
 * test scripts: the requests it sends, how it reads answers, and how AWS errors map to
 * KmsServiceError. (The full protocol against a real implementation is in @dek/kms-server's
 * aws-*.test.ts.)
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import type { ServerResponse } from 'node:http';
import type * as AwsKmsSdk from '@aws-sdk/client-kms';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ArgumentError } from '@dek/core';
import { KmsServiceError } from '@dek/kms-adapter';
import { AWS_AAD_CONTEXT_KEY, AwsKms, aadEncryptionContext, awsKmsError, type AwsKmsOptions } from '@dek/kms-aws';
import { scriptedServer, type SeenRequest } from '../../../test-support/scripted-server.js';

const ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const BLOB = Buffer.alloc(120, 7);
const CREDENTIALS = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' };

/**
 * The official SDK, as AwsKms loads it. It fails when vitest starts its workers with
 * `--conditions module` (Node then picks `@aws-sdk/core`'s bundler-only `module` export): said
 * plainly, because the raw error points into node_modules.
 */
function awsSdk(): typeof AwsKmsSdk {
  try {
    return createRequire(import.meta.url)('@aws-sdk/client-kms') as typeof AwsKmsSdk;
  } catch (cause) {
    throw new Error("@aws-sdk/client-kms cannot load in this test worker: remove 'module' from ssr.resolve.conditions in vitest.config.ts", {
      cause,
    });
  }
}

beforeAll(() => {
  awsSdk();
});

const servers: Array<{ close(): Promise<void> }> = [];
const clients: AwsKms[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function json(res: ServerResponse, status: number, body: object | string, requestId = 'req-1'): void {
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

const bodyOf = (r: SeenRequest): Record<string, unknown> => JSON.parse(r.body.toString('utf8')) as Record<string, unknown>;

async function setup(script: (request: SeenRequest, res: ServerResponse) => void, options: Partial<AwsKmsOptions> = {}) {
  const server = await scriptedServer(script);
  servers.push(server);
  const kms = new AwsKms({ endpoint: server.url, region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 1, ...options });
  clients.push(kms);
  return { kms, seen: server.seen, url: server.url };
}

async function failure(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    () => new Error('expected the call to fail'),
    (e: unknown) => e,
  );
}

describe('AwsKms requests and answers', () => {
  it('advanceGenerateDataKey is GenerateDataKey with NumberOfBytes and the aad as {"dek-aad": base64}; no version, no iv', async () => {
    const { kms, seen } = await setup((_, res) =>
      json(res, 200, { KeyId: ARN, Plaintext: Buffer.alloc(32, 1).toString('base64'), CiphertextBlob: BLOB.toString('base64') }, 'R-GDK'),
    );
    const r = await kms.advanceGenerateDataKey({ keyId: 'alias/a', numberOfBytes: 32, aad: new Uint8Array([1, 2, 3]) });
    expect(r).toMatchObject({ keyId: ARN, keyVersionId: '', algorithm: 'AES_GCM', requestId: 'R-GDK' });
    expect(r.plaintext).toEqual(new Uint8Array(32).fill(1));
    expect(r.ciphertextBlob).toEqual(new Uint8Array(BLOB));
    expect(r.iv).toHaveLength(0);
    const request = seen[0]!;
    expect(request.method).toBe('POST');
    expect(request.headers['x-amz-target']).toBe('TrentService.GenerateDataKey');
    expect(request.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(request.headers['authorization']).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDTEST\/\d{8}\/us-east-1\/kms\/aws4_request, /);
    expect(bodyOf(request)).toEqual({ KeyId: 'alias/a', NumberOfBytes: 32, EncryptionContext: { 'dek-aad': 'AQID' } });
  });

  it('sends no EncryptionContext without aad or with an empty one', async () => {
    const { kms, seen } = await setup((_, res) => json(res, 200, { KeyId: ARN, Plaintext: Buffer.alloc(16).toString('base64'), CiphertextBlob: 'AAAA' }));
    await kms.advanceGenerateDataKey({ keyId: 'k', numberOfBytes: 16 });
    await kms.advanceGenerateDataKey({ keyId: 'k', numberOfBytes: 16, aad: new Uint8Array(0) });
    expect(seen.map((r) => 'EncryptionContext' in bodyOf(r))).toEqual([false, false]);
    expect(aadEncryptionContext(new Uint8Array([255]))).toEqual({ [AWS_AAD_CONTEXT_KEY]: '/w==' });
  });

  it('advanceEncrypt is Encrypt; advanceDecrypt is Decrypt (KeyId passed when given)', async () => {
    const { kms, seen } = await setup((request, res) => {
      if (request.headers['x-amz-target'] === 'TrentService.Encrypt') {
        json(res, 200, { KeyId: ARN, CiphertextBlob: BLOB.toString('base64'), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' }, 'R-E');
      } else {
        json(res, 200, { KeyId: ARN, Plaintext: Buffer.from([0, 255, 7]).toString('base64'), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' }, 'R-D');
      }
    });
    const e = await kms.advanceEncrypt({ keyId: ARN, plaintext: new Uint8Array([0, 255, 7]), aad: new Uint8Array([1]) });
    expect(e).toMatchObject({ keyId: ARN, keyVersionId: '', algorithm: 'AES_GCM', requestId: 'R-E' });
    expect(bodyOf(seen[0]!)).toEqual({ KeyId: ARN, Plaintext: 'AP8H', EncryptionAlgorithm: 'SYMMETRIC_DEFAULT', EncryptionContext: { 'dek-aad': 'AQ==' } });
    const d = await kms.advanceDecrypt({ ciphertextBlob: e.ciphertextBlob, aad: new Uint8Array([1]), keyId: ARN });
    expect(d).toMatchObject({ keyId: ARN, keyVersionId: '', requestId: 'R-D' });
    expect(d.plaintext).toEqual(new Uint8Array([0, 255, 7]));
    expect(seen[1]!.headers['x-amz-target']).toBe('TrentService.Decrypt');
    expect(bodyOf(seen[1]!)).toEqual({
      CiphertextBlob: BLOB.toString('base64'),
      EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      KeyId: ARN,
      EncryptionContext: { 'dek-aad': 'AQ==' },
    });
  });

  it('uses a client passed in, and leaves it open on close()', async () => {
    const server = await scriptedServer((_, res) => json(res, 200, { KeyId: ARN, CiphertextBlob: 'AAAA' }));
    servers.push(server);
    const client = new (awsSdk().KMSClient)({ endpoint: server.url, region: 'eu-west-1', credentials: CREDENTIALS, maxAttempts: 1 });
    try {
      const kms = new AwsKms({ client });
      await kms.advanceEncrypt({ keyId: 'k', plaintext: new Uint8Array([1]) });
      kms.close();
      await kms.advanceEncrypt({ keyId: 'k', plaintext: new Uint8Array([1]) });
      expect(server.seen.map((r) => /\/eu-west-1\/kms\//.test(String(r.headers['authorization'])))).toEqual([true, true]);
    } finally {
      client.destroy();
    }
  });

  it('takes region, credentials and endpoint from the usual environment variables', async () => {
    const server = await scriptedServer((_, res) => json(res, 200, { KeyId: ARN, CiphertextBlob: 'AAAA' }));
    servers.push(server);
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_REGION: 'ap-southeast-2',
      AWS_ACCESS_KEY_ID: 'AKIDFROMENV',
      AWS_SECRET_ACCESS_KEY: 'env-secret',
      AWS_ENDPOINT_URL_KMS: server.url,
      AWS_CONFIG_FILE: '/nonexistent/config',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
    });
    delete process.env['AWS_PROFILE'];
    delete process.env['AWS_SESSION_TOKEN'];
    try {
      const kms = new AwsKms({ maxAttempts: 1 });
      clients.push(kms);
      await kms.advanceEncrypt({ keyId: 'k', plaintext: new Uint8Array([1]) });
      expect(server.seen[0]!.headers['authorization']).toMatch(/Credential=AKIDFROMENV\/\d{8}\/ap-southeast-2\/kms\/aws4_request/);
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });
});

describe('AwsKms errors', () => {
  it.each([
    ['NotFoundException', 'Key does not exist'],
    ['DisabledException', 'key is disabled'],
    ['InvalidCiphertextException', ''],
    ['com.amazon.coral.service#AccessDeniedException', 'not authorized'],
    ['ThrottlingException', 'Rate exceeded'],
    ['KMSInvalidStateException', 'pending deletion'],
  ])('an AWS %s answer is a KmsServiceError with that code, the status, message and request id', async (type, message) => {
    const { kms } = await setup((_, res) => json(res, 400, { __type: type, message }, 'R-ERR'));
    const error = await failure(kms.advanceDecrypt({ ciphertextBlob: new Uint8Array([1]) }));
    expect(error).toBeInstanceOf(KmsServiceError);
    expect(error).toMatchObject({ httpStatus: 400, code: type.replace(/^.*#/, ''), message: message === '' ? expect.any(String) : message, requestId: 'R-ERR' });
  });

  it('a 500 without a body keeps its status', async () => {
    const { kms } = await setup((_, res) => {
      res.writeHead(500);
      res.end();
    });
    expect(await failure(kms.advanceEncrypt({ keyId: 'k', plaintext: new Uint8Array([1]) }))).toMatchObject({ httpStatus: 500 });
  });

  it('answers it cannot use are InvalidResponse: not JSON, a data key of the wrong length, no blob', async () => {
    const answers = [
      'not json',
      JSON.stringify({ KeyId: ARN, Plaintext: Buffer.alloc(31).toString('base64'), CiphertextBlob: 'AAAA' }),
      JSON.stringify({ KeyId: ARN, Plaintext: Buffer.alloc(32).toString('base64') }),
    ];
    let n = 0;
    const { kms } = await setup((_, res) => json(res, 200, answers[n++]!));
    for (let i = 0; i < answers.length; i++) {
      const error = await failure(kms.advanceGenerateDataKey({ keyId: 'k', numberOfBytes: 32 }));
      expect(error).toBeInstanceOf(KmsServiceError);
      expect(error).toMatchObject({ code: 'InvalidResponse', httpStatus: 200 });
    }
  });

  it('an unreachable endpoint is NetworkFailure with status 0', async () => {
    const kms = new AwsKms({ endpoint: 'http://127.0.0.1:1', region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 1 });
    clients.push(kms);
    expect(await failure(kms.advanceEncrypt({ keyId: 'k', plaintext: new Uint8Array([1]) }))).toMatchObject({ code: 'NetworkFailure', httpStatus: 0 });
  });

  it('no region anywhere is ClientError with status 0', async () => {
    const saved = { ...process.env };
    for (const key of ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE']) delete process.env[key];
    Object.assign(process.env, { AWS_CONFIG_FILE: '/nonexistent/config', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials' });
    try {
      const kms = new AwsKms({ endpoint: 'http://127.0.0.1:1', credentials: CREDENTIALS, maxAttempts: 1 });
      clients.push(kms);
      const error = await failure(kms.advanceEncrypt({ keyId: 'k', plaintext: new Uint8Array([1]) }));
      expect(error).toMatchObject({ code: 'ClientError', httpStatus: 0 });
      expect((error as Error).message).toContain('Region is missing');
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });

  it('awsKmsError passes a KmsServiceError through and names timeouts', () => {
    const own = new KmsServiceError({ httpStatus: 400, code: 'X', message: 'm', requestId: 'r' });
    expect(awsKmsError(own)).toBe(own);
    expect(awsKmsError(Object.assign(new Error('slow'), { name: 'TimeoutError' }))).toMatchObject({ code: 'RequestTimeout', httpStatus: 0 });
  });
});

describe('AwsKms argument checks (before any request)', () => {
  it.each([
    ['keyId', (k: AwsKms) => k.advanceGenerateDataKey({ keyId: '', numberOfBytes: 32 })],
    ['numberOfBytes', (k: AwsKms) => k.advanceGenerateDataKey({ keyId: 'k', numberOfBytes: 0 })],
    ['numberOfBytes', (k: AwsKms) => k.advanceGenerateDataKey({ keyId: 'k', numberOfBytes: 1025 })],
    ['numberOfBytes', (k: AwsKms) => k.advanceGenerateDataKey({ keyId: 'k', numberOfBytes: 16.5 })],
    ['aad', (k: AwsKms) => k.advanceGenerateDataKey({ keyId: 'k', numberOfBytes: 32, aad: new Uint8Array(8193) })],
    ['plaintext', (k: AwsKms) => k.advanceEncrypt({ keyId: 'k', plaintext: new Uint8Array(0) })],
    ['plaintext', (k: AwsKms) => k.advanceEncrypt({ keyId: 'k', plaintext: new Uint8Array(4097) })],
    ['iv', (k: AwsKms) => k.advanceEncrypt({ keyId: 'k', plaintext: new Uint8Array(1), iv: new Uint8Array(12) })],
    ['algorithm', (k: AwsKms) => k.advanceEncrypt({ keyId: 'k', plaintext: new Uint8Array(1), algorithm: 'SM4' as 'AES_GCM' })],
    ['ciphertextBlob', (k: AwsKms) => k.advanceDecrypt({ ciphertextBlob: new Uint8Array(0) })],
    ['ciphertextBlob', (k: AwsKms) => k.advanceDecrypt({ ciphertextBlob: new Uint8Array(6145) })],
    ['iv', (k: AwsKms) => k.advanceDecrypt({ ciphertextBlob: new Uint8Array(1), iv: new Uint8Array(12) })],
  ])('refuses a bad %s', async (field, call) => {
    const { kms, seen } = await setup((_, res) => json(res, 500, {}));
    const error = await failure(call(kms));
    expect(error).toBeInstanceOf(ArgumentError);
    expect((error as ArgumentError).details.field).toBe(field);
    expect(seen).toHaveLength(0);
  });

  it('refuses bad options', () => {
    const client = new (awsSdk().KMSClient)({ region: 'us-east-1' });
    try {
      expect(() => new AwsKms({ client, region: 'us-east-1' })).toThrow(expect.objectContaining({ details: { field: 'region' } }));
    } finally {
      client.destroy();
    }
    expect(() => new AwsKms({ maxAttempts: 0 })).toThrow(expect.objectContaining({ details: { field: 'maxAttempts' } }));
    expect(() => new AwsKms({ timeoutMs: 1.5 })).toThrow(expect.objectContaining({ details: { field: 'timeoutMs' } }));
    expect(() => new AwsKms({ endpoint: 'not a url' })).toThrow(expect.objectContaining({ details: { field: 'endpoint' } }));
    expect(() => new AwsKms({ endpoint: 'ftp://example.com' })).toThrow(expect.objectContaining({ details: { field: 'endpoint' } }));
  });
});

describe('test output', () => {
  it("stays clean of the SDK's Node-version notice (vitest.config.ts sets AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED)", () => {
    // A fresh process with this worker's environment, so the SDK's once-per-process notice is not already spent.
    const sdkPath = createRequire(import.meta.url).resolve('@aws-sdk/client-kms');
    const script = `new (require(${JSON.stringify(sdkPath)}).KMSClient)({ region: 'us-east-1' }).destroy();`;
    const run = spawnSync(process.execPath, ['-e', script], { env: process.env, encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stderr).not.toContain('NodeVersionSupportWarning');
  });
});
