/**
 * Makes dist/bundle/main.cache, the V8 code cache the `dek` executable loads the bundle with:
 * runs what most starts run (encrypt and decrypt of a small file, with a throwaway local
 * keystore) in this process, through the launcher, then saves the code V8 compiled for it. It
 * holds compiled code only, nothing of the run's data (no key, no file contents).
 *
 * @module
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const LAUNCHER = fileURLToPath(new URL('../dist/launcher.cjs', import.meta.url));
const { CACHE_FILE, loadBundle } = createRequire(import.meta.url)(LAUNCHER);

const dir = mkdtempSync(join(tmpdir(), 'dek-code-cache-'));
try {
  for (const name of Object.keys(process.env)) if (name.startsWith('DEK_')) delete process.env[name];
  process.env['DEK_HOME'] = join(dir, 'home');
  process.env['DEK_KMS'] = 'local';
  // The keystore comes from another process: `init` runs once per machine, not worth caching.
  execFileSync(process.execPath, [LAUNCHER, 'init'], { stdio: 'ignore' });
  const { bundle, script, digest } = loadBundle(undefined);
  const plain = join(dir, 'plain');
  writeFileSync(plain, 'a file to warm the code cache with\n');
  for (const argv of [['encrypt', '-o', `${plain}.dek`, plain], ['decrypt', '-o', `${plain}.out`, `${plain}.dek`]]) {
    const code = await bundle.runCli(['-q', ...argv]);
    if (code !== 0) throw new Error(`dek ${argv.join(' ')} exited ${code} while making the code cache`);
  }
  const temp = `${CACHE_FILE}.tmp`;
  writeFileSync(temp, Buffer.concat([digest, script.createCachedData()])); // the bundle's SHA-256, then V8's data
  renameSync(temp, CACHE_FILE);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exitCode = 0;
