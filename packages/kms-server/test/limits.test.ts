/**
 * Server limits: body size (413), header size (64 KiB), per-request deadline (503), graceful
 * shutdown, and concurrent writes that must not lose keys or versions.
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalKms } from '@dek/kms-adapter';
import { startKmsServer, type KmsBackend, type KmsServer } from '@dek/kms-server';
import { startHarness, type Harness } from './support/harness.js';
import { $Kms, ACCESS_KEY_ID, ACCESS_KEY_SECRET, callApi, kmsClient, officialError, openApiClient } from './support/official.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw HTTP request: `body` as one buffer (content-length) or as chunks (chunked encoding). */
function send(port: number, path: string, body: Buffer | Buffer[] = Buffer.alloc(0), headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const chunked = Array.isArray(body);
    const req = httpRequest(
      { host: '127.0.0.1', port, path, method: 'POST', headers: { ...headers, ...(chunked ? {} : { 'content-length': String(body.length) }) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    if (chunked) {
      for (const chunk of body) req.write(chunk);
      req.end();
    } else {
      req.end(body);
    }
  });
}

/** LocalKms with some methods replaced. */
function withOverrides(kms: LocalKms, overrides: Partial<KmsBackend>): KmsBackend {
  return new Proxy(kms, {
    get(target, property) {
      if (property in overrides) return overrides[property as keyof KmsBackend];
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  }) as unknown as KmsBackend;
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.close());

describe('request limits', () => {
  const limit = 3 * 1024 * 1024;

  it('answers 413 to a declared body over 3 MiB, before reading it, as the gateway JSON error', async () => {
    const answer = await send(h.http.port, '/', Buffer.alloc(limit + 1, 0x61), { 'content-type': 'application/x-www-form-urlencoded' });
    expect(answer.status).toBe(413);
    expect(answer.headers['content-type']).toBe('application/json;charset=utf-8');
    expect(JSON.parse(answer.body)).toMatchObject({ Code: 'RequestEntityTooLarge', RequestId: expect.stringMatching(/^[0-9A-F-]{36}$/) });
  });

  it('answers 413 to a chunked body once it passes 3 MiB', async () => {
    const chunks = Array.from({ length: 4 }, () => Buffer.alloc(1024 * 1024, 0x61));
    const answer = await send(h.http.port, '/', chunks);
    expect(answer.status).toBe(413);
  });

  it('accepts a body of exactly 3 MiB (and then judges its content)', async () => {
    const answer = await send(h.http.port, '/', Buffer.alloc(limit, 0x61));
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ Code: 'MissingParameter' });
  });

  it('reads a URL of 40 KB (the official client puts every parameter there) and refuses headers over 64 KiB', async () => {
    const long = await send(h.http.port, `/?Padding=${'a'.repeat(40_000)}`);
    expect(long.status).toBe(400);
    expect(JSON.parse(long.body)).toMatchObject({ Code: 'MissingParameter' });
    const tooLong = await send(h.http.port, `/?Padding=${'a'.repeat(70_000)}`).catch((e: unknown) => e);
    // Node answers 431 and closes the connection (some platforms reset it instead).
    expect(tooLong instanceof Error ? 'reset' : String((tooLong as Answer).status)).toMatch(/^(431|reset)$/);
  });

  it('answers anything but GET and POST with UnsupportedHTTPMethod', async () => {
    const answer = await new Promise<Answer>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: h.http.port, path: '/', method: 'PUT' }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body)).toMatchObject({ Code: 'UnsupportedHTTPMethod' });
  });
});

describe('deadlines and shutdown', () => {
  it('answers 503 ServiceUnavailableTemporary when a request outlives its deadline', async () => {
    const kms = new LocalKms();
    const stuck = withOverrides(kms, { listKeys: () => new Promise(() => undefined) });
    const server = await startKmsServer({ kms: stuck, accessKeys: { [ACCESS_KEY_ID]: ACCESS_KEY_SECRET }, requestTimeoutMs: 150 });
    const error = await officialError(() => callApi(openApiClient(`127.0.0.1:${server.port}`), 'ListKeys', {}));
    expect(error).toMatchObject({ code: 'ServiceUnavailableTemporary', statusCode: 503 });
    await server.close();
  });

  it('close() lets a request in flight finish, refuses new connections, then resolves', async () => {
    const kms = new LocalKms();
    const keyId = (await kms.createKey()).keyMetadata.keyId;
    let started!: () => void;
    const inFlight = new Promise<void>((resolve) => (started = resolve));
    const slow = withOverrides(kms, {
      createKeyVersion: async (request) => {
        started();
        await new Promise((resolve) => setTimeout(resolve, 200));
        return kms.createKeyVersion(request);
      },
    });
    const server: KmsServer = await startKmsServer({ kms: slow, accessKeys: { [ACCESS_KEY_ID]: ACCESS_KEY_SECRET } });
    const client = kmsClient(`127.0.0.1:${server.port}`);
    const pending = client.createKeyVersion(new $Kms.CreateKeyVersionRequest({ keyId }));
    await inFlight;
    const closed = server.close();
    expect(server.close()).toBe(closed);
    const refused = await send(server.port, '/').catch((e: NodeJS.ErrnoException) => e.code);
    expect(refused).toBe('ECONNREFUSED');
    const result = await pending;
    expect(result.keyVersion.keyId).toBe(keyId);
    await closed;
    expect((await kms.listKeyVersions({ keyId })).totalCount).toBe(2);
  });
});

describe('options', () => {
  it('refuses bad numbers, naming the option, and reports a port in use', async () => {
    const kms = new LocalKms();
    await expect(startKmsServer({ kms, requestTimeoutMs: 0 })).rejects.toMatchObject({ code: 'DEK_ARGUMENT', details: { field: 'requestTimeoutMs' } });
    await expect(startKmsServer({ kms, maxBodyBytes: 1.5 })).rejects.toMatchObject({ details: { field: 'maxBodyBytes' } });
    await expect(startKmsServer({ kms, port: h.http.port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});

describe('concurrency', () => {
  it('concurrent CreateKey and CreateKeyVersion calls lose nothing', async () => {
    const client = kmsClient(h.endpoint);
    const keyId = (await client.createKey(new $Kms.CreateKeyRequest({}))).keyMetadata.keyId;
    const [versions, keys] = await Promise.all([
      Promise.all(Array.from({ length: 24 }, () => client.createKeyVersion(new $Kms.CreateKeyVersionRequest({ keyId })))),
      Promise.all(Array.from({ length: 12 }, () => client.createKey(new $Kms.CreateKeyRequest({})))),
    ]);
    const listed = await client.listKeyVersions(new $Kms.ListKeyVersionsRequest({ keyId, pageSize: 100 }));
    expect(listed.totalCount).toBe(25);
    const ids = new Set(listed.keyVersions.keyVersion.map((v) => v.keyVersionId));
    for (const v of versions) expect(ids.has(v.keyVersion.keyVersionId)).toBe(true);
    const allKeys = await client.listKeys(new $Kms.ListKeysRequest({ pageSize: 100 }));
    const keyIds = new Set(allKeys.keys.key.map((k) => k.keyId));
    for (const k of keys) expect(keyIds.has(k.keyMetadata.keyId)).toBe(true);
  });
});
