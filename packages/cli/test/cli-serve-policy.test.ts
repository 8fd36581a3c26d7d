/**
 * `dek serve --policy --audit`: a policy file is checked at start (exit 2 naming the line), is
 * enforced, and is reloaded on SIGHUP while requests keep being answered (a bad new file keeps
 * the old policy); the audit log gets one line per request and no secret, and SIGHUP reopens it.
 */
import { once } from 'node:events';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KmsServiceError } from '@dek/kms-adapter';
import { AlibabaOpenApiKms } from '@dek/kms-alibaba';
import { dek, ensureBuilt, startDek, tempDir, waitFor } from './support/dek.js';

const ID = 'LTAI_POLICY_TEST';
const SECRET = 'policy-test-secret-0123456789';
const env = { DEK_SERVE_ACCESS_KEY_ID: ID, DEK_SERVE_ACCESS_KEY_SECRET: SECRET };

let dir: string;
let home: string;

const policyText = (actions: readonly string[]): string =>
  JSON.stringify({ [ID]: { Version: '1', Statement: [{ Effect: 'Allow', Action: actions, Resource: ['acs:kms:*:*:alias/default'] }] } }, null, 2);
const ENCRYPT_ONLY = ['kms:GenerateDataKey', 'kms:AdvanceGenerateDataKey', 'kms:Encrypt'];

beforeAll(async () => {
  ensureBuilt();
  dir = tempDir('serve-policy');
  home = join(dir, 'home');
  expect((await dek(['init'], { home })).code).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('dek serve --policy', () => {
  it('refuses a bad policy file at start with exit 2, naming the file and line', async () => {
    const path = join(dir, 'bad-policy.json');
    writeFileSync(path, policyText(['kms:GenerateDataKey', 'kms:Encrypt', 'kms:Frobnicate']));
    const r = await dek(['serve', '--port', '0', '--policy', path], { home, env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('DEK_USAGE');
    const text = readFileSync(path, 'utf8').split('\n');
    const line = text.findIndex((l) => l.includes('kms:Frobnicate'));
    expect(r.stderr).toContain(`policy file '${path}', line ${line + 1}, column ${text[line]!.indexOf('"') + 1}:`);
    expect(r.stderr).toContain('"kms:Frobnicate" is not a KMS action');
  });

  it('--audit - writes the audit lines to stdout, failed authentication included', async () => {
    const child = startDek(['serve', '--port', '0', '--audit', '-'], { home, env });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const closed = once(child, 'close');
    try {
      await waitFor(() => /listening on http:\/\/\S+/.test(out), 'the server to listen');
      const url = /listening on (http:\/\/\S+)/.exec(out)![1]!;
      const answer = await fetch(`${url}/?Action=DescribeKey&KeyId=alias/default&AccessKeyId=${ID}`);
      expect(answer.status).toBe(400);
      child.kill('SIGINT');
      await closed;
      const line = out.split('\n').find((l) => l.startsWith('{'));
      expect(JSON.parse(line!)).toMatchObject({ dialect: 'openapi', credential: ID, action: 'DescribeKey', keyId: null, status: 400, code: 'MissingParameter' });
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('enforces the policy, reloads it on SIGHUP without dropping requests, and audits every request', async () => {
    const policy = join(dir, 'policy.json');
    const audit = join(dir, 'audit.log');
    writeFileSync(policy, policyText(ENCRYPT_ONLY));
    const child = startDek(['serve', '--port', '0', '--policy', policy, '--audit', audit], { home, env });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const closed = once(child, 'close');
    try {
      await waitFor(() => /listening on http:\/\/\S+/.test(out), 'the server to listen');
      expect(out).toMatch(/warning: the policy does not name AKIA[0-9A-F]+: denied everything/); // the AWS pair made for this run
      const endpoint = /listening on http:\/\/(\S+)/.exec(out)![1]!;
      // dek's OpenAPI client wraps with GenerateDataKey and unwraps with Decrypt.
      const kms = new AlibabaOpenApiKms({ endpoint, protocol: 'http', regionId: 'cn-hangzhou', accessKeyId: ID, accessKeySecret: SECRET });
      const secrets: Uint8Array[] = [];
      let requests = 0;
      const generate = async () => {
        requests++;
        const g = await kms.advanceGenerateDataKey({ keyId: 'alias/default', numberOfBytes: 32 });
        secrets.push(g.plaintext.slice(), g.ciphertextBlob);
        return g;
      };
      /** 'ok' or the error code: every request must get an answer. */
      const decrypt = async (blob: Uint8Array): Promise<string> => {
        requests++;
        try {
          const d = await kms.advanceDecrypt({ ciphertextBlob: blob });
          secrets.push(d.plaintext.slice());
          return 'ok';
        } catch (error) {
          if (error instanceof KmsServiceError) return error.code;
          throw error;
        }
      };
      const hangUp = async (reloads: number, what: RegExp): Promise<void> => {
        child.kill('SIGHUP');
        await waitFor(() => (err.match(what) ?? []).length >= reloads, 'the policy to be read again');
      };

      const g = await generate();
      expect(await decrypt(g.ciphertextBlob)).toBe('Forbidden.RAM');

      // A loop of requests while the policy is swapped back and forth: each one answered, by either policy.
      const deadline = Date.now() + 10_000;
      const answers: string[] = [];
      const loop = (async () => {
        for (let i = 0; i < 40 && Date.now() < deadline; i++) answers.push(await decrypt(g.ciphertextBlob));
      })();
      for (let i = 1; i <= 4; i++) {
        writeFileSync(policy, policyText(i % 2 === 1 ? [...ENCRYPT_ONLY, 'kms:Decrypt'] : ENCRYPT_ONLY));
        await hangUp(i, /policy reloaded/g);
      }
      await loop;
      expect(answers.length).toBeGreaterThan(0);
      expect(answers.every((a) => a === 'ok' || a === 'Forbidden.RAM')).toBe(true);

      writeFileSync(policy, policyText([...ENCRYPT_ONLY, 'kms:Decrypt']));
      await hangUp(5, /policy reloaded/g);
      expect(await decrypt(g.ciphertextBlob)).toBe('ok');
      // A broken file keeps the policy in force; the same SIGHUP reopens the (rotated) audit log.
      renameSync(audit, `${audit}.1`);
      writeFileSync(policy, '{ "broken": ');
      await hangUp(1, /policy not reloaded, keeping the previous one: policy file '[^']*', line 1, column \d+: not valid JSON/g);
      expect(await decrypt(g.ciphertextBlob)).toBe('ok');
      expect((await generate()).keyId).toMatch(/^key-/);

      child.kill('SIGINT');
      const [code] = (await closed) as [number | null];
      expect(code).toBe(0);

      const rotated = readFileSync(`${audit}.1`, 'utf8').trimEnd().split('\n');
      const fresh = readFileSync(audit, 'utf8').trimEnd().split('\n');
      expect(fresh.length).toBeGreaterThanOrEqual(2); // the requests after the rotation
      const lines = [...rotated, ...fresh];
      expect(lines).toHaveLength(requests);
      const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(entries.every((e) => e['dialect'] === 'openapi' && e['credential'] === ID && typeof e['requestId'] === 'string')).toBe(true);
      expect(entries.filter((e) => e['code'] === 'Forbidden.RAM').length).toBeGreaterThanOrEqual(1);
      const text = lines.join('\n');
      expect(text).not.toContain(SECRET);
      for (const s of secrets) {
        for (const form of [Buffer.from(s).toString('base64'), Buffer.from(s).toString('hex')]) expect(text.includes(form)).toBe(false);
      }
    } finally {
      child.kill('SIGKILL');
    }
  }, 60_000);
});
