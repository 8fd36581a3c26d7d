/**
 * Runs the BUILT `dek` binary (packages/cli/dist/launcher.cjs, the package's `bin`) as a child
 * process. `ensureBuilt()` runs the workspace build (`tsc -b packages/cli`, then the bundle) when
 * it is missing or older than any source, under a lock so parallel test files build once.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
/** The built executable. */
export const BIN = join(ROOT, 'packages/cli/dist/launcher.cjs');
const BUILD_INFO = join(ROOT, 'packages/cli/dist/.tsbuildinfo');
/** The last file the build writes (the bundle's code cache): tsc leaves unchanged outputs as they were. */
const BUILT_LAST = join(ROOT, 'packages/cli/dist/bundle/main.cache');
const PACKAGES = ['core', 'kms-adapter', 'kms-alibaba', 'kms-aws', 'stream', 'kms-server', 'cli'];

function newestSource(directory: string): number {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts') || entry.name.endsWith('.cts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function mtime(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

function isStale(): boolean {
  if (Math.min(mtime(BIN), mtime(BUILD_INFO), mtime(BUILT_LAST)) === 0) return true;
  return PACKAGES.some((name) => newestSource(join(ROOT, 'packages', name, 'src')) > mtime(BUILT_LAST));
}

/** Builds the CLI and its dependencies unless dist is up to date. */
export function ensureBuilt(): void {
  if (!isStale()) return;
  const lock = join(tmpdir(), `dek-cli-build-${Buffer.from(ROOT).toString('hex').slice(-16)}.lock`);
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`build lock ${lock} held too long; remove it if no build runs`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200); // another test file is building
    }
  }
  try {
    if (!isStale()) return;
    const result = spawnSync(join(ROOT, 'node_modules/.bin/tsc'), ['-b', 'packages/cli'], { cwd: ROOT, encoding: 'utf8' });
    const bundle = spawnSync(process.execPath, ['packages/cli/scripts/bundle.mjs'], { cwd: ROOT, encoding: 'utf8' });
    if (isStale()) throw new Error(`build failed:\n${result.stdout}${result.stderr}${bundle.stdout}${bundle.stderr}`);
  } finally {
    rmdirSync(lock);
  }
}

/** The result of one `dek` run. */
export interface DekResult {
  readonly code: number | null;
  readonly stdout: Buffer;
  readonly stderr: string;
}

/** Options of {@link dek}. */
export interface DekOptions {
  /** Bytes for stdin (stdin is closed empty when left out). */
  readonly input?: Uint8Array;
  /** DEK_HOME of the run. */
  readonly home?: string;
  /** More environment. */
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
}

function childEnv(options: DekOptions): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith('DEK_')) env[key] = value;
  }
  if (options.home !== undefined) env['DEK_HOME'] = options.home;
  return Object.assign(env, options.env);
}

/** Starts `node dist/launcher.cjs ...args` with piped stdio and leaves it running. */
export function startDek(args: readonly string[], options: DekOptions = {}): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [BIN, ...args], { cwd: options.cwd ?? ROOT, env: childEnv(options), stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Polls `check` every 20 ms until it returns true (fails after 10 s). */
export async function waitFor(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolveTimer) => setTimeout(resolveTimer, 20));
  }
}

/** Runs `node dist/launcher.cjs ...args`. stdin, stdout and stderr are pipes (never a terminal). */
export function dek(args: readonly string[], options: DekOptions = {}): Promise<DekResult> {
  return new Promise((resolvePromise, reject) => {
    const child = startDek(args, options);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') }));
    child.stdin.on('error', () => undefined); // the child may exit before reading everything
    child.stdin.end(options.input ?? new Uint8Array(0));
  });
}

/** A fresh temporary directory. */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `dek-cli-${prefix}-`));
}
