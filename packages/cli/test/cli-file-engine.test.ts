/**
 * `dek` between regular files runs the file engine; the other ends stream. The two paths must
 * agree: files written by one are read by the other, across several 1 MiB batches, a damaged
 * chunk deep in a file fails by position as it does through a pipe, and stdin from a file works.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dek, ensureBuilt, tempDir } from './support/dek.js';

let root: string;
let home: string;
let work: string;
const plain = randomBytes(3 * 1024 * 1024 + 16384 + 7); // 4 batches, the last one short

const at = (name: string): string => join(work, name);

beforeAll(async () => {
  ensureBuilt();
  root = tempDir('file-engine');
  home = join(root, 'home');
  work = join(root, 'work');
  mkdirSync(work);
  writeFileSync(at('plain.bin'), plain);
  expect((await dek(['init'], { home })).code).toBe(0);
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('file engine in the CLI', () => {
  it('a file encrypted file to file decrypts through a pipe, and a piped envelope decrypts file to file', async () => {
    expect((await dek(['encrypt', '-o', at('a.dek'), at('plain.bin')], { home })).code).toBe(0);
    const piped = await dek(['decrypt'], { home, input: readFileSync(at('a.dek')) });
    expect(piped.code).toBe(0);
    expect(piped.stdout.equals(plain)).toBe(true);

    const encrypted = await dek(['encrypt'], { home, input: plain });
    writeFileSync(at('b.dek'), encrypted.stdout);
    expect((await dek(['decrypt', '-o', at('b.out'), at('b.dek')], { home })).code).toBe(0);
    expect(readFileSync(at('b.out')).equals(plain)).toBe(true);
  });

  it('a flipped byte in the third batch fails file to file with DEK_AUTH, leaving nothing', async () => {
    const bad = readFileSync(at('a.dek'));
    bad[bad.length - 200_000]! ^= 1;
    writeFileSync(at('bad.dek'), bad);
    const r = await dek(['decrypt', '-o', at('bad.out'), at('bad.dek')], { home });
    expect(r.code).toBe(1);
    expect(r.stderr.toString()).toContain('DEK_AUTH');
    expect(readdirSync(work).filter((name) => name.includes('bad.out'))).toEqual([]);
    const rewrapped = await dek(['rewrap', '-o', at('bad.rewrapped'), at('bad.dek')], { home });
    expect(rewrapped.code).toBe(1);
    expect(rewrapped.stderr.toString()).toContain('DEK_AUTH');
    expect(readdirSync(work).filter((name) => name.includes('bad.rewrapped'))).toEqual([]);
  });

  it('rewrap to a file verifies and keeps the payload', async () => {
    expect((await dek(['rewrap', '-o', at('c.dek'), at('a.dek')], { home })).code).toBe(0);
    const a = readFileSync(at('a.dek'));
    const c = readFileSync(at('c.dek'));
    expect(c.subarray(c.length - 1_000_000).equals(a.subarray(a.length - 1_000_000))).toBe(true);
    expect((await dek(['decrypt', '-o', at('c.out'), at('c.dek')], { home })).code).toBe(0);
    expect(readFileSync(at('c.out')).equals(plain)).toBe(true);
  });
});
