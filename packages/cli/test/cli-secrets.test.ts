/**
 * What the `dek` binary prints when a KMS refuses it holds no data key: `dek rewrap --kms alibaba`
 * against `dek serve` with a wrong AccessKey secret sends the data key as `Plaintext`, and the
 * gateway answers with its string to sign. Also: `dek serve` refuses a ClientKey certificate that
 * has expired.
 */
import { once } from 'node:events';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLocalKms, type AdvanceKms } from '@dek/kms-adapter';
import { encryptStream } from '@dek/stream';
import { assertNoSecret } from '../../../test-support/no-secret.js';
// The CLI has no node-forge of its own: the server package's test support makes the certificate.
import { certificateValid } from '../../kms-server/test/support/certificates.js';
import { dek, ensureBuilt, startDek, tempDir, waitFor } from './support/dek.js';

const SERVE_ID = 'LTAI_SECRETS_TEST';
const SERVE_SECRET = 'the-right-secret-0123456789';

let root: string;
let home: string;
let file: string;
let dataKey: Uint8Array;

beforeAll(async () => {
  ensureBuilt();
  root = tempDir('secrets');
  home = join(root, 'home');
  expect((await dek(['init'], { home })).code).toBe(0);
  // Encrypt in-process through a LocalKms that lets the test see the data key.
  const local = await openLocalKms({ home });
  const spy: AdvanceKms = {
    provider: local.provider,
    advanceGenerateDataKey: async (request) => {
      const response = await local.advanceGenerateDataKey(request);
      dataKey = response.plaintext.slice();
      return response;
    },
    advanceEncrypt: (request) => local.advanceEncrypt(request),
    advanceDecrypt: (request) => local.advanceDecrypt(request),
  };
  const chunks: Buffer[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => (chunks.push(chunk), done()) });
  await pipeline(Readable.from([Buffer.alloc(5000, 1)]), encryptStream({ kms: spy, keyId: 'alias/default' }), sink);
  file = join(root, 'f.dek');
  writeFileSync(file, Buffer.concat(chunks));
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('dek rewrap --kms alibaba with a wrong AccessKey secret', () => {
  it('prints the gateway code, and no data key on stderr (nor with DEK_DEBUG=1)', async () => {
    const server = startDek(['serve', '--port', '0', '--access-key-id', SERVE_ID], { home, env: { DEK_SERVE_ACCESS_KEY_SECRET: SERVE_SECRET } });
    let out = '';
    server.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const closed = once(server, 'close');
    try {
      await waitFor(() => /listening on http:\/\/\S+/.test(out), 'dek serve to listen');
      const url = /listening on (http:\/\/\S+)/.exec(out)![1]!;
      const env = {
        ALIBABA_CLOUD_ACCESS_KEY_ID: SERVE_ID,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'a-wrong-secret',
        ALIBABA_CLOUD_SECURITY_TOKEN: '',
        ALIBABA_CLOUD_REGION_ID: '',
      };
      const args = ['rewrap', '--kms', 'alibaba', '--alibaba-endpoint', url, '--to', 'alias/default', '-o', join(root, 'out.dek'), file];
      for (const debug of [{}, { DEK_DEBUG: '1' }] as Array<Record<string, string>>) {
        const r = await dek(args, { home, env: { ...env, ...debug } });
        expect(r.code).toBe(1);
        expect(r.stderr).toContain('SignatureDoesNotMatch');
        assertNoSecret(r.stderr, [dataKey]);
      }
    } finally {
      server.kill('SIGINT');
    }
    await closed;
  });
});

describe('dek serve --client-key', () => {
  it('refuses an expired ClientKey certificate, naming it (exit 2)', async () => {
    const expired = certificateValid(new Date(Date.now() - 30 * 86_400_000), new Date(Date.now() - 86_400_000));
    const pem = join(root, 'expired.pem');
    writeFileSync(pem, expired);
    const child = startDek(['serve', '--port', '0', '--client-key', `KAAP.expired=${pem}`], { home });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // Should it start serving after all, stop it rather than hang the test.
    const stop = setTimeout(() => child.kill('SIGINT'), 10_000);
    const [code] = (await once(child, 'close')) as [number | null];
    clearTimeout(stop);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^dek: DEK_ARGUMENT: clientKeys\.KAAP\.expired: the certificate has expired/);
  });
});
