/**
 * The `dek` binary's crypto commands with the local KMS: round trips through files and pipes,
 * refusals (tampering, truncation, disabled key, foreign master key) that exit 1 and leave no
 * output or temporary file, --force, --range, rotate + rewrap, inspect.
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { once } from 'node:events';
import { dek, ensureBuilt, startDek, tempDir, waitFor } from './support/dek.js';

let root: string;
let home: string;
let work: string;
const plain = randomBytes(100_000); // 6 full 16 KiB chunks and a short final one

/** Files in `work` left over by an interrupted write. */
function temporaryFiles(): string[] {
  return readdirSync(work).filter((name) => name.endsWith('.dek-tmp'));
}

function at(name: string): string {
  return join(work, name);
}

interface Inspected {
  suite: string;
  context: Record<string, string>;
  headerLength: number;
  plaintextLength: number;
  slots: { kms: string; keyId: string; keyVersionId: string }[];
}

async function inspectJson(file: string): Promise<Inspected> {
  const r = await dek(['inspect', '--json', file], { home });
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout.toString()) as Inspected;
}

beforeAll(async () => {
  ensureBuilt();
  root = tempDir('crypto');
  home = join(root, 'home');
  work = join(root, 'work');
  mkdirSync(work);
  writeFileSync(at('plain.bin'), plain);
  const init = await dek(['init'], { home });
  expect(init.code).toBe(0);
  const encrypted = await dek(['encrypt', '-c', 'purpose=test', '-o', at('plain.bin.dek'), at('plain.bin')], { home });
  expect(encrypted.code).toBe(0);
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('round trips', () => {
  it('file to file (with the required context); the plaintext file is 0600', async () => {
    const r = await dek(['decrypt', '-c', 'purpose=test', '-o', at('plain.out'), at('plain.bin.dek')], { home });
    expect(r.code).toBe(0);
    expect(readFileSync(at('plain.out')).equals(plain)).toBe(true);
    expect(statSync(at('plain.out')).mode & 0o777).toBe(0o600);
  });

  it('stdin to stdout both ways (the backup pipeline)', async () => {
    const encrypted = await dek(['encrypt', '-k', 'alias/default'], { home, input: plain });
    expect(encrypted.code).toBe(0);
    expect(encrypted.stdout.subarray(0, 4).equals(Buffer.from([0x89, 0x44, 0x45, 0x4b]))).toBe(true);
    const decrypted = await dek(['decrypt'], { home, input: encrypted.stdout });
    expect(decrypted.code).toBe(0);
    expect(decrypted.stdout.equals(plain)).toBe(true);
  });

  it('an empty input round-trips', async () => {
    const encrypted = await dek(['encrypt', '-'], { home, input: new Uint8Array(0) });
    expect(encrypted.code).toBe(0);
    const decrypted = await dek(['decrypt', '-', '-o', '-'], { home, input: encrypted.stdout });
    expect(decrypted.code).toBe(0);
    expect(decrypted.stdout.length).toBe(0);
  });
});

describe('existing output', () => {
  it('is refused without --force (exit 2, file untouched) and replaced with it', async () => {
    writeFileSync(at('existing.out'), 'keep me');
    const refused = await dek(['decrypt', '-o', at('existing.out'), at('plain.bin.dek')], { home });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^dek: DEK_EXISTS: output '.*existing\.out' already exists; it was left untouched/);
    expect(refused.stderr).toContain('--force');
    expect(readFileSync(at('existing.out'), 'utf8')).toBe('keep me');

    const forced = await dek(['decrypt', '--force', '-o', at('existing.out'), at('plain.bin.dek')], { home });
    expect(forced.code).toBe(0);
    expect(readFileSync(at('existing.out')).equals(plain)).toBe(true);
    expect(temporaryFiles()).toEqual([]);
  });
});

describe('interruption', () => {
  it('SIGINT while writing removes the temporary file, leaves no output and exits 130', async () => {
    const child = startDek(['encrypt', '-o', at('interrupted.dek')], { home });
    child.stdin.write(randomBytes(200_000));
    await waitFor(() => temporaryFiles().length === 1, 'the temporary output file');
    const closed = once(child, 'close');
    child.kill('SIGINT');
    const [code] = (await closed) as [number | null];
    expect(code).toBe(130);
    expect(temporaryFiles()).toEqual([]);
    expect(existsSync(at('interrupted.dek'))).toBe(false);
  });
});

describe('refusals exit 1, print the typed code, and leave no output behind', () => {
  it('a flipped payload byte: DEK_AUTH, no output file, no temporary file', async () => {
    const bytes = readFileSync(at('plain.bin.dek'));
    bytes[bytes.length - 30_000]! ^= 0x01;
    writeFileSync(at('tampered.dek'), bytes);
    const r = await dek(['decrypt', '-o', at('tampered.out'), at('tampered.dek')], { home });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^dek: DEK_AUTH: /);
    expect(r.stderr).toContain('dek: hint:');
    expect(existsSync(at('tampered.out'))).toBe(false);
    expect(temporaryFiles()).toEqual([]);
  });

  it('a context that decrypt -c does not find: DEK_CONTEXT, nothing written', async () => {
    const r = await dek(['decrypt', '-c', 'purpose=other', '-o', at('context.out'), at('plain.bin.dek')], { home });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^dek: DEK_CONTEXT: the file's encryption context has a different value for 'purpose'/);
    expect(existsSync(at('context.out'))).toBe(false);
    expect(temporaryFiles()).toEqual([]);
  });

  it('a truncated file: DEK_TRUNCATED; a non-dek file: DEK_FORMAT', async () => {
    const bytes = readFileSync(at('plain.bin.dek'));
    // Drop the short final chunk (100000 - 6 * 16384 = 1696 bytes + 16 tag): the input now ends
    // after a full chunk, which c2sp recognises as truncation.
    const truncated = await dek(['decrypt'], { home, input: bytes.subarray(0, bytes.length - 1712) });
    expect(truncated.code).toBe(1);
    expect(truncated.stderr).toMatch(/^dek: DEK_TRUNCATED: /);
    const garbage = await dek(['decrypt'], { home, input: Buffer.from('this is not a dek file at all') });
    expect(garbage.code).toBe(1);
    expect(garbage.stderr).toMatch(/^dek: DEK_FORMAT: /);
  });

  it('a disabled key: DEK_KMS naming Rejected.Disabled; enabled again it decrypts', async () => {
    const created = await dek(['key', 'create', '--alias', 'alias/other', '--json'], { home });
    expect(created.code).toBe(0);
    const encrypted = await dek(['encrypt', '-k', 'alias/other', '-o', at('other.dek'), at('plain.bin')], { home });
    expect(encrypted.code).toBe(0);
    expect((await dek(['key', 'disable', 'alias/other'], { home })).code).toBe(0);

    const refused = await dek(['decrypt', '-o', at('other.out'), at('other.dek')], { home });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^dek: DEK_KMS: /);
    expect(refused.stderr).toContain('Rejected.Disabled');
    expect(existsSync(at('other.out'))).toBe(false);

    expect((await dek(['key', 'enable', 'alias/other'], { home })).code).toBe(0);
    const decrypted = await dek(['decrypt', at('other.dek')], { home });
    expect(decrypted.code).toBe(0);
    expect(decrypted.stdout.equals(plain)).toBe(true);
  });

  it('a keystore opened with another master key: exit 1 with the keystore code', async () => {
    const otherHome = join(root, 'other-home');
    expect((await dek(['init'], { home: otherHome })).code).toBe(0);
    const mixed = join(root, 'mixed-home');
    mkdirSync(mixed, { mode: 0o700 });
    copyFileSync(join(home, 'keystore.json'), join(mixed, 'keystore.json'));
    copyFileSync(join(otherHome, 'master.key'), join(mixed, 'master.key'));
    const r = await dek(['decrypt', '-o', at('mixed.out'), at('plain.bin.dek')], { home: mixed });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^dek: Keystore\.WrongMasterKey: /);
    expect(existsSync(at('mixed.out'))).toBe(false);
  });
});

describe('--range', () => {
  it('decrypts inclusive byte ranges, open-ended ones, and refuses stdin', async () => {
    const middle = await dek(['decrypt', '--range', '16000-40000', at('plain.bin.dek')], { home });
    expect(middle.code).toBe(0);
    expect(middle.stdout.equals(plain.subarray(16000, 40001))).toBe(true);
    const tail = await dek(['decrypt', '--range', '99990-', at('plain.bin.dek')], { home });
    expect(tail.code).toBe(0);
    expect(tail.stdout.equals(plain.subarray(99990))).toBe(true);
    const stdin = await dek(['decrypt', '--range', '0-10'], { home, input: readFileSync(at('plain.bin.dek')) });
    expect(stdin.code).toBe(2);
    expect(stdin.stderr).toContain('--range needs a file input');
  });
});

describe('inspect', () => {
  it('prints the header as text and as JSON, without a keystore', async () => {
    const text = await dek(['inspect', at('plain.bin.dek')], { home: join(root, 'no-such-home') });
    expect(text.code).toBe(0);
    const out = text.stdout.toString();
    expect(out).toContain('suite:      cobblestone-256');
    expect(out).toContain('context:    purpose=test');
    expect(out).toMatch(/\[0\] local key key-[a-z0-9]{21} version key-[a-z0-9]{21}-[a-z0-9]{10}/);
    expect(out).toContain(`plaintext:  ${plain.length} bytes`);

    const info = await inspectJson(at('plain.bin.dek'));
    expect(info.suite).toBe('cobblestone-256');
    expect(info.context).toEqual({ purpose: 'test' });
    expect(info.plaintextLength).toBe(plain.length);
    expect(info.slots).toHaveLength(1);
    expect(info.slots[0]?.kms).toBe('local');
  });
});

describe('rotate and rewrap', () => {
  it('rewrap in place moves the file to the new primary version; payload unchanged, still decrypts', async () => {
    copyFileSync(at('plain.bin.dek'), at('rotated.dek'));
    const before = await inspectJson(at('rotated.dek'));
    const rotated = await dek(['key', 'rotate', 'alias/default'], { home });
    expect(rotated.code).toBe(0);
    const newVersion = /new primary version (\S+)/.exec(rotated.stdout.toString())?.[1];
    expect(newVersion).toBeDefined();
    expect(newVersion).not.toBe(before.slots[0]?.keyVersionId);

    const rewrapped = await dek(['rewrap', at('rotated.dek')], { home });
    expect(rewrapped.code).toBe(0);
    const after = await inspectJson(at('rotated.dek'));
    expect(after.slots[0]?.keyId).toBe(before.slots[0]?.keyId);
    expect(after.slots[0]?.keyVersionId).toBe(newVersion);
    const oldBytes = readFileSync(at('plain.bin.dek'));
    const newBytes = readFileSync(at('rotated.dek'));
    expect(newBytes.subarray(after.headerLength).equals(oldBytes.subarray(before.headerLength))).toBe(true);
    expect(temporaryFiles()).toEqual([]);

    const decrypted = await dek(['decrypt', at('rotated.dek')], { home });
    expect(decrypted.stdout.equals(plain)).toBe(true);

    const described = await dek(['key', 'describe', 'alias/default', '--json'], { home });
    const meta = JSON.parse(described.stdout.toString()) as { primaryKeyVersion: string; versions: unknown[] };
    expect(meta.primaryKeyVersion).toBe(newVersion);
    expect(meta.versions).toHaveLength(2);
  });

  it('rewrap of a file already at the primary versions changes nothing', async () => {
    const before = readFileSync(at('rotated.dek'));
    const again = await dek(['rewrap', at('rotated.dek')], { home });
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('nothing changed');
    expect(readFileSync(at('rotated.dek')).equals(before)).toBe(true);
  });
});

describe('several keys', () => {
  it('--also-to adds a slot; rewrap --to -o moves the file to one key and leaves the source untouched', async () => {
    const escrow = await dek(['key', 'create', '--alias', 'alias/escrow', '--json'], { home });
    expect(escrow.code).toBe(0);
    const escrowId = (JSON.parse(escrow.stdout.toString()) as { keyId: string }).keyId;
    const encrypted = await dek(['encrypt', '--also-to', 'alias/escrow', '-o', at('multi.dek'), at('plain.bin')], { home });
    expect(encrypted.code).toBe(0);
    const multi = await inspectJson(at('multi.dek'));
    expect(multi.slots.map((slot) => slot.keyId)[1]).toBe(escrowId);
    expect(multi.slots).toHaveLength(2);

    const source = readFileSync(at('multi.dek'));
    const moved = await dek(['rewrap', '--to', 'alias/escrow', '-o', at('escrow.dek'), at('multi.dek')], { home });
    expect(moved.code).toBe(0);
    expect(readFileSync(at('multi.dek')).equals(source)).toBe(true);
    const single = await inspectJson(at('escrow.dek'));
    expect(single.slots.map((slot) => slot.keyId)).toEqual([escrowId]);
    const decrypted = await dek(['decrypt', at('escrow.dek')], { home });
    expect(decrypted.code).toBe(0);
    expect(decrypted.stdout.equals(plain)).toBe(true);
  });
});
