/**
 * SigV4 and the JSON 1.1 framing of the AWS dialect: the computations against AWS's published
 * test-suite vectors, then hand-made requests for every authentication and protocol error.
 */
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalKms } from '@dek/kms-adapter';
import {
  canonicalUri,
  credentialScope,
  encryptionContextAad,
  parseSigV4Authorization,
  sigV4CanonicalRequest,
  sigV4Signature,
  sigV4SigningKey,
  sigV4StringToSign,
  startKmsServer,
  type KmsServer,
} from '@dek/kms-server';
import { AWS_ACCESS_KEY_ID, AWS_REGION, AWS_SECRET_ACCESS_KEY, startAwsHarness, type AwsHarness } from './aws-support.js';

const sha256 = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

describe('SigV4 computations (AWS sigv4 test suite vectors)', () => {
  const secret = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
  const headers: Record<string, string> = { host: 'example.amazonaws.com', 'x-amz-date': '20150830T123600Z' };
  const sign = (method: string, query: Array<[string, string]>): string => {
    const canonical = sigV4CanonicalRequest({
      method,
      rawPath: '/',
      query,
      header: (n) => headers[n] ?? '',
      signedHeaders: ['host', 'x-amz-date'],
      payloadHash: sha256(''),
    });
    const stringToSign = sigV4StringToSign('20150830T123600Z', credentialScope('20150830', 'us-east-1', 'service'), canonical);
    return sigV4Signature(sigV4SigningKey(secret, '20150830', 'us-east-1', 'service'), stringToSign);
  };

  it('get-vanilla, post-vanilla, get-vanilla-query-order-key-case', () => {
    expect(sign('GET', [])).toBe('5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31');
    expect(sign('POST', [])).toBe('5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b');
    expect(sign('GET', [['Param2', 'value2'], ['Param1', 'value1']])).toBe('b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500');
  });

  it('canonical URI: dot segments resolved, empty segments dropped, encoded a second time', () => {
    expect(canonicalUri('/')).toBe('/');
    expect(canonicalUri('/a/./b/../c//d/')).toBe('/a/c/d/');
    expect(canonicalUri('/my%20key')).toBe('/my%2520key');
  });

  it('parses the Authorization header the SDK sends, and refuses malformed ones', () => {
    const sdkHeader =
      'AWS4-HMAC-SHA256 Credential=AK/20260101/us-east-1/kms/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=' + 'a'.repeat(64);
    expect(parseSigV4Authorization(sdkHeader)).toEqual({
      accessKeyId: 'AK',
      date: '20260101',
      region: 'us-east-1',
      service: 'kms',
      signedHeaders: ['content-type', 'host', 'x-amz-date'],
      signature: 'a'.repeat(64),
    });
    expect(parseSigV4Authorization(sdkHeader.replace('content-type;host', 'host;content-type'))).toBeUndefined();
    expect(parseSigV4Authorization(sdkHeader.replace('content-type', 'Content-Type'))).toBeUndefined();
    expect(parseSigV4Authorization(sdkHeader.replace('AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA1'))).toBeUndefined();
    expect(parseSigV4Authorization(sdkHeader.replace('/aws4_request', ''))).toBeUndefined();
  });
});

describe('EncryptionContext -> Aad', () => {
  it('is SHA-256 of the documented length-prefixed encoding, sorted by key bytes', () => {
    const u32 = (n: number): Buffer => Buffer.from([0, 0, 0, n]);
    const expected = createHash('sha256')
      .update(Buffer.concat([Buffer.from('dek/aws-kms encryption-context'), Buffer.of(0), u32(1), Buffer.from('a'), u32(2), Buffer.from('xy'), u32(1), Buffer.from('b'), u32(0)]))
      .digest();
    expect(encryptionContextAad({ b: '', a: 'xy' }, 'encryptionContext')).toEqual(new Uint8Array(expected));
  });

  it('no context or {} is no Aad; different splits of the same characters differ', () => {
    expect(encryptionContextAad(undefined, 'c')).toBeUndefined();
    expect(encryptionContextAad({}, 'c')).toBeUndefined();
    expect(encryptionContextAad({ a: 'bc' }, 'c')).not.toEqual(encryptionContextAad({ ab: 'c' }, 'c'));
  });

  it('refuses lone surrogates and more than 8192 bytes', () => {
    expect(() => encryptionContextAad({ k: '\uD800' }, 'encryptionContext')).toThrow(expect.objectContaining({ type: 'ValidationException' }));
    expect(() => encryptionContextAad({ k: 'x'.repeat(8192) }, 'encryptionContext')).toThrow(expect.objectContaining({ type: 'ValidationException' }));
    expect(encryptionContextAad({ k: 'x'.repeat(8191) }, 'encryptionContext')).toHaveLength(32);
  });
});

/** An answer of the server, parsed. */
interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
  readonly json: Record<string, unknown> | undefined;
}

function send(server: KmsServer, method: string, path: string, headers: Record<string, string>, body: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: server.host, port: server.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: Record<string, unknown> | undefined;
        try {
          json = text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, json });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

interface SignOptions {
  method?: string;
  path?: string;
  target?: string;
  contentType?: string;
  secret?: string;
  accessKeyId?: string;
  /** `x-amz-date`; default now. */
  amzDate?: string;
  /** Credential scope date; default the day of `amzDate`. */
  scopeDate?: string;
  service?: string;
  /** Extra headers, signed. */
  signedExtra?: Record<string, string>;
  /** Extra headers, not signed. */
  unsignedExtra?: Record<string, string>;
  /** Headers to leave out of SignedHeaders. */
  leaveUnsigned?: string[];
  /** The body the signature is computed over (default: the body sent). */
  signedBody?: string;
}

function amzNow(offsetMs = 0): string {
  return new Date(Date.now() + offsetMs).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** Sends `body` signed with SigV4 (by the functions above, checked against AWS's vectors). */
function signedSend(server: KmsServer, body: string, o: SignOptions = {}): Promise<Answer> {
  const method = o.method ?? 'POST';
  const path = o.path ?? '/';
  const amzDate = o.amzDate ?? amzNow();
  const headers: Record<string, string> = {
    host: `${server.host}:${server.port}`,
    'content-type': o.contentType ?? 'application/x-amz-json-1.1',
    'x-amz-date': amzDate,
    'x-amz-target': o.target ?? 'TrentService.DescribeKey',
    ...o.signedExtra,
  };
  const signedHeaders = Object.keys(headers)
    .filter((n) => !(o.leaveUnsigned ?? []).includes(n))
    .sort();
  const canonical = sigV4CanonicalRequest({
    method,
    rawPath: path,
    query: [],
    header: (n) => headers[n] ?? '',
    signedHeaders,
    payloadHash: sha256(o.signedBody ?? body),
  });
  const scopeDate = o.scopeDate ?? amzDate.slice(0, 8);
  const service = o.service ?? 'kms';
  const stringToSign = sigV4StringToSign(amzDate, credentialScope(scopeDate, AWS_REGION, service), canonical);
  const signature = sigV4Signature(sigV4SigningKey(o.secret ?? AWS_SECRET_ACCESS_KEY, scopeDate, AWS_REGION, service), stringToSign);
  const authorization = `AWS4-HMAC-SHA256 Credential=${o.accessKeyId ?? AWS_ACCESS_KEY_ID}/${scopeDate}/${AWS_REGION}/${service}/aws4_request, SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`;
  return send(server, method, path, { ...headers, ...o.unsignedExtra, authorization }, body);
}

function expectAwsError(answer: Answer, type: string, status = 400): string {
  expect({ status: answer.status, type: answer.json?.['__type'], header: answer.headers['x-amzn-errortype'] }).toEqual({ status, type, header: type });
  expect(answer.headers['content-type']).toBe('application/x-amz-json-1.1');
  expect(answer.headers['x-amzn-requestid']).toMatch(/^[0-9A-F-]{36}$/);
  return String(answer.json?.['message']);
}

describe('authentication and framing errors, request by request', () => {
  let h: AwsHarness;
  let keyId: string;
  const describeBody = (id: string): string => JSON.stringify({ KeyId: id });

  beforeAll(async () => {
    h = await startAwsHarness({ maxBodyBytes: 4096 });
    keyId = (await h.kms.createKey()).keyMetadata.keyId;
  });
  afterAll(async () => h.close());

  it('a correctly signed request (no x-amz-content-sha256) is answered', async () => {
    const answer = await signedSend(h.server, describeBody(keyId));
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect((answer.json?.['KeyMetadata'] as { KeyId?: string }).KeyId).toBe(keyId);
  });

  it('no Authorization: MissingAuthenticationTokenException', async () => {
    const answer = await send(h.server, 'POST', '/', { 'x-amz-target': 'TrentService.DescribeKey', 'content-type': 'application/x-amz-json-1.1' }, describeBody(keyId));
    expect(expectAwsError(answer, 'MissingAuthenticationTokenException')).toBe('Missing Authentication Token');
  });

  it('a malformed Authorization, or required headers left unsigned: IncompleteSignatureException', async () => {
    const answer = await send(h.server, 'POST', '/', { 'x-amz-target': 'TrentService.DescribeKey', authorization: 'Bearer abc' }, describeBody(keyId));
    expectAwsError(answer, 'IncompleteSignatureException');
    for (const header of ['x-amz-target', 'content-type', 'host', 'x-amz-date']) {
      const message = expectAwsError(await signedSend(h.server, describeBody(keyId), { leaveUnsigned: [header] }), 'IncompleteSignatureException');
      expect(message).toContain(`'${header}'`);
    }
    const extra = await signedSend(h.server, describeBody(keyId), { unsignedExtra: { 'x-amz-meta': 'sneaky' } });
    expect(expectAwsError(extra, 'IncompleteSignatureException')).toContain("'x-amz-meta'");
  });

  it('a malformed x-amz-date: IncompleteSignatureException', async () => {
    expectAwsError(await signedSend(h.server, describeBody(keyId), { amzDate: '2026-01-01T00:00:00Z', scopeDate: '20260101' }), 'IncompleteSignatureException');
    expectAwsError(await signedSend(h.server, describeBody(keyId), { amzDate: '20260230T000000Z' }), 'IncompleteSignatureException');
  });

  it('a scope of another day or service, a date outside the window: InvalidSignatureException', async () => {
    const day = await signedSend(h.server, describeBody(keyId), { scopeDate: '20000101' });
    expect(expectAwsError(day, 'InvalidSignatureException')).toContain('Date in Credential scope');
    const service = await signedSend(h.server, describeBody(keyId), { service: 's3' });
    expect(expectAwsError(service, 'InvalidSignatureException')).toContain("'kms'");
    const old = await signedSend(h.server, describeBody(keyId), { amzDate: amzNow(-16 * 60_000) });
    expect(expectAwsError(old, 'InvalidSignatureException')).toMatch(/^Signature expired/);
    const future = await signedSend(h.server, describeBody(keyId), { amzDate: amzNow(16 * 60_000) });
    expect(expectAwsError(future, 'InvalidSignatureException')).toMatch(/^Signature not yet current/);
  });

  it("the clock window is AWS's 5 minutes, both ways (not the Alibaba dialects' 15)", async () => {
    // A fixed server clock, so the edges are exact to the second.
    const clock = Date.parse('2026-06-01T12:00:00Z');
    const fixed = await startAwsHarness({ now: () => clock });
    try {
      const at = (offsetMs: number): string => new Date(clock + offsetMs).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
      const id = (await fixed.kms.createKey()).keyMetadata.keyId;
      const inside = 4 * 60_000 + 59_000;
      const outside = 5 * 60_000 + 1000;
      expect((await signedSend(fixed.server, describeBody(id), { amzDate: at(-inside) })).status).toBe(200);
      expect((await signedSend(fixed.server, describeBody(id), { amzDate: at(inside) })).status).toBe(200);
      expect(expectAwsError(await signedSend(fixed.server, describeBody(id), { amzDate: at(-outside) }), 'InvalidSignatureException')).toMatch(
        /^Signature expired: \S+ is now earlier than \S+ \(\S+ - 5 min\.\)$/,
      );
      expect(expectAwsError(await signedSend(fixed.server, describeBody(id), { amzDate: at(outside) }), 'InvalidSignatureException')).toMatch(
        /^Signature not yet current: .* \+ 5 min\.\)$/,
      );
    } finally {
      await fixed.close();
    }
  });

  it('a session token or an unknown access key: UnrecognizedClientException', async () => {
    expectAwsError(await signedSend(h.server, describeBody(keyId), { signedExtra: { 'x-amz-security-token': 'token' } }), 'UnrecognizedClientException');
    expectAwsError(await signedSend(h.server, describeBody(keyId), { accessKeyId: 'AKIAUNKNOWN' }), 'UnrecognizedClientException');
  });

  it('a changed body, a wrong x-amz-content-sha256, a wrong secret: InvalidSignatureException', async () => {
    const changed = await signedSend(h.server, describeBody(keyId), { signedBody: describeBody('key-000000000000000000000') });
    expect(expectAwsError(changed, 'InvalidSignatureException')).toContain('The Canonical String for this request should have been');
    const hash = await signedSend(h.server, describeBody(keyId), { signedExtra: { 'x-amz-content-sha256': sha256('other') } });
    expect(expectAwsError(hash, 'InvalidSignatureException')).toContain('x-amz-content-sha256');
    expectAwsError(await signedSend(h.server, describeBody(keyId), { secret: 'wrong' }), 'InvalidSignatureException');
  });

  it('after authentication: wrong method or path, unknown target, wrong content type', async () => {
    expectAwsError(await signedSend(h.server, '', { method: 'GET' }), 'UnknownOperationException');
    expectAwsError(await signedSend(h.server, describeBody(keyId), { path: '/other' }), 'UnknownOperationException');
    expectAwsError(await signedSend(h.server, describeBody(keyId), { target: 'Foo_20140101.DescribeKey' }), 'UnknownOperationException');
    expectAwsError(await signedSend(h.server, describeBody(keyId), { target: 'TrentService.ScheduleKeyDeletion' }), 'UnknownOperationException');
    expectAwsError(await signedSend(h.server, describeBody(keyId), { contentType: 'application/json' }), 'SerializationException');
  });

  it('bodies that are not the JSON an action takes: SerializationException; missing members: ValidationException', async () => {
    expectAwsError(await signedSend(h.server, 'not json'), 'SerializationException');
    expectAwsError(await signedSend(h.server, '[1]'), 'SerializationException');
    expectAwsError(await signedSend(h.server, JSON.stringify({ KeyId: 7 })), 'SerializationException');
    const gdk = { target: 'TrentService.GenerateDataKey' };
    expectAwsError(await signedSend(h.server, JSON.stringify({ KeyId: keyId, NumberOfBytes: '32' }), gdk), 'SerializationException');
    expectAwsError(await signedSend(h.server, JSON.stringify({ KeyId: keyId, NumberOfBytes: 32, EncryptionContext: { a: 1 } }), gdk), 'SerializationException');
    const decrypt = { target: 'TrentService.Decrypt' };
    expectAwsError(await signedSend(h.server, JSON.stringify({ CiphertextBlob: 'not base64!' }), decrypt), 'SerializationException');
    const missing = await signedSend(h.server, '');
    expect(expectAwsError(missing, 'ValidationException')).toBe("1 validation error detected: Value at 'keyId' failed to satisfy constraint: Member must not be null");
  });

  it('a body over maxBodyBytes: 413 RequestEntityTooLargeException', async () => {
    const answer = await signedSend(h.server, JSON.stringify({ KeyId: 'x'.repeat(5000) }));
    expectAwsError(answer, 'RequestEntityTooLargeException', 413);
  });

  it('a server without the aws option knows no AWS credentials', async () => {
    const server = await startKmsServer({ kms: new LocalKms() });
    try {
      expectAwsError(await signedSend(server, describeBody(keyId)), 'UnrecognizedClientException');
    } finally {
      await server.close();
    }
  });

  it('refuses a bad region or account id at start', async () => {
    const kms = new LocalKms();
    await expect(startKmsServer({ kms, aws: { credentials: {}, region: 'US East' } })).rejects.toMatchObject({ code: 'DEK_ARGUMENT', details: { field: 'aws.region' } });
    await expect(startKmsServer({ kms, aws: { credentials: {}, accountId: '123' } })).rejects.toMatchObject({ details: { field: 'aws.accountId' } });
  });
});
