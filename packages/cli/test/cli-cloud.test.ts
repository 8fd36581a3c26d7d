/**
 * The `dek` binary with cloud KMSs, against a `@dek/kms-server` started in this process (an
 * in-memory LocalKms behind the AWS JSON 1.1 dialect, the Alibaba OpenAPI and the instance API):
 * round trips through `--kms aws` and `--kms alibaba`, the slots `dek inspect` shows, files that
 * a local and a cloud slot both open, KMS errors (exit 1 with the service's code), bad settings
 * (exit 2), and `dek serve` with its AWS credentials flags.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalKms, openLocalKms } from '@dek/kms-adapter';
import { AwsKms } from '@dek/kms-aws';
import { issueClientKey, startKmsServer, type KmsServer } from '@dek/kms-server';
import { encryptStream } from '@dek/stream';
import { dek, ensureBuilt, startDek, tempDir, waitFor } from './support/dek.js';

const AWS_ID = 'AKIACLITEST0000000001';
const AWS_SECRET = 'aws-secret-for-the-cli-test';
const ALIBABA_ID = 'LTAI_CLI_TEST';
const ALIBABA_SECRET = 'alibaba-secret-for-the-cli-test';
const CLIENT_KEY_PASSWORD = 'client-key-password';
const ACCOUNT = '111122223333';

let root: string;
let home: string;
let work: string;
let server: KmsServer;
let keyId: string;
let endpoint: string;
let clientKeyFile: string;
const plain = randomBytes(40_000);

function at(name: string): string {
  return join(work, name);
}

/** A hermetic AWS environment: the server's credentials, no shared files, no instance metadata. */
function awsEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: AWS_ID,
    AWS_SECRET_ACCESS_KEY: AWS_SECRET,
    AWS_REGION: 'us-east-1',
    AWS_SESSION_TOKEN: '',
    AWS_PROFILE: '',
    AWS_DEFAULT_REGION: '',
    AWS_ENDPOINT_URL: '',
    AWS_ENDPOINT_URL_KMS: '',
    AWS_CONFIG_FILE: join(root, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(root, 'no-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  };
}

function alibabaEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    ALIBABA_CLOUD_ACCESS_KEY_ID: ALIBABA_ID,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: ALIBABA_SECRET,
    ALIBABA_CLOUD_SECURITY_TOKEN: '',
    ALIBABA_CLOUD_REGION_ID: '',
    DEK_ALIBABA_ENDPOINT: endpoint,
    ...extra,
  };
}

interface Slot {
  kms: string;
  keyId: string;
  keyVersionId?: string;
}

async function slotsOf(file: string): Promise<Slot[]> {
  const r = await dek(['inspect', '--json', file], { home });
  expect(r.code).toBe(0);
  return (JSON.parse(r.stdout.toString()) as { slots: Slot[] }).slots;
}

beforeAll(async () => {
  ensureBuilt();
  root = tempDir('cloud');
  home = join(root, 'home');
  work = join(root, 'work');
  mkdirSync(work);
  writeFileSync(at('plain.bin'), plain);
  const kms = new LocalKms();
  const clientKey = issueClientKey({ password: CLIENT_KEY_PASSWORD });
  clientKeyFile = join(root, 'client-key.json');
  writeFileSync(clientKeyFile, JSON.stringify(clientKey.content), { mode: 0o600 });
  server = await startKmsServer({
    kms,
    accessKeys: { [ALIBABA_ID]: ALIBABA_SECRET },
    clientKeys: { [clientKey.keyId]: clientKey.certificate },
    aws: { credentials: { [AWS_ID]: AWS_SECRET }, region: 'us-east-1', accountId: ACCOUNT },
  });
  endpoint = server.url;
  const { keyMetadata } = await kms.createKey({});
  keyId = keyMetadata.keyId;
  await kms.createAlias({ aliasName: 'alias/cloud', keyId });
  expect((await dek(['init'], { home })).code).toBe(0);
});

afterAll(async () => {
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('--kms aws', () => {
  it('encrypts and decrypts through the AWS dialect; inspect shows the aws-kms slot by ARN', async () => {
    const encrypted = await dek(['encrypt', '--kms', 'aws', '--aws-endpoint', endpoint, '-k', 'alias/cloud', '-o', at('aws.dek'), at('plain.bin')], { home, env: awsEnv() });
    expect(encrypted.stderr).toBe('');
    expect(encrypted.code).toBe(0);
    const slots = await slotsOf(at('aws.dek'));
    expect(slots).toHaveLength(1);
    expect(slots[0]).toMatchObject({ kms: 'aws-kms', keyId: `arn:aws:kms:us-east-1:${ACCOUNT}:key/${keyId}` });
    expect(slots[0]?.keyVersionId).toBeUndefined(); // AWS exposes no key version
    const decrypted = await dek(['decrypt', '--kms', 'aws', '--aws-endpoint', endpoint, '-o', at('aws.out'), at('aws.dek')], { home, env: awsEnv() });
    expect(decrypted.stderr).toBe('');
    expect(decrypted.code).toBe(0);
    expect(readFileSync(at('aws.out')).equals(plain)).toBe(true);
  });

  it('takes the endpoint from AWS_ENDPOINT_URL_KMS, the region from --aws-region and a key ARN (stdin to stdout)', async () => {
    const env = awsEnv({ AWS_REGION: '', AWS_ENDPOINT_URL_KMS: endpoint });
    const arn = `arn:aws:kms:us-east-1:${ACCOUNT}:key/${keyId}`;
    const encrypted = await dek(['encrypt', '--kms', 'aws', '--aws-region', 'us-east-1', '-k', arn], { home, env, input: plain });
    expect(encrypted.code).toBe(0);
    const decrypted = await dek(['decrypt', '--kms', 'aws', '--aws-region', 'us-east-1'], { home, env, input: encrypted.stdout });
    expect(decrypted.code).toBe(0);
    expect(decrypted.stdout.equals(plain)).toBe(true);
  });

  it('an unknown key: exit 1, DEK_KMS with NotFoundException, no output', async () => {
    const r = await dek(['encrypt', '--kms', 'aws', '--aws-endpoint', endpoint, '-k', 'alias/missing', '-o', at('missing.dek'), at('plain.bin')], { home, env: awsEnv() });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^dek: DEK_KMS: advanceGenerateDataKey failed for aws-kms key alias\/missing: NotFoundException: /);
    expect(() => readFileSync(at('missing.dek'))).toThrow();
  });

  it('wrong credentials: exit 1 naming InvalidSignatureException (secret) or UnrecognizedClientException (id)', async () => {
    const args = ['encrypt', '--kms', 'aws', '--aws-endpoint', endpoint, '-k', 'alias/cloud'];
    const secret = await dek(args, { home, env: awsEnv({ AWS_SECRET_ACCESS_KEY: 'wrong' }), input: plain });
    expect(secret.code).toBe(1);
    // AWS's echo of the canonical request is dropped: one line, however the request was built.
    expect(secret.stderr).toMatch(/^dek: DEK_KMS: .*: InvalidSignatureException: The request signature we calculated does not match.*\(echo of the signed request removed\)/);
    expect(secret.stderr.split('\n')).toHaveLength(3); // the error, the hint, ''
    const id = await dek(args, { home, env: awsEnv({ AWS_ACCESS_KEY_ID: 'AKIAUNKNOWN' }), input: plain });
    expect(id.code).toBe(1);
    expect(id.stderr).toMatch(/^dek: DEK_KMS: .*: UnrecognizedClientException: /);
  });

  it('decrypting with wrong credentials: DEK_KMS, the slot failure names the AWS code', async () => {
    const r = await dek(['decrypt', '--kms', 'aws', '--aws-endpoint', endpoint, '-o', at('denied.out'), at('aws.dek')], { home, env: awsEnv({ AWS_SECRET_ACCESS_KEY: 'wrong' }) });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^dek: DEK_KMS: /);
    expect(r.stderr).toMatch(/slot 0 \(aws-kms arn:aws:kms:\S+\): InvalidSignatureException: /);
    expect(() => readFileSync(at('denied.out'))).toThrow();
  });

  it('rewraps a file under the aws key', async () => {
    const r = await dek(['rewrap', '--kms', 'aws', '--aws-endpoint', endpoint, '-o', at('aws-rewrapped.dek'), at('aws.dek')], { home, env: awsEnv() });
    expect(r.code).toBe(0);
    expect((await slotsOf(at('aws-rewrapped.dek')))[0]).toMatchObject({ kms: 'aws-kms', keyId: `arn:aws:kms:us-east-1:${ACCOUNT}:key/${keyId}` });
  });

  it('warns when plain HTTP leaves the machine', async () => {
    // The file has only a local slot, so nothing is sent to the (unreachable) endpoint.
    const encrypted = await dek(['encrypt'], { home, input: plain });
    const r = await dek(['decrypt', '--kms', 'aws', '--aws-endpoint', 'http://192.0.2.1:8443'], { home, env: awsEnv(), input: encrypted.stdout });
    expect(r.code).toBe(0);
    expect(r.stdout.equals(plain)).toBe(true);
    expect(r.stderr).toContain('dek: warning: --aws-endpoint uses plain HTTP to 192.0.2.1:8443');
  });

  it('bad settings are usage errors naming the flag', async () => {
    const scheme = await dek(['encrypt', '--kms', 'aws', '--aws-endpoint', 'ftp://127.0.0.1:1', '-k', 'alias/cloud'], { home, env: awsEnv(), input: plain });
    expect(scheme.code).toBe(2);
    expect(scheme.stderr).toMatch(/^dek: DEK_USAGE: --aws-endpoint 'ftp:\/\/127\.0\.0\.1:1' is not an http\(s\) URL/);
    const path = await dek(['decrypt', '--kms', 'aws', '--aws-endpoint', `${endpoint}/kms`, at('aws.dek')], { home, env: awsEnv() });
    expect(path.code).toBe(2);
    expect(path.stderr).toMatch(/^dek: DEK_USAGE: --aws-endpoint '.*' must name only the scheme, host and port/);
  });
});

describe('--kms alibaba', () => {
  it('encrypts and decrypts through the OpenAPI gateway dialect (DEK_ALIBABA_ENDPOINT, then --alibaba-endpoint)', async () => {
    const encrypted = await dek(['encrypt', '--kms', 'alibaba', '-k', 'alias/cloud', '-o', at('ali.dek'), at('plain.bin')], { home, env: alibabaEnv() });
    expect(encrypted.stderr).toBe('');
    expect(encrypted.code).toBe(0);
    const slots = await slotsOf(at('ali.dek'));
    expect(slots).toHaveLength(1);
    expect(slots[0]).toMatchObject({ kms: 'alibaba-openapi', keyId });
    expect(slots[0]?.keyVersionId).toMatch(/\S/);
    const env = alibabaEnv({ DEK_ALIBABA_ENDPOINT: '' });
    const decrypted = await dek(['decrypt', '--kms', 'alibaba', '--alibaba-endpoint', endpoint, '-o', at('ali.out'), at('ali.dek')], { home, env });
    expect(decrypted.stderr).toBe('');
    expect(decrypted.code).toBe(0);
    expect(readFileSync(at('ali.out')).equals(plain)).toBe(true);
  });

  it('wrong credentials: exit 1 naming SignatureDoesNotMatch (secret) or InvalidAccessKeyId.NotFound (id)', async () => {
    const secret = await dek(['encrypt', '--kms', 'alibaba', '-k', 'alias/cloud'], { home, env: alibabaEnv({ ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'wrong' }), input: plain });
    expect(secret.code).toBe(1);
    expect(secret.stderr).toMatch(/^dek: DEK_KMS: .*: SignatureDoesNotMatch: /);
    const id = await dek(['decrypt', '--kms', 'alibaba', at('ali.dek')], { home, env: alibabaEnv({ ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI_UNKNOWN' }) });
    expect(id.code).toBe(1);
    expect(id.stderr).toMatch(/slot 0 \(alibaba-openapi \S+\): InvalidAccessKeyId\.NotFound: /);
  });

  it('missing settings are usage errors naming what to set', async () => {
    const noKey = await dek(['encrypt', '--kms', 'alibaba', '-k', 'alias/cloud'], { home, env: alibabaEnv({ ALIBABA_CLOUD_ACCESS_KEY_SECRET: '' }), input: plain });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/^dek: DEK_USAGE: --kms alibaba needs ALIBABA_CLOUD_ACCESS_KEY_SECRET/);
    const noRegion = await dek(['encrypt', '--kms', 'alibaba', '-k', 'alias/cloud'], { home, env: alibabaEnv({ DEK_ALIBABA_ENDPOINT: '' }), input: plain });
    expect(noRegion.code).toBe(2);
    expect(noRegion.stderr).toMatch(/^dek: DEK_USAGE: --kms alibaba needs a region or an endpoint/);
    const noPassword = await dek(['encrypt', '--kms', 'alibaba', '--alibaba-instance-endpoint', endpoint, '--alibaba-client-key-file', clientKeyFile], { home, env: alibabaEnv(), input: plain });
    expect(noPassword.code).toBe(2);
    expect(noPassword.stderr).toMatch(/^dek: DEK_USAGE: the Alibaba KMS instance needs a ClientKey file and its password/);
  });

  it('uses the KMS instance API when an instance endpoint is given (slot alibaba-kms)', async () => {
    const env = { DEK_ALIBABA_CLIENT_KEY_PASSWORD: CLIENT_KEY_PASSWORD, DEK_ALIBABA_CLIENT_KEY_FILE: clientKeyFile, DEK_ALIBABA_INSTANCE_ENDPOINT: endpoint };
    const encrypted = await dek(['encrypt', '--kms', 'alibaba', '-k', 'alias/cloud'], { home, env, input: plain });
    expect(encrypted.stderr).toBe('');
    expect(encrypted.code).toBe(0);
    const decrypted = await dek(['decrypt', '--kms', 'alibaba'], { home, env, input: encrypted.stdout });
    expect(decrypted.code).toBe(0);
    expect(decrypted.stdout.equals(plain)).toBe(true);
    writeFileSync(at('instance.dek'), encrypted.stdout);
    expect((await slotsOf(at('instance.dek')))[0]).toMatchObject({ kms: 'alibaba-kms', keyId });
  });
});

describe('a file with an aws slot and a local slot', () => {
  let mixed: Buffer;

  beforeAll(async () => {
    const local = await openLocalKms({ home });
    const aws = new AwsKms({ endpoint, region: 'us-east-1', credentials: { accessKeyId: AWS_ID, secretAccessKey: AWS_SECRET } });
    const chunks: Buffer[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => (chunks.push(chunk), done()) });
    await pipeline(Readable.from([plain]), encryptStream({ kms: aws, keyId: 'alias/cloud', keys: [{ kms: local, keyId: 'alias/default' }] }), sink);
    aws.close();
    mixed = Buffer.concat(chunks);
  });

  it('opens with the local KMS (the aws slot is skipped)', async () => {
    const r = await dek(['decrypt'], { home, input: mixed });
    expect(r.code).toBe(0);
    expect(r.stdout.equals(plain)).toBe(true);
  });

  it('opens with --kms aws through the local slot when the aws slot is refused', async () => {
    const r = await dek(['decrypt', '--kms', 'aws', '--aws-endpoint', endpoint], { home, env: awsEnv({ AWS_SECRET_ACCESS_KEY: 'wrong' }), input: mixed });
    expect(r.code).toBe(0);
    expect(r.stdout.equals(plain)).toBe(true);
  });

  it('opens with --kms aws where there is no local keystore', async () => {
    const r = await dek(['decrypt', '--kms', 'aws', '--aws-endpoint', endpoint], { home: join(root, 'no-home'), env: awsEnv(), input: mixed });
    expect(r.code).toBe(0);
    expect(r.stdout.equals(plain)).toBe(true);
  });
});

describe('dek serve with AWS credentials', () => {
  it('serves the AWS dialect with --aws-access-key-id and its secret from the environment', async () => {
    const child = startDek(['serve', '--port', '0', '--aws-access-key-id', 'AKIASERVE', '--aws-region', 'eu-west-1', '--aws-account-id', ACCOUNT], {
      home,
      env: { DEK_SERVE_AWS_SECRET_ACCESS_KEY: 'serve-secret' },
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const closed = once(child, 'close');
    try {
      await waitFor(() => /listening on http:\/\/\S+/.test(out) && /AWS KMS/.test(out), 'the server to listen');
      expect(out).toContain(`AWS KMS (region eu-west-1, account ${ACCOUNT}): access key id AKIASERVE (secret from DEK_SERVE_AWS_SECRET_ACCESS_KEY)`);
      expect(out).not.toContain('serve-secret');
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1] ?? '';
      const env = awsEnv({ AWS_ACCESS_KEY_ID: 'AKIASERVE', AWS_SECRET_ACCESS_KEY: 'serve-secret', AWS_REGION: 'eu-west-1' });
      const encrypted = await dek(['encrypt', '--kms', 'aws', '--aws-endpoint', url, '-k', 'alias/default'], { home, env, input: plain });
      expect(encrypted.code).toBe(0);
      writeFileSync(at('served.dek'), encrypted.stdout);
      expect((await slotsOf(at('served.dek')))[0]?.keyId).toMatch(new RegExp(`^arn:aws:kms:eu-west-1:${ACCOUNT}:key/key-`));
      const decrypted = await dek(['decrypt', '--kms', 'aws', '--aws-endpoint', url], { home: join(root, 'no-home'), env, input: encrypted.stdout });
      expect(decrypted.code).toBe(0);
      expect(decrypted.stdout.equals(plain)).toBe(true);
    } finally {
      child.kill('SIGINT');
    }
    const [code] = (await closed) as [number | null];
    expect(code).toBe(0);
  });

  it('refuses a secret without an id and a bad account id (exit 2)', async () => {
    const secret = await dek(['serve', '--port', '0'], { home, env: { DEK_SERVE_AWS_SECRET_ACCESS_KEY: 'lonely' } });
    expect(secret.code).toBe(2);
    expect(secret.stderr).toMatch(/^dek: DEK_USAGE: DEK_SERVE_AWS_SECRET_ACCESS_KEY is set but no access key id is given/);
    const account = await dek(['serve', '--port', '0', '--aws-account-id', '12'], { home });
    expect(account.code).toBe(2);
    expect(account.stderr).toMatch(/^dek: DEK_USAGE: --aws-account-id '12' is not 12 digits/);
  });
});
