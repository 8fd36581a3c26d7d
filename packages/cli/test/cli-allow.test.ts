/**
 * `dek decrypt -k` / `dek rewrap -k`: a planted file (wrapped under a key the reader did not name)
 * is refused with DEK_KEY_NOT_ALLOWED before any unwrap, leaving no output; and asymmetric keys
 * from `dek key create --spec`, which envelopes cannot use.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dek, ensureBuilt, tempDir } from './support/dek.js';

let root: string;
let home: string;
let work: string;
let theirs: string;
const plain = randomBytes(40_000);
const at = (name: string): string => join(work, name);

beforeAll(async () => {
  ensureBuilt();
  root = tempDir('allow');
  home = join(root, 'home');
  work = join(root, 'work');
  mkdirSync(work);
  writeFileSync(at('plain.bin'), plain);
  expect((await dek(['init'], { home })).code).toBe(0);
  const created = await dek(['key', 'create', '--alias', 'alias/theirs', '--json'], { home });
  expect(created.code).toBe(0);
  theirs = (JSON.parse(created.stdout.toString()) as { keyId: string }).keyId;
  expect((await dek(['encrypt', '-k', 'alias/theirs', '-o', at('planted.dek'), at('plain.bin')], { home })).code).toBe(0);
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('dek decrypt -k', () => {
  it('refuses a planted file: exit 1, DEK_KEY_NOT_ALLOWED naming the file key and the allowed ones, no output', async () => {
    const r = await dek(['decrypt', '-k', 'alias/default', '-o', at('out.bin'), at('planted.dek')], { home });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('DEK_KEY_NOT_ALLOWED');
    expect(r.stderr).toContain(`"${theirs}"`);
    expect(r.stderr).toContain('"alias/default"');
    expect(r.stderr).toContain('dek: hint:');
    expect(existsSync(at('out.bin'))).toBe(false);
    expect(readdirSync(work).filter((name) => name.includes('tmp'))).toEqual([]);
  });

  it('refuses it on stdout and with --range too', async () => {
    const piped = await dek(['decrypt', '-k', 'alias/default'], { home, input: readFileSync(at('planted.dek')) });
    expect(piped.code).toBe(1);
    expect(piped.stdout).toHaveLength(0);
    expect(piped.stderr).toContain('DEK_KEY_NOT_ALLOWED');
    const range = await dek(['decrypt', '-k', 'alias/default', '--range', '0-9', at('planted.dek')], { home });
    expect(range.code).toBe(1);
    expect(range.stderr).toContain('DEK_KEY_NOT_ALLOWED');
  });

  it('decrypts when one of the repeated -k names the file key (id or alias)', async () => {
    for (const key of [theirs, 'alias/theirs']) {
      const r = await dek(['decrypt', '-k', 'alias/default', '-k', key], { home, input: readFileSync(at('planted.dek')) });
      expect(r.code).toBe(0);
      expect(r.stdout.equals(plain)).toBe(true);
    }
  });

  it('dek rewrap -k refuses to open a planted file and leaves it unchanged', async () => {
    const before = readFileSync(at('planted.dek'));
    const r = await dek(['rewrap', '-k', 'alias/default', at('planted.dek')], { home });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('DEK_KEY_NOT_ALLOWED');
    expect(readFileSync(at('planted.dek')).equals(before)).toBe(true);
    const ok = await dek(['rewrap', '-k', 'alias/theirs', '--to', 'alias/default', '-o', at('moved.dek'), at('planted.dek')], { home });
    expect(ok.code).toBe(0);
  });
});

describe('asymmetric keys', () => {
  it('dek key create --spec RSA_2048 works; describe shows spec and usage; envelopes refuse it', async () => {
    const created = await dek(['key', 'create', '--spec', 'RSA_2048', '--alias', 'alias/rsa'], { home });
    expect(created.code).toBe(0);
    expect(created.stdout.toString()).toContain('RSA_2048 (ENCRYPT/DECRYPT)');
    const signing = await dek(['key', 'create', '--spec', 'EC_P256', '--json'], { home });
    expect(JSON.parse(signing.stdout.toString())).toMatchObject({ keySpec: 'EC_P256', keyUsage: 'SIGN/VERIFY' });
    const described = await dek(['key', 'describe', 'alias/rsa'], { home });
    expect(described.stdout.toString()).toMatch(/spec: +RSA_2048 \(ENCRYPT\/DECRYPT\)/);
    const encrypt = await dek(['encrypt', '-k', 'alias/rsa', '-o', at('rsa.dek'), at('plain.bin')], { home });
    expect(encrypt.code).toBe(1);
    expect(encrypt.stderr).toContain('Forbidden.OnlySymmetricKeySupported');
    expect(encrypt.stderr).toContain('is not a symmetric key');
    expect(existsSync(at('rsa.dek'))).toBe(false);
  });
});
