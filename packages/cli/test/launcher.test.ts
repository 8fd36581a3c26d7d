/**
 * The `dek` executable's loader (src/launcher.cts): the code cache the build made is one V8
 * accepts for the bundle, and a cache it refuses (another Node's, or damaged) still gives a
 * working CLI. Loads the BUILT bundle in this process.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, ensureBuilt } from './support/dek.js';

interface Launcher {
  readonly CACHE_FILE: string;
  loadBundle(cachedData: Buffer | undefined): {
    readonly bundle: { runCli(argv: readonly string[]): Promise<number> };
    readonly script: { readonly cachedDataRejected?: boolean };
  };
}

let launcher: Launcher;

beforeAll(() => {
  ensureBuilt();
  launcher = createRequire(import.meta.url)(join(ROOT, 'packages/cli/dist/launcher.cjs')) as Launcher;
});

describe('launcher', () => {
  it('compiles the bundle with the code cache the build made (V8 accepts it)', () => {
    const { bundle, script } = launcher.loadBundle(readFileSync(launcher.CACHE_FILE));
    expect(script.cachedDataRejected).toBe(false);
    expect(typeof bundle.runCli).toBe('function');
  });

  it('runs the bundle compiled from source when V8 refuses the cache', async () => {
    const { bundle, script } = launcher.loadBundle(Buffer.from('not a code cache of this V8'));
    expect(script.cachedDataRejected).toBe(true);
    expect(await bundle.runCli(['--version'])).toBe(0);
  });

});
