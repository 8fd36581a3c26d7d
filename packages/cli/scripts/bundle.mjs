/**
 * Bundles the built CLI (dist/bin.js and everything it imports, lazily loaded commands as chunks)
 * into dist/bundle/, so that `dek` starts by reading a few files instead of ~140 modules.
 * `import.meta.url` of each bundled module is replaced by its original file's URL, found at run
 * time through the package it belongs to, so what a module loads relative to itself (createRequire,
 * worker files, package.json) resolves as it would unbundled. Likewise a dynamic `import()` of
 * another package (a lazily loaded cloud SDK) stays outside the bundle and resolves from the
 * module that imports it: bundling would change how CommonJS modules look when imported.
 *
 * @module
 */
import { build } from 'esbuild';
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
const urlExpressions = new Map([[relative(packagesDir, cli).split(sep)[0], { base: join(cli, 'dist'), expression: "new URL('../', import.meta.url)" }]]);
async function originalUrl(file) {
  const dir = relative(packagesDir, file).split(sep)[0];
  if (!urlExpressions.has(dir)) {
    const { name } = JSON.parse(await readFile(join(packagesDir, dir, 'package.json'), 'utf8'));
    let entry;
    try {
      entry = import.meta.resolve(name);
    } catch {
      throw new Error(`${name} is bundled but @dek/cli cannot resolve it: add it to the dependencies of packages/cli`);
    }
    urlExpressions.set(dir, { base: dirname(fileURLToPath(entry)), expression: `import.meta.resolve(${JSON.stringify(name)})` });
  }
  const { base, expression } = urlExpressions.get(dir);
  return `new URL(${JSON.stringify(relative(base, file).split(sep).join('/'))}, ${expression}).href`;
}

const originalUrls = {
  name: 'original-urls',
  setup(b) {
    b.onLoad({ filter: /\.js$/ }, async (args) => {
      if (!args.path.startsWith(packagesDir + sep) || args.path.includes(`${sep}node_modules${sep}`)) return undefined;
      let code = await readFile(args.path, 'utf8');
      if (!code.includes('import.meta') && !code.includes('import(')) return { contents: code, loader: 'js' };
      if (/import\.meta\.(?!url\b)/.test(code)) throw new Error(`${args.path}: the bundle handles import.meta.url only`);
      const url = await originalUrl(args.path);
      code = code.replace(/\bimport\((['"])([^'".][^'"]*)\1\)/g, (call, _quote, specifier) => {
        if (specifier.startsWith('node:') || specifier.startsWith('@dek/')) return call;
        createRequire(args.path).resolve(specifier); // fails the build now, not a run later
        return `import(__dekImportPath(${JSON.stringify(specifier)}, ${url}))`;
      });
      return { contents: code.replaceAll('import.meta.url', url), loader: 'js' };
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

// Chunk names change with their contents: start empty so that no stale chunk stays.
await rm(outdir, { recursive: true, force: true });
await build({
  entryPoints: { dek: join(cli, 'dist', 'bin.js') },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  // CommonJS inside the bundle requires Node built-ins: give it a require. __dekImportPath(s, parent)
  // is the file URL `s` resolves to from the module at `parent`.
  banner: {
    js: [
      "import { createRequire as __dekCreateRequire } from 'node:module';",
      "import { pathToFileURL as __dekPathToFileURL } from 'node:url';",
      'const require = __dekCreateRequire(import.meta.url);',
      'const __dekImportPath = (specifier, parent) => __dekPathToFileURL(__dekCreateRequire(parent).resolve(specifier)).href;',
    ].join('\n'),
  },
  // Whitespace and syntax only (names stay, for stack traces and profiles): V8 compiles a third
  // less source at every start.
  minifyWhitespace: true,
  minifySyntax: true,
  plugins: [originalUrls, lazyChildProcess],
});
