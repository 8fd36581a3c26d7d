import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { initLocalKms, openLocalKms } from '@dek/kms-adapter';
import { startChild } from '../child-process.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'dek-kms-mp-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function newHome(name: string): Promise<string> {
  const home = join(root, name);
  await initLocalKms(home, { env: {} });
  return home;
}

async function allKeyIds(home: string): Promise<string[]> {
  const kms = await openLocalKms({ home, env: {} });
  const ids: string[] = [];
  for (let pageNumber = 1; ; pageNumber++) {
    const page = await kms.listKeys({ pageNumber, pageSize: 100 });
    ids.push(...page.keys.map((k) => k.keyId));
    if (ids.length >= page.totalCount) return ids;
  }
}

const sideFiles = async (home: string) => (await readdir(home)).filter((n) => n !== 'keystore.json' && n !== 'master.key');
const revision = async (home: string) => (JSON.parse(await readFile(join(home, 'keystore.json'), 'utf8')) as { content: { revision: number } }).content.revision;

describe('keystore file shared by several processes', () => {
  test('4 processes x 10 createKey at once: all 40 keys are in the keystore', async () => {
    const home = await newHome('create');
    const children = Array.from({ length: 4 }, () => startChild(home, 'create', '10'));
    const results = await Promise.all(children.map((c) => c.exited));
    for (const r of results) expect(r, r.stderr).toMatchObject({ code: 0, signal: null });
    const created = children.flatMap((c) => c.lines);
    expect(new Set(created).size).toBe(40);
    const ids = await allKeyIds(home);
    expect(ids).toHaveLength(41); // plus alias/default's key
    expect(ids).toEqual(expect.arrayContaining(created));
    expect(await revision(home)).toBe(41);
    expect(await sideFiles(home)).toEqual([]);
  });

  test('4 processes x 5 createKeyVersion of one key at once: all 20 versions are kept', async () => {
    const home = await newHome('rotate');
    const children = Array.from({ length: 4 }, () => startChild(home, 'rotate', '5'));
    const results = await Promise.all(children.map((c) => c.exited));
    for (const r of results) expect(r, r.stderr).toMatchObject({ code: 0, signal: null });
    const made = children.flatMap((c) => c.lines);
    const kms = await openLocalKms({ home, env: {} });
    const versions = (await kms.listKeyVersions({ keyId: 'alias/default', pageSize: 100 })).keyVersions.map((v) => v.keyVersionId);
    expect(versions).toHaveLength(21);
    expect(versions).toEqual(expect.arrayContaining(made));
    expect(made).toContain((await kms.describeKey({ keyId: 'alias/default' })).keyMetadata.primaryKeyVersion);
  });
});

describe('a writer killed mid-write', () => {
  test('killed between temp-file write and rename: every committed key survives, the next writer recovers at once', async () => {
    const home = await newHome('crash-hook');
    const child = startChild(home, 'create', '10', '3');
    const result = await child.exited;
    expect(result.signal).toBe('SIGKILL');
    expect(child.lines).toHaveLength(2);
    const left = await sideFiles(home);
    expect(left).toContain('keystore.json.lock');
    expect(left.some((n) => n.endsWith('.tmp'))).toBe(true);

    const ids = await allKeyIds(home);
    expect(ids).toHaveLength(3);
    expect(ids).toEqual(expect.arrayContaining(child.lines));
    const kms = await openLocalKms({ home, env: {}, lock: { timeoutMs: 2_000 } });
    await kms.createKey(); // breaks the dead writer's lock (no waiting) and removes its temp file
    expect(await sideFiles(home)).toEqual([]);
    expect(await allKeyIds(home)).toHaveLength(4);
  });

  test('SIGKILL at random moments while writing in a loop: the keystore opens with every committed key', async () => {
    const home = await newHome('crash-random');
    const committed: string[] = [];
    for (let round = 0; round < 3; round++) {
      const child = startChild(home, 'loop', '0');
      await child.waitForLines(2 + round);
      await new Promise((done) => setTimeout(done, Math.random() * 15));
      child.kill('SIGKILL');
      const result = await child.exited;
      expect(result.signal, result.stderr).toBe('SIGKILL');
      committed.push(...child.lines);
      const ids = await allKeyIds(home);
      expect(ids).toEqual(expect.arrayContaining(committed));
    }
    expect(committed.length).toBeGreaterThanOrEqual(2 + 3 + 4);
  });
});
