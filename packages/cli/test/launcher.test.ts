/**
 * The `dek` executable's loader (src/launcher.cts), each case in a fresh process: the code cache
 * the build made is one V8 accepts for the bundle; a cache made from another bundle is not used
 * at all (V8 itself checks only the source's length); a cache V8 refuses (another Node's, or
 * damaged) still gives a working CLI.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, ensureBuilt, tempDir } from './support/dek.js';

const CACHE_FILE = join(ROOT, 'packages/cli/dist/bundle/main.cache');
const PROBE = join(ROOT, 'packages/cli/test/support/launcher-probe.mjs');

/** Loads the bundle with `cache` in a fresh process: what V8 said of it, and `dek --version`'s exit code and output. */
function probe(cache: Buffer): { rejected: boolean | null; code: number | null; stdout: string } {
  const file = join(work, 'main.cache');
  writeFileSync(file, cache);
  const run = spawnSync(process.execPath, [PROBE, file], { encoding: 'utf8' });
  const said = JSON.parse(run.stderr.trim().split('\n').pop() ?? '{}') as { cachedDataRejected: boolean | null };
  return { rejected: said.cachedDataRejected, code: run.status, stdout: run.stdout };
}

let cache: Buffer;
let work: string;

beforeAll(() => {
  ensureBuilt();
  cache = readFileSync(CACHE_FILE);
  work = tempDir('launcher');
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('launcher', () => {
  it('compiles the bundle with the code cache the build made: V8 accepts it', () => {
    expect(probe(cache)).toEqual({ rejected: false, code: 0, stdout: expect.stringMatching(/^\d+\.\d+\.\d+\n$/) });
  });

  it('does not offer V8 a cache made from another bundle, even one V8 would take', () => {
    const other = Buffer.concat([Buffer.alloc(32, 0xa5), cache.subarray(32)]);
    expect(probe(other)).toMatchObject({ rejected: null, code: 0 });
  });

  it('runs the bundle compiled from source when V8 refuses the cache', () => {
    const damaged = Buffer.concat([cache.subarray(0, 32), Buffer.from('not a code cache of this V8')]);
    expect(probe(damaged)).toMatchObject({ rejected: true, code: 0 });
  });
});
