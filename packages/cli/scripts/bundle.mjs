/**
 * Bundles the built CLI (dist/cli.js and everything it imports) into one CommonJS file,
 * dist/bundle/main.cjs, then makes its V8 code cache, dist/bundle/main.cache (scripts/code-cache.mjs),
 * which the `dek` executable (dist/launcher.cjs) loads it with: one file to read and little to
 * compile instead of ~140 modules. CommonJS because Node 20 takes a code cache only for a script.
 * `import.meta.url` of each bundled module is replaced by its original file's URL, found at run
 * time through the package it belongs to, so what a module loads relative to itself (createRequire,
 * worker files, package.json) resolves as it would unbundled. Packages loaded lazily with
 * createRequire (the cloud SDKs) stay outside the bundle and resolve from the module that loads them.
 *
 * @module
 */
import { execFileSync } from 'node:child_process';
import { build } from 'esbuild';
import { chmodSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('..', import.meta.url));
const outdir = join(cli, 'dist', 'bundle');
const packagesDir = dirname(cli.replace(/[/\\]$/, ''));

/**
 * For a built file of a workspace package (packages/<dir>/dist/...): an expression for its URL at
 * run time. The CLI's own files are next to the bundle (dist/ and dist/bundle/); another package's
 * are found relative to its entry, which the bundle resolves as the CLI would.
 */
const urlExpressions = new Map([[relative(packagesDir, cli).split(sep)[0], { base: join(cli, 'dist'), expression: "new URL('../', __dekBundleUrl)" }]]);
async function originalUrl(file) {
  const dir = relative(packagesDir, file).split(sep)[0];
  if (!urlExpressions.has(dir)) {
    const { name } = JSON.parse(await readFile(join(packagesDir, dir, 'package.json'), 'utf8'));
    let entry;
    try {
      entry = createRequire(join(outdir, 'main.cjs')).resolve(name);
    } catch {
      throw new Error(`${name} is bundled but @dek/cli cannot resolve it: add it to the dependencies of packages/cli`);
    }
    urlExpressions.set(dir, { base: dirname(entry), expression: `__dekResolve(${JSON.stringify(name)})` });
  }
  const { base, expression } = urlExpressions.get(dir);
  return `new URL(${JSON.stringify(relative(base, file).split(sep).join('/'))}, ${expression}).href`;
}

const originalUrls = {
  name: 'original-urls',
  setup(b) {
    b.onLoad({ filter: /\.js$/ }, async (args) => {
      if (!args.path.startsWith(packagesDir + sep) || args.path.includes(`${sep}node_modules${sep}`)) return undefined;
      const code = await readFile(args.path, 'utf8');
      if (!code.includes('import.meta')) return { contents: code, loader: 'js' };
      if (/import\.meta\.(?!url\b)/.test(code)) throw new Error(`${args.path}: the bundle handles import.meta.url only`);
      return { contents: code.replaceAll('import.meta.url', await originalUrl(args.path)), loader: 'js' };
    });
  },
};

// commander requires node:child_process (and with it net and dgram) when it loads, for executable
// sub-commands, which dek has none of: hand it a stand-in that loads the module on first use.
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      args.importer.includes(`${sep}commander${sep}`) ? { path: 'child_process', namespace: 'lazy' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, () => ({
      contents: "module.exports = new Proxy({}, { get: (_, name) => require('node:child_process')[name] });",
      loader: 'js',
    }));
  },
};

// Start empty, so that nothing stale (an old cache, chunks of earlier layouts) stays.
await rm(outdir, { recursive: true, force: true });
const { metafile } = await build({
  entryPoints: { main: join(cli, 'dist', 'cli.js') },
  outdir,
  outExtension: { '.js': '.cjs' },
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  // __dekBundleUrl is this file's URL; __dekResolve(s) the file URL of package `s` as seen from here.
  banner: {
    js: [
      "const { pathToFileURL: __dekPathToFileURL } = require('node:url');",
      'const __dekBundleUrl = __dekPathToFileURL(__filename).href;',
      'const __dekResolve = (specifier) => __dekPathToFileURL(require.resolve(specifier)).href;',
    ].join('\n'),
  },
  // Whitespace and syntax only (names stay, for stack traces and profiles): a third less source
  // to read at every start, and to compile where the code cache does not reach.
  minifyWhitespace: true,
  minifySyntax: true,
  metafile: true,
  plugins: [originalUrls, lazyChildProcess],
});

// import() of anything left outside the bundle fails the build: in a script compiled from a code
// cache, Node 20 loses the callback import() needs ("A dynamic import callback was not specified").
for (const [output, { imports }] of Object.entries(metafile.outputs)) {
  const dynamic = imports.filter((entry) => entry.kind === 'dynamic-import' && entry.external);
  if (dynamic.length > 0) {
    const names = dynamic.map((entry) => entry.path).join(', ');
    throw new Error(`${output}: import() of ${names}: load a Node built-in with process.getBuiltinModule, a package with createRequire`);
  }
}

chmodSync(join(cli, 'dist', 'launcher.cjs'), 0o755); // the package's bin, run directly in the workspace too
try {
  // Quiet: the run's own messages (a throwaway keystore's paths) are not the build's.
  execFileSync(process.execPath, [join(cli, 'scripts', 'code-cache.mjs')], { stdio: 'pipe' });
} catch (error) {
  process.stderr.write(`${error.stdout ?? ''}${error.stderr ?? ''}`);
  throw error;
}
