#!/usr/bin/env node
/**
 * The `dek` executable. It runs the bundled CLI (`bundle/main.cjs`) through the V8 code cache
 * that the build made for it (`bundle/main.cache`), so that a start deserializes compiled code
 * instead of parsing and compiling 800 kB of JavaScript: about 15 ms of every command here. Node
 * 20 caches no user code itself (`module.enableCompileCache` came in Node 22). Without the cache,
 * or with one that another Node or V8 made (V8 checks and refuses it), the bundle compiles as
 * usual: slower, never different.
 *
 * @module
 */
import fs = require('node:fs');
import path = require('node:path');
import vm = require('node:vm');
import nodeModule = require('node:module');

/** What the bundle exports: the CLI's entry (see `runCli` in cli.ts). */
interface Bundle {
  runCli(argv: readonly string[]): Promise<number>;
}

/** The bundled CLI, loaded, and the script it was compiled from (to make a cache from). */
interface LoadedBundle {
  readonly bundle: Bundle;
  readonly script: vm.Script;
}

/** Where the bundle and its code cache are. */
const BUNDLE_FILE = path.join(__dirname, 'bundle', 'main.cjs');
const CACHE_FILE = path.join(__dirname, 'bundle', 'main.cache');

/** Loads the bundle as Node loads a CommonJS module, compiled with `cachedData` when given. */
function loadBundle(cachedData: Buffer | undefined): LoadedBundle {
  const source = fs.readFileSync(BUNDLE_FILE, 'utf8');
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: BUNDLE_FILE,
    cachedData,
    // import() of a cloud SDK resolves as it would from an ordinary module.
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  const module = { exports: {} as Bundle };
  wrapper.call(module.exports, module.exports, nodeModule.createRequire(BUNDLE_FILE), module, BUNDLE_FILE, path.dirname(BUNDLE_FILE));
  return { bundle: module.exports, script };
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
