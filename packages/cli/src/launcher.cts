#!/usr/bin/env node
/**
 * The `dek` executable. It runs the bundled CLI (`bundle/main.cjs`) through the V8 code cache
 * that the build made for it (`bundle/main.cache`), so that a start deserializes compiled code
 * instead of parsing and compiling 800 kB of JavaScript: about 20 ms of every command here. Node
 * 20 caches no user code itself (`module.enableCompileCache` came in Node 22). The cache starts
 * with the SHA-256 of the bundle it was made from: V8 checks its own version and flags but only
 * the length of the source, so a cache of another bundle is never used. Without a cache that
 * matches, or with one V8 refuses, the bundle compiles as usual: slower, never different. The
 * bundle holds no `import()` (its build refuses it): Node 20 loses import()'s callback in code
 * that comes from a cache.
 *
 * @module
 */
import crypto = require('node:crypto');
import fs = require('node:fs');
import path = require('node:path');
import vm = require('node:vm');
import nodeModule = require('node:module');

/** What the bundle exports: the CLI's entry (see `runCli` in cli.ts). */
interface Bundle {
  runCli(argv: readonly string[]): Promise<number>;
}

/** The bundled CLI, loaded, the script it was compiled from and the SHA-256 of its source (to make a cache from). */
interface LoadedBundle {
  readonly bundle: Bundle;
  readonly script: vm.Script;
  readonly digest: Buffer;
}

/** Bytes of the SHA-256 that starts a cache file. */
const DIGEST_LENGTH = 32;

/** Where the bundle and its code cache are. */
const BUNDLE_FILE = path.join(__dirname, 'bundle', 'main.cjs');
const CACHE_FILE = path.join(__dirname, 'bundle', 'main.cache');

/** Loads the bundle as Node loads a CommonJS module, with the code of `cache` when it was made from this bundle. */
function loadBundle(cache: Buffer | undefined): LoadedBundle {
  const bytes = fs.readFileSync(BUNDLE_FILE);
  const digest = crypto.createHash('sha256').update(bytes).digest();
  const matches = cache !== undefined && cache.length > DIGEST_LENGTH && digest.equals(cache.subarray(0, DIGEST_LENGTH));
  const source = `(function (exports, require, module, __filename, __dirname) {${bytes.toString('utf8')}\n})`;
  const script = new vm.Script(source, { filename: BUNDLE_FILE, ...(matches ? { cachedData: cache.subarray(DIGEST_LENGTH) } : {}) });
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  const module = { exports: {} as Bundle };
  wrapper.call(module.exports, module.exports, nodeModule.createRequire(BUNDLE_FILE), module, BUNDLE_FILE, path.dirname(BUNDLE_FILE));
  return { bundle: module.exports, script, digest };
}

function readCache(): Buffer | undefined {
  try {
    return fs.readFileSync(CACHE_FILE);
  } catch {
    return undefined; // no cache: compile as usual
  }
}

if (require.main === module) {
  void loadBundle(readCache())
    .bundle.runCli(process.argv.slice(2))
    .then((code) => {
      process.exitCode = code;
    });
}

export = { BUNDLE_FILE, CACHE_FILE, loadBundle };
