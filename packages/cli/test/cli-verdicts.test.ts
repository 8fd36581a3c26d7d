/**
 * The `dek` binary's verdicts on damaged input: appended bytes (DEK_TRAILING_DATA), files too
 * short for a header (DEK_FORMAT or DEK_TRUNCATED), a damaged end (DEK_AUTH with its hint), and
 * `dek rewrap`, which opens every chunk unless `--no-verify` and leaves a damaged file untouched.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dek, ensureBuilt, tempDir } from './support/dek.js';

const SEALED = 16400;
let root: string;
let home: string;
let work: string;
let envelope: Buffer;
/** Where chunk 0 starts: the header, then the 56-byte payload header. */
let chunksStart: number;

function at(name: string): string {
  return join(work, name);
}

function leftovers(): string[] {
  return readdirSync(work).filter((name) => name.includes('.dek-tmp') || name.endsWith('.out'));
}

beforeAll(async () => {
  ensureBuilt();
  root = tempDir('verdicts');
  home = join(root, 'home');
  work = join(root, 'work');
  mkdirSync(work);
  writeFileSync(at('plain.bin'), randomBytes(3 * 16384 + 500));
  expect((await dek(['init'], { home })).code).toBe(0);
  expect((await dek(['encrypt', '-o', at('plain.dek'), at('plain.bin')], { home })).code).toBe(0);
  envelope = readFileSync(at('plain.dek'));
  const inspected = await dek(['inspect', '--json', at('plain.dek')], { home });
  chunksStart = (JSON.parse(inspected.stdout.toString()) as { headerLength: number }).headerLength + 56;
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('decrypt names the cause', () => {
  it('a stray newline after the file: DEK_TRAILING_DATA with a hint, nothing written', async () => {
    writeFileSync(at('newline.dek'), Buffer.concat([envelope, Buffer.from('\n')]));
    const r = await dek(['decrypt', '-o', at('newline.out'), at('newline.dek')], { home });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^dek: DEK_TRAILING_DATA: 1 byte follows the final chunk \(chunk 3\)/);
    expect(r.stderr).toContain('dek: hint: bytes were appended after the end of the message');
    expect(leftovers()).toEqual([]);
  });

  it('a 6-byte text file: DEK_FORMAT (not a dek file); a 3-byte start of one: DEK_TRUNCATED', async () => {
    writeFileSync(at('hello.txt'), 'hello\n');
    for (const args of [['decrypt', at('hello.txt')], ['inspect', at('hello.txt')], ['rewrap', at('hello.txt')]]) {
      const r = await dek(args, { home });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^dek: DEK_FORMAT: /);
      expect(r.stderr).toContain('dek: hint: this is not a dek file');
    }
    const piped = await dek(['decrypt'], { home, input: Buffer.from('hello\n') });
    expect(piped.stderr).toMatch(/^dek: DEK_FORMAT: /);
    const cut = await dek(['decrypt'], { home, input: envelope.subarray(0, 3) });
    expect(cut.code).toBe(1);
    expect(cut.stderr).toMatch(/^dek: DEK_TRUNCATED: /);
    expect(cut.stderr).toContain('(an interrupted copy or download?)');
  });

  it('a flipped byte in the last chunk: DEK_AUTH, whose hint names damage, a cut and appended bytes', async () => {
    const bad = Buffer.from(envelope);
    bad[bad.length - 5]! ^= 1;
    const r = await dek(['decrypt'], { home, input: bad });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^dek: DEK_AUTH: /);
    expect(r.stderr).toMatch(/hint: .*damaged or modified, cut short .*appended/);
  });
});

describe('rewrap opens every chunk', () => {
  const damaged = (): Array<[string, Buffer, string]> => {
    const chunk = (k: number): Buffer => envelope.subarray(chunksStart + k * SEALED, chunksStart + (k + 1) * SEALED);
    const flipped = Buffer.from(envelope);
    flipped[chunksStart + SEALED + 100]! ^= 1;
    return [
      ['swapped', Buffer.concat([envelope.subarray(0, chunksStart), chunk(1), chunk(0), envelope.subarray(chunksStart + 2 * SEALED)]), 'DEK_AUTH'],
      ['flipped', flipped, 'DEK_AUTH'],
      ['truncated', envelope.subarray(0, chunksStart + 2 * SEALED), 'DEK_TRUNCATED'],
      ['appended', Buffer.concat([envelope, Buffer.from('\n')]), 'DEK_TRAILING_DATA'],
    ];
  };

  it('a damaged file fails with the decrypt verdict and stays as it was (in place and with -o)', async () => {
    for (const [name, bytes, code] of damaged()) {
      writeFileSync(at(`${name}.dek`), bytes);
      // In place needs --to: a file already at its keys' primary versions is otherwise left alone unread.
      for (const extra of [['--to', 'alias/default'], ['-o', at(`${name}-new.dek`)]]) {
        const r = await dek(['rewrap', ...extra, at(`${name}.dek`)], { home });
        expect(r.code, name).toBe(1);
        expect(r.stderr).toMatch(new RegExp(`^dek: ${code}: `));
        expect(readFileSync(at(`${name}.dek`)).equals(bytes)).toBe(true);
        expect(existsSync(at(`${name}-new.dek`))).toBe(false);
        expect(leftovers()).toEqual([]);
      }
    }
  });

  it('--no-verify copies swapped or altered middle chunks as before; the end is still checked', async () => {
    for (const [name, bytes] of damaged()) {
      writeFileSync(at(`${name}.dek`), bytes);
      const r = await dek(['rewrap', '--no-verify', '-o', at(`${name}-copied.dek`), at(`${name}.dek`)], { home });
      const middle = name === 'swapped' || name === 'flipped';
      expect(r.code, name).toBe(middle ? 0 : 1);
      if (middle) expect((await dek(['decrypt', at(`${name}-copied.dek`)], { home })).stderr).toMatch(/^dek: DEK_AUTH: /);
      rmSync(at(`${name}-copied.dek`), { force: true });
    }
  });
});
