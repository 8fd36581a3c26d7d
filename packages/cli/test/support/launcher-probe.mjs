/**
 * Run by test/launcher.test.ts in a fresh process (V8 would otherwise take the bundle from the
 * compilation cache of the process that loaded it before, and never look at a code cache): loads
 * the built bundle through the launcher with the cache file named in argv[2], prints what V8 said
 * of the cache as JSON, then runs `dek --version`.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const { loadBundle } = createRequire(import.meta.url)('../../dist/launcher.cjs');
const { bundle, script } = loadBundle(readFileSync(process.argv[2]));
process.stderr.write(`${JSON.stringify({ cachedDataRejected: script.cachedDataRejected ?? null })}\n`);
process.exitCode = await bundle.runCli(['--version']);
