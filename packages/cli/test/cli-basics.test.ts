/**
 * The `dek` binary's shell: help, usage errors (exit 2), KMS choice, `dek init` (idempotent) and
 * the missing-keystore path. Drives the BUILT binary as a child process.
 */
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { once } from 'node:events';
import { dek, ensureBuilt, startDek, tempDir, waitFor } from './support/dek.js';

let home: string;
let work: string;

beforeAll(() => {
  ensureBuilt();
  home = join(tempDir('basics'), 'home');
  work = tempDir('basics-work');
});

afterAll(() => {
  rmSync(join(home, '..'), { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

describe('help', () => {
  it('dek --help lists the commands, exit codes and environment, exit 0', async () => {
    const r = await dek(['--help'], { home });
    expect(r.code).toBe(0);
    const text = r.stdout.toString();
    for (const word of ['encrypt', 'decrypt', 'inspect', 'rewrap', 'serve', 'key', 'Exit codes:', 'DEK_HOME', 'Examples:']) expect(text).toContain(word);
  });

  it('per-command help shows examples', async () => {
    const r = await dek(['encrypt', '--help'], { home });
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toMatch(/Examples:\n\s+dek encrypt/);
  });

  it('no arguments, or a command group without its sub-command: help on stderr, exit 2', async () => {
    const [none, group] = await Promise.all([dek([], { home }), dek(['key'], { home })]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('Usage: dek');
    expect(group.code).toBe(2);
    expect(group.stderr).toContain('Usage: dek key');
  });
});

describe('usage errors exit 2 with a code and a hint', () => {
  it('unknown option', async () => {
    const r = await dek(['encrypt', '--bogus'], { home });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^dek: DEK_USAGE: unknown option '--bogus'/);
    expect(r.stderr).toContain("see 'dek encrypt --help'");
  });

  it('unknown KMS by flag and by DEK_KMS', async () => {
    const flag = await dek(['--kms', 'nope', 'key', 'list'], { home });
    expect(flag.code).toBe(2);
    const env = await dek(['key', 'list'], { home, env: { DEK_KMS: 'nope' } });
    expect(env.code).toBe(2);
    expect(env.stderr).toMatch(/^dek: DEK_USAGE: DEK_KMS 'nope' is not a known KMS/);
  });

  it('dek key refuses a cloud KMS before opening it', async () => {
    const r = await dek(['key', 'list'], { home, env: { DEK_KMS: 'aws' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^dek: DEK_UNAVAILABLE: dek key manages the local keystore only, not aws keys/);
  });

  it('bad option values: -c without =, --range, --rotate', async () => {
    const results = await Promise.all([
      dek(['encrypt', '-c', 'novalue'], { home }),
      dek(['decrypt', '--range', '10-5', 'x.dek'], { home }),
      dek(['key', 'create', '--rotate', 'often'], { home }),
    ]);
    expect(results.map((r) => r.code)).toEqual([2, 2, 2]);
    expect(results[0]?.stderr).toContain("-c 'novalue' is not key=value");
    expect(results[1]?.stderr).toContain('ends before it starts');
    expect(results[2]?.stderr).toContain("--rotate 'often'");
  });

  it('a missing input file names the file', async () => {
    const r = await dek(['encrypt', join(work, 'missing.txt')], { home });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^dek: DEK_IO: cannot read '.*missing\.txt': no such file or directory/);
  });
});

describe('keystore setup', () => {
  it('encrypt without a keystore and without a terminal tells to run dek init (exit 2), writes nothing', async () => {
    const out = join(work, 'never.dek');
    const r = await dek(['encrypt', '-o', out], { home, input: Buffer.from('hello') });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^dek: DEK_NO_KEYSTORE: no local keystore in /);
    expect(r.stderr).toContain("run 'dek init'");
    expect(existsSync(out)).toBe(false);
    expect(existsSync(join(home, 'keystore.json'))).toBe(false);
  });

  it('dek init creates the keystore, a 0600 master key and alias/default; twice changes nothing', async () => {
    const first = await dek(['init'], { home });
    expect(first.code).toBe(0);
    expect(first.stdout.toString()).toMatch(/created the local keystore/);
    const keystore = readFileSync(join(home, 'keystore.json'));
    const master = readFileSync(join(home, 'master.key'));
    expect(statSync(join(home, 'master.key')).mode & 0o777).toBe(0o600);

    const second = await dek(['init'], { home });
    expect(second.code).toBe(0);
    expect(second.stdout.toString()).toMatch(/already exists; nothing changed/);
    expect(readFileSync(join(home, 'keystore.json')).equals(keystore)).toBe(true);
    expect(readFileSync(join(home, 'master.key')).equals(master)).toBe(true);

    const list = await dek(['key', 'list', '--json'], { home });
    expect(list.code).toBe(0);
    const keys = JSON.parse(list.stdout.toString()) as { keyId: string; keyState: string; aliases: string[] }[];
    expect(keys).toHaveLength(1);
    expect(keys[0]?.aliases).toEqual(['alias/default']);
    expect(keys[0]?.keyState).toBe('Enabled');
  });

  it('encrypt --init creates a missing keystore first', async () => {
    const other = join(work, 'home-init');
    const out = join(work, 'init.dek');
    const r = await dek(['encrypt', '--init', '-o', out], { home: other, input: Buffer.from('hello') });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('created the local keystore');
    expect(existsSync(join(other, 'keystore.json'))).toBe(true);
    expect(statSync(out).size).toBeGreaterThan(5);
  });
});

describe('dek serve', () => {
  it('serves the local keystore over HTTP until SIGINT, then exits 0', async () => {
    const child = startDek(['serve', '--port', '0'], { home, env: { DEK_SERVE_ACCESS_KEY_ID: 'test-id', DEK_SERVE_ACCESS_KEY_SECRET: 'test-secret' } });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const closed = once(child, 'close');
    await waitFor(() => /listening on http:\/\/\S+/.test(out), 'the server to listen');
    expect(out).not.toContain('test-secret');
    const url = /listening on (http:\/\/\S+)/.exec(out)?.[1] ?? '';
    const response = await fetch(`${url}/?Action=DescribeKey&KeyId=alias/default`);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(response.status).toBeGreaterThanOrEqual(400); // unsigned: refused, but answered
    child.kill('SIGINT');
    const [code] = (await closed) as [number | null];
    expect(code).toBe(0);
  });
});
