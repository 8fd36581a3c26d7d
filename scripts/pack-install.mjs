#!/usr/bin/env node
/**
 * The pack-and-install test (`pnpm test:pack`, run by `.ci/run` after the build): what a library
 * user gets from the tarballs, checked from outside the workspace.
 *
 * Packs every public package with pnpm, then, in fresh npm projects in a temp directory (third-party
 * dependencies from the registry, `@dek/*` from the tarballs only):
 * - the tarballs hold `dist` (JS, `.d.ts`), README, LICENSE and package.json, nothing else;
 * - `@dek/core` + `@dek/kms-adapter` + `@dek/stream` alone pull in no cloud SDK;
 * - every README block marked `<!-- pack-test -->` runs as the user would copy it, as ESM (`.mjs`)
 *   and as CommonJS (`.cjs`, imports turned into `require`), in the smallest project that has its
 *   imports;
 * - scripts/pack-install-consumer.ts type-checks against the installed `.d.ts` with
 *   moduleResolution node16, bundler and node10 (the workspace's TypeScript, @types/node from the
 *   registry);
 * - the installed `dek` binary runs (`npx dek --version`, init, an encrypt/decrypt round trip),
 *   and `npm install -g ./packages/cli` (the README's command) puts `dek` on the PATH.
 *
 * Prints one line per check and exits 1 if any failed. `KEEP_PACK_DIR=1` keeps the temp directory.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, delimiter, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = dirname(dirname(fileURLToPath(import.meta.url)));
const rootManifest = readJson(join(repo, 'package.json'));
/** Packages whose examples may run without the cloud clients (the footprint check installs only these). */
const MINIMAL = ['@dek/core', '@dek/kms-adapter', '@dek/stream'];
/** What a user of MINIMAL must not get. */
const CLOUD_PACKAGE = /^(@aws-sdk\/|@alicloud\/|@smithy\/|node-forge$|protobufjs$)/;
/** The only paths a tarball may hold. */
const TARBALL_ENTRY = /^package\/(package\.json|README\.md|LICENSE|dist\/.+\.(c?js|d\.c?ts)|dist\/bundle\/main\.cache)$/;
const EXAMPLE_MARK = '<!-- pack-test -->';

let failures = 0;
let passed = 0;

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/**
 * The environment of every child: no npm/pnpm script variables (they would configure the npm of
 * the test project), no workspace `node_modules/.bin` on the PATH, no dek or cloud settings, and
 * HOME in the temp directory so that examples and `dek init` write nothing outside it.
 */
function childEnv(home) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_/i.test(key) && !/^npm_config_(registry|cache|userconfig)$/i.test(key)) continue;
    if (/^(DEK_|AWS_|ALIBABA_CLOUD_)/.test(key)) continue;
    env[key] = value;
  }
  env.PATH = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => !dir.includes('node_modules/.bin'))
    .join(delimiter);
  env.npm_config_cache ??= join(process.env.HOME ?? tmpdir(), '.npm');
  env.npm_config_userconfig ??= join(process.env.HOME ?? tmpdir(), '.npmrc');
  env.HOME = home;
  env.npm_config_update_notifier = 'false';
  env.npm_config_fund = 'false';
  env.npm_config_audit = 'false';
  return env;
}

/** Runs a command; throws with the end of its output when it fails. */
function run(command, args, { cwd, env, timeoutMs = 120_000 }) {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 << 20 });
  if (result.error) throw new Error(`${command} ${args.join(' ')}: ${result.error.message}`);
  if (result.status !== 0) {
    const output = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-15).join('\n  ');
    throw new Error(`${command} ${args.join(' ')} exited ${result.status ?? result.signal}\n  ${output}`);
  }
  return result.stdout;
}

/** One check: one line, `ok` or `FAIL`. A failed `required` check ends the run. */
async function check(name, body, { required = false } = {}) {
  const started = Date.now();
  const took = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  try {
    const detail = await body();
    passed++;
    console.log(`ok   ${name} (${detail ? `${detail}, ` : ''}${took()})`);
  } catch (error) {
    failures++;
    console.log(`FAIL ${name} (${took()}): ${error instanceof Error ? error.message : String(error)}`);
    if (required) throw new Error(`stopping: ${name} failed`);
  }
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

/** The pnpm that runs this script, else the pinned one through npx (as .ci/run does). */
function pnpmCommand() {
  const execPath = process.env.npm_execpath;
  if (execPath && /pnpm/.test(basename(execPath))) return [process.execPath, [execPath]];
  return ['npx', ['--yes', rootManifest.packageManager.split('+')[0]]];
}

function publicPackages() {
  return readdirSync(join(repo, 'packages'))
    .map((dir) => join(repo, 'packages', dir))
    .filter((dir) => statSync(join(dir, 'package.json'), { throwIfNoEntry: false })?.isFile())
    .map((dir) => ({ dir, manifest: readJson(join(dir, 'package.json')) }))
    .filter(({ manifest }) => manifest.private !== true);
}

function tarballName(manifest) {
  return `${manifest.name.replace(/^@/, '').replace('/', '-')}-${manifest.version}.tgz`;
}

/** Every leaf path of an `exports` map. */
function exportTargets(exports) {
  if (typeof exports === 'string') return [exports];
  return Object.values(exports ?? {}).flatMap(exportTargets);
}

/** An `exports` map without the workspace-only `@dek/source` condition. */
function withoutSourceCondition(exports) {
  if (typeof exports !== 'object' || exports === null) return exports;
  return Object.fromEntries(
    Object.entries(exports)
      .filter(([key]) => key !== '@dek/source')
      .map(([key, value]) => [key, withoutSourceCondition(value)]),
  );
}

function checkTarball(path, workspaceManifest, env) {
  const entries = run('tar', ['-tzf', path], { cwd: dirname(path), env }).split('\n').filter(Boolean);
  const stray = entries.filter((entry) => !TARBALL_ENTRY.test(entry));
  assert(stray.length === 0, `unexpected files: ${stray.slice(0, 5).join(', ')}`);
  for (const needed of ['package/README.md', 'package/LICENSE', 'package/dist/index.js', 'package/dist/index.d.ts']) {
    assert(entries.includes(needed), `${needed} is missing`);
  }
  const manifest = JSON.parse(run('tar', ['-xzOf', path, 'package/package.json'], { cwd: dirname(path), env }));
  const text = JSON.stringify(manifest);
  assert(!text.includes('workspace:'), 'package.json still has workspace: versions');
  assert(!text.includes('@dek/source'), 'package.json still has the @dek/source condition');
  assert(manifest.publishConfig === undefined, 'package.json still has publishConfig');
  // publishConfig.exports replaces exports at pack time: it must not drift from the workspace's.
  const expected = JSON.stringify(withoutSourceCondition(workspaceManifest.exports));
  assert(JSON.stringify(manifest.exports) === expected, `packed exports differ from the workspace's: update publishConfig.exports (expected ${expected})`);
  assert(typeof manifest.types === 'string' && entries.includes(`package/${manifest.types.replace(/^\.\//, '')}`), 'no top-level types file');
  for (const target of [...exportTargets(manifest.exports), ...Object.values(manifest.bin ?? {})]) {
    if (target === './package.json') continue;
    assert(entries.includes(`package/${target.replace(/^\.\//, '')}`), `exports/bin target ${target} is missing`);
  }
  return `${entries.length} files, ${(statSync(path).size / 1024).toFixed(0)} KiB`;
}

/** A fresh npm project with these tarballs (and registry packages) installed. */
function installProject(dir, specs, env) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: basename(dir), private: true, type: 'module' }, null, 2)}\n`);
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...specs], { cwd: dir, env, timeoutMs: 300_000 });
  const lock = readJson(join(dir, 'package-lock.json'));
  const installed = Object.entries(lock.packages ?? {}).filter(([path]) => path.startsWith('node_modules/'));
  for (const [path, entry] of installed) {
    const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    if (name.startsWith('@dek/')) assert(String(entry.resolved ?? '').startsWith('file:'), `${name} did not come from a tarball`);
  }
  return installed.map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length));
}

function directorySize(path) {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat || stat.isSymbolicLink()) return 0;
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((sum, entry) => sum + directorySize(join(path, entry)), 0);
}

/** The README blocks marked for this test: `{ where, code }`. */
function readmeExamples() {
  const readmes = [join(repo, 'README.md'), ...publicPackages().map(({ dir }) => join(dir, 'README.md'))];
  const examples = [];
  for (const readme of readmes) {
    const lines = readFileSync(readme, 'utf8').split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (lines[i].trim() !== EXAMPLE_MARK) continue;
      const where = `${relative(repo, readme)}:${i + 2}`;
      assert(/^```(js|javascript)\s*$/.test(lines[i + 1] ?? ''), `${where}: ${EXAMPLE_MARK} must precede a \`\`\`js block`);
      const end = lines.indexOf('```', i + 2);
      assert(end > i, `${where}: the block does not end`);
      examples.push({ where, code: `${lines.slice(i + 2, end).join('\n')}\n` });
    }
  }
  return examples;
}

const IMPORT = /^import\s+(\{[^}]*\}|\*\s+as\s+[\w$]+|[\w$]+)\s+from\s+('[^']+'|"[^"]+");?[ \t]*$/gm;

function importedPackages(code) {
  return [...code.matchAll(IMPORT)].map((match) => match[2].slice(1, -1)).filter((name) => !name.startsWith('node:'));
}

/** The example as a CommonJS user writes it: `require` for each import, the rest in an async function. */
function toCommonJs(code) {
  const body = code.replace(IMPORT, (_, what, from) => {
    if (what.startsWith('{')) return `const ${what.replace(/\s+as\s+/g, ': ')} = require(${from});`;
    if (what.startsWith('*')) return `const ${what.replace(/^\*\s+as\s+/, '')} = require(${from});`;
    throw new Error(`default import "${what}" has no CommonJS equivalent here; import names instead`);
  });
  assert(!/^\s*(import|export)\s/m.test(body), 'an import or export the CommonJS conversion does not handle');
  return `(async () => {\n${body}})().catch((error) => {\n  console.error(error);\n  process.exitCode = 1;\n});\n`;
}

function runExample(project, name, source, env) {
  const dir = join(project, 'examples', name.replace(/\.[cm]js$/, ''));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, name), source);
  return run(process.execPath, [name], { cwd: dir, env, timeoutMs: 60_000 });
}

/**
 * Type-checks consumer.ts in `project`. With node16 every installed `.d.ts` is checked too
 * (skipLibCheck off: a declaration naming an untyped module fails there); the other resolutions
 * check only what the consumer sees, which is 3x faster (the AWS SDK's declarations are large).
 */
function typeCheck(project, resolution, env) {
  const compilerOptions = {
    node16: { module: 'node16', moduleResolution: 'node16', skipLibCheck: false },
    bundler: { module: 'esnext', moduleResolution: 'bundler', skipLibCheck: true },
    node10: { module: 'commonjs', moduleResolution: 'node10', skipLibCheck: true },
  }[resolution];
  const config = `tsconfig.${resolution}.json`;
  const tsconfig = {
    compilerOptions: { ...compilerOptions, target: 'es2022', strict: true, noEmit: true, types: ['node'] },
    files: ['consumer.ts'],
  };
  writeFileSync(join(project, config), `${JSON.stringify(tsconfig, null, 2)}\n`);
  // The workspace's TypeScript (the same version a user would install) saves a 23 MB download.
  run(process.execPath, [join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', config], { cwd: project, env });
}

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'dek-pack-'));
  const home = join(work, 'home');
  mkdirSync(home);
  const env = childEnv(home);
  const tarballs = join(work, 'tarballs');
  const packages = publicPackages();
  const started = Date.now();
  try {
    await check(
      `pack ${packages.length} public packages`,
      () => {
        const [pnpm, prefix] = pnpmCommand();
        run(pnpm, [...prefix, '-r', '--filter', './packages/*', 'pack', '--pack-destination', tarballs], { cwd: repo, env });
        for (const { manifest } of packages) assert(statSync(join(tarballs, tarballName(manifest)), { throwIfNoEntry: false }), `no tarball for ${manifest.name}`);
      },
      { required: true },
    );
    for (const { manifest } of packages) {
      await check(`tarball ${manifest.name}`, () => checkTarball(join(tarballs, tarballName(manifest)), manifest, env));
    }
    await check('private packages (bench, fuzz) refuse to pack', () => {
      const [pnpm, prefix] = pnpmCommand();
      const destination = join(work, 'private');
      const args = [...prefix, '-r', '--no-bail', '--filter', './bench', '--filter', './fuzz', 'pack', '--pack-destination', destination];
      const result = spawnSync(pnpm, args, { cwd: repo, env, encoding: 'utf8' });
      const packed = existsSync(destination) ? readdirSync(destination) : [];
      assert(result.status !== 0 && packed.length === 0, `packed: ${packed.join(', ') || '(exit 0)'}`);
    });

    const tarballOf = (name) => join(tarballs, tarballName(packages.find(({ manifest }) => manifest.name === name).manifest));
    const minimal = join(work, 'minimal');
    await check(
      `install ${MINIMAL.join(' + ')} from the tarballs`,
      () => {
        const installed = installProject(minimal, MINIMAL.map(tarballOf), env);
        const cloud = installed.filter((name) => CLOUD_PACKAGE.test(name));
        assert(cloud.length === 0, `cloud packages installed: ${cloud.slice(0, 5).join(', ')}`);
        return `no cloud SDK; ${installed.length} packages, ${(directorySize(join(minimal, 'node_modules')) / 2 ** 20).toFixed(1)} MiB`;
      },
      { required: true },
    );

    const full = join(work, 'full');
    await check(
      'install every tarball and @types/node',
      () => {
        const fromRegistry = [`@types/node@${rootManifest.devDependencies['@types/node']}`];
        // The kms-server README drives the official SDKs, so a user of it installs them too.
        const kmsAlibaba = readJson(join(repo, 'packages', 'kms-alibaba', 'package.json')).dependencies;
        const kmsAws = readJson(join(repo, 'packages', 'kms-aws', 'package.json')).dependencies;
        fromRegistry.push(`@alicloud/kms20160120@${kmsAlibaba['@alicloud/kms20160120']}`, `@aws-sdk/client-kms@${kmsAws['@aws-sdk/client-kms']}`);
        const installed = installProject(full, [...packages.map(({ manifest }) => join(tarballs, tarballName(manifest))), ...fromRegistry], env);
        return `${installed.length} packages`;
      },
      { required: true },
    );

    const examples = readmeExamples();
    assert(examples.length > 0, `no README block is marked ${EXAMPLE_MARK}`);
    for (const [index, { where, code }] of examples.entries()) {
      const inMinimal = importedPackages(code).every((name) => MINIMAL.some((pkg) => name === pkg || name.startsWith(`${pkg}/`)));
      const project = inMinimal ? minimal : full;
      const projectName = inMinimal ? 'minimal install' : 'full install';
      await check(`example ${where} as ESM (${projectName})`, () => void runExample(project, `example-${index}.mjs`, code, env));
      await check(`example ${where} as CommonJS (${projectName})`, () => void runExample(project, `example-${index}.cjs`, toCommonJs(code), env));
    }

    copyFileSync(join(repo, 'scripts', 'pack-install-consumer.ts'), join(full, 'consumer.ts'));
    for (const resolution of ['node16', 'bundler', 'node10']) {
      await check(`type-check scripts/pack-install-consumer.ts with moduleResolution ${resolution}`, () => typeCheck(full, resolution, env));
    }

    const cliVersion = packages.find(({ manifest }) => manifest.name === '@dek/cli').manifest.version;
    await check('npx dek --version', () => {
      // --no: never fetch a package named "dek" from the registry if the local bin were missing.
      const out = run('npx', ['--no', '--', 'dek', '--version'], { cwd: full, env }).trim();
      assert(out === cliVersion, `printed "${out}", expected ${cliVersion}`);
    });
    await check('npx dek: init, encrypt, decrypt round trip', () => {
      const dir = join(full, 'round-trip');
      mkdirSync(dir);
      const dekEnv = { ...env, DEK_HOME: join(dir, 'dek-home') };
      const plaintext = 'pack-install round trip\n'.repeat(100_000);
      writeFileSync(join(dir, 'in.txt'), plaintext);
      run('npx', ['--no', '--', 'dek', 'init'], { cwd: dir, env: dekEnv });
      run('npx', ['--no', '--', 'dek', 'encrypt', '-c', 'purpose=pack-test', '-o', 'in.txt.dek', 'in.txt'], { cwd: dir, env: dekEnv });
      run('npx', ['--no', '--', 'dek', 'decrypt', '-c', 'purpose=pack-test', '-o', 'out.txt', 'in.txt.dek'], { cwd: dir, env: dekEnv });
      assert(readFileSync(join(dir, 'out.txt'), 'utf8') === plaintext, 'decrypted bytes differ');
      assert(readFileSync(join(dir, 'in.txt.dek')).length > plaintext.length, 'the encrypted file is too short');
    });
    await check('npm install -g ./packages/cli puts dek on the PATH', () => {
      const prefix = join(work, 'global');
      run('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', '--loglevel=error', './packages/cli'], { cwd: repo, env });
      const out = run('dek', ['--version'], { cwd: work, env: { ...env, PATH: `${join(prefix, 'bin')}${delimiter}${env.PATH}` } }).trim();
      assert(out === cliVersion, `printed "${out}", expected ${cliVersion}`);
    });
  } catch (error) {
    if (!(error instanceof Error && error.message.startsWith('stopping:'))) {
      failures++;
      console.log(`FAIL ${error instanceof Error ? error.message : String(error)}`);
    } else {
      console.log(error.message);
    }
  } finally {
    if (process.env.KEEP_PACK_DIR === '1') console.log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
  console.log(`pack-install: ${passed} passed, ${failures} failed (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  process.exitCode = failures === 0 ? 0 : 1;
}

await main();
