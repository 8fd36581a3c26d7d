/**
 * What `dek` prints and how it exits: strings from files and KMS answers are escaped for the
 * terminal; `--kms aws` without a region or credentials is a usage error naming the setting;
 * system errors are `DEK_IO` in words; `--also-to` refuses a key named twice; `--rotate` is echoed
 * as given; and the CLI README's exit-code table names only codes and statuses the code has.
 * Drives the BUILT binary as a child process.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdvanceKms } from '@dek/kms-adapter';
import { encryptStream } from '@dek/stream';
import { EXIT } from '../src/errors.js';
import { BIN, dek, ensureBuilt, ROOT, tempDir, type DekResult } from './support/dek.js';

let root: string;
let home: string;
let work: string;

/** Raw characters a terminal acts on or that reorder text: none may reach stdout or stderr. */
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/u;
/** A hostile string: OSC title, CSI colour, CR, C1 CSI, DEL, a bidi override and an isolate. */
const HOSTILE = '\u001b]0;owned\u0007\u001b[31mred\rX\u009b2J\u007f\u202eexe.txt\u2066';

function at(name: string): string {
  return join(work, name);
}

beforeAll(async () => {
  ensureBuilt();
  root = tempDir('messages');
  home = join(root, 'home');
  work = join(root, 'work');
  mkdirSync(work);
  writeFileSync(at('small.txt'), 'hello\n');
  expect((await dek(['init'], { home })).code).toBe(0);
  expect((await dek(['encrypt', '-o', at('small.dek'), at('small.txt')], { home })).code).toBe(0);
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('strings from files and KMS answers are escaped', () => {
  it('a key description in dek key create, describe and list (text and JSON)', async () => {
    const created = await dek(['key', 'create', '--alias', 'alias/hostile', '--description', HOSTILE], { home });
    expect(created.code).toBe(0);
    expect(created.stdout.toString()).toContain('\\u001b]0;owned\\u0007\\u001b[31mred\\u000dX\\u009b2J\\u007f\\u202eexe.txt\\u2066');
    const described = await dek(['key', 'describe', 'alias/hostile'], { home });
    const listed = await dek(['key', 'list'], { home });
    const json = await dek(['key', 'describe', '--json', 'alias/hostile'], { home });
    for (const r of [created, described, listed, json]) {
      expect(r.code).toBe(0);
      expect(r.stdout.toString()).not.toMatch(RAW_CONTROL);
    }
    expect((JSON.parse(json.stdout.toString()) as { description: string }).description).toBe(HOSTILE);
  });

  it("a header's key id in a dek decrypt error, and in dek inspect", async () => {
    // Same-length patches keep the header parseable: slot 0's KMS becomes an unknown one, its key id hostile.
    const file = readFileSync(at('small.dek'));
    const inspected = JSON.parse((await dek(['inspect', '--json', at('small.dek')], { home })).stdout.toString()) as { slots: { keyId: string }[] };
    const keyId = inspected.slots[0]!.keyId;
    const evil = Buffer.from('k\u001b]0;x\u0007\u202e\r\u009b\u007f', 'utf8');
    expect(evil.length).toBeLessThanOrEqual(keyId.length);
    Buffer.concat([evil, Buffer.alloc(keyId.length - evil.length, 0x61)]).copy(file, file.indexOf(keyId));
    Buffer.from('zocal').copy(file, file.indexOf('local')); // the header format allows no controls here
    writeFileSync(at('hostile.dek'), file);

    const decrypted = await dek(['decrypt', at('hostile.dek')], { home });
    expect(decrypted.code).toBe(1);
    expect(decrypted.stderr).toMatch(/^dek: DEK_KMS: /);
    expect(decrypted.stderr).toContain('k\\u001b]0;x\\u0007\\u202e\\u000d\\u009b\\u007f');
    expect(decrypted.stderr).not.toMatch(RAW_CONTROL);

    const shown = await dek(['inspect', at('hostile.dek')], { home });
    expect(shown.code).toBe(0);
    expect(shown.stdout.toString()).not.toMatch(RAW_CONTROL);
  });

  it('a KMS error that echoes a key reference', async () => {
    const r = await dek(['encrypt', '-k', 'alias/x\u001b]0;t\u0007\u202e', '-o', at('never.dek'), at('small.txt')], { home });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('\\u001b]0;t\\u0007\\u202e');
    expect(r.stderr).not.toMatch(RAW_CONTROL);
  });
});

/** Runs dek with nothing of AWS in the environment and an empty HOME (no ~/.aws). */
async function dekWithoutAws(args: readonly string[]): Promise<DekResult> {
  const emptyHome = join(root, 'empty-home');
  mkdirSync(emptyHome, { recursive: true });
  const env: Record<string, string> = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: emptyHome, DEK_HOME: home };
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout: Buffer.concat(out), stderr };
}

/** An envelope with one aws-kms slot, made in this process with a stand-in for AWS KMS. */
async function awsEnvelope(): Promise<Buffer> {
  const kms: AdvanceKms = {
    provider: 'aws-kms',
    advanceGenerateDataKey: async () => ({
      keyId: 'arn:aws:kms:us-east-1:111122223333:key/test',
      keyVersionId: '',
      plaintext: randomBytes(32),
      ciphertextBlob: randomBytes(64),
      iv: new Uint8Array(0),
      algorithm: 'AES_GCM',
      requestId: 'test',
    }),
    advanceEncrypt: async () => {
      throw new Error('not used');
    },
    advanceDecrypt: async () => {
      throw new Error('not used');
    },
  };
  const chunks: Buffer[] = [];
  await pipeline(
    Readable.from([Buffer.from('secret')]),
    encryptStream({ kms, keyId: 'alias/test' }),
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk);
        callback();
      },
    }),
  );
  return Buffer.concat(chunks);
}

describe('--kms aws without region or credentials: exit 2, DEK_USAGE naming the setting', () => {
  it('no region (encrypt and decrypt)', async () => {
    writeFileSync(at('aws.dek'), await awsEnvelope());
    for (const args of [
      ['encrypt', '--kms', 'aws', '-k', 'alias/x', '-o', at('never.dek'), at('small.txt')],
      ['decrypt', '--kms', 'aws', '-o', at('never.out'), at('aws.dek')],
    ]) {
      const r = await dekWithoutAws(args);
      expect(r.code, args[0]).toBe(2);
      expect(r.stderr).toMatch(/^dek: DEK_USAGE: --kms aws needs a region: give --aws-region, or set AWS_REGION or AWS_DEFAULT_REGION/);
    }
  });

  it('no credentials', async () => {
    const r = await dekWithoutAws(['encrypt', '--kms', 'aws', '--aws-region', 'eu-west-1', '-k', 'alias/x', '-o', at('never.dek'), at('small.txt')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^dek: DEK_USAGE: --kms aws found no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or choose a profile with --aws-profile \/ AWS_PROFILE\n/);
  });
});

describe('system errors are DEK_IO in words, the errno code not printed twice', () => {
  it('reading a directory (EISDIR)', async () => {
    const r = await dek(['inspect', work], { home });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('dek: DEK_IO: read failed: is a directory\n');
  });
});

describe('--also-to', () => {
  it('refuses a key named twice, by the same name or by alias and key id (exit 2, nothing written)', async () => {
    const described = JSON.parse((await dek(['key', 'describe', '--json', 'alias/default'], { home })).stdout.toString()) as { keyId: string };
    for (const args of [
      ['--also-to', 'alias/default'],
      ['-k', 'alias/default', '--also-to', described.keyId],
      ['--also-to', 'alias/hostile', '--also-to', 'alias/hostile'],
    ]) {
      const r = await dek(['encrypt', ...args, '-o', at('twice.dek'), at('small.txt')], { home });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^dek: DEK_USAGE: --also-to '.*' names the same key as (-k|--also-to) '.*'/);
    }
    expect(() => readFileSync(at('twice.dek'))).toThrow();
  });
});

describe('--rotate', () => {
  it('is echoed as given', async () => {
    const r = await dek(['key', 'create', '--alias', 'alias/rotating', '--rotate', '90d'], { home });
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toMatch(/^rotation: +enabled every 90d, next /m);
    expect(r.stdout.toString()).not.toContain('7776000');
    const hours = await dek(['key', 'create', '--rotate', '2160h'], { home });
    expect(hours.stdout.toString()).toMatch(/^rotation: +enabled every 2160h, /m);
  });

  it('describe and list show the period in its largest whole unit', async () => {
    const described = await dek(['key', 'describe', 'alias/rotating'], { home });
    expect(described.stdout.toString()).toMatch(/^rotation: +enabled every 90d, /m);
    const listed = await dek(['key', 'list'], { home });
    expect(listed.stdout.toString()).toMatch(/ 90d +alias\/rotating$/m);
  });
});

describe("the CLI README's exit-code table", () => {
  const readme = readFileSync(join(ROOT, 'packages/cli/README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Exit codes and messages'));
  const rows = section
    .split('\n')
    .filter((line) => /^\| \d/.test(line))
    .map((line) => line.split('|').map((cell) => cell.trim()));
  const errorsSource = readFileSync(join(ROOT, 'packages/cli/src/errors.ts'), 'utf8');
  const cliCodes = [...errorsSource.matchAll(/\| '(DEK_[A-Z_]+)'/g)].map((m) => m[1]!);
  const coreSource = readFileSync(join(ROOT, 'packages/core/src/errors.ts'), 'utf8');

  it('lists every exit status the CLI has, and no other', () => {
    const statuses = rows.flatMap((row) => row[1]!.split('/').map((s) => Number(s.trim())));
    expect([...statuses].sort((a, b) => a - b)).toEqual([...Object.values(EXIT)].sort((a, b) => a - b));
  });

  it('names only DEK_* codes that exist, and every code of the CLI', () => {
    const named = new Set(rows.flatMap((row) => [...row[3]!.matchAll(/`(DEK_[A-Z_]+)`/g)].map((m) => m[1]!)));
    expect(cliCodes.length).toBeGreaterThan(5);
    for (const code of cliCodes) expect(named, code).toContain(code);
    for (const code of named) expect(cliCodes.includes(code) || coreSource.includes(`'${code}'`), code).toBe(true);
  });
});
