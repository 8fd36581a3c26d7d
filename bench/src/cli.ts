/**
 * The `dek` command line as a user runs it, whole processes against age (the Debian package) on
 * one generated file in the page cache: file to file, through pipes, peak RSS, start-up on 1 KiB,
 * and a CPU profile of one `dek encrypt`. The file size is DEK_BENCH_FILE_MIB (default 1024), the
 * rounds DEK_BENCH_ROUNDS (default 9). Runs the built CLI (`pnpm build` first).
 */
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pipeline } from 'node:stream/promises';
import { summarizeProfiles, type ProfileSummary } from './cpu-profile.js';
import { median, type Throughput } from './measure.js';
import {
  canMeasureRss,
  GNU_TIME,
  interleave,
  peakRssKiB,
  quote,
  runProcess,
  shell,
  type Command,
  type ProcessTask,
  type ProcessTiming,
} from './processes.js';
import type { Section, TargetLine } from './report.js';
import { MiB, repeatingSource } from './support.js';

const fileMiB = Number(process.env['DEK_BENCH_FILE_MIB'] ?? 1024);
const rounds = Number(process.env['DEK_BENCH_ROUNDS'] ?? 9);
if (!(Number.isInteger(fileMiB) && fileMiB > 0)) throw new Error('DEK_BENCH_FILE_MIB must be a positive whole number of MiB');
if (!(Number.isInteger(rounds) && rounds > 0)) throw new Error('DEK_BENCH_ROUNDS must be a positive whole number');
const FILE_BYTES = fileMiB * MiB;
const SIZE = fileMiB % 1024 === 0 ? `${fileMiB / 1024} GiB` : `${fileMiB} MiB`;
const STARTUP_ROUNDS = 30;

/** Row names of the whole-process table. */
export const CLI_ROWS = {
  copy: '`cp` file to file (floor)',
  ageEncrypt: '`age -r` file to file',
  dekEncrypt: '`dek encrypt -o` file to file',
  ageDecrypt: '`age -d` file to file',
  dekDecrypt: '`dek decrypt -o` file to file',
  agePipeEncrypt: '`age -r` through pipes',
  rawPipeEncrypt: 'bare Node AES-GCM loop through pipes (bench/src/raw-pipe.ts)',
  dekPipeEncrypt: '`dek encrypt` through pipes',
  agePipeDecrypt: '`age -d` through pipes',
  dekPipeDecrypt: '`dek decrypt` through pipes',
} as const;

const STARTUP_ROWS = { node: '`node -e 0`', version: '`dek --version`', encrypt: '`dek encrypt -o` of 1 KiB', decrypt: '`dek decrypt -o` of 1 KiB' } as const;

/** Peak RSS of one command. */
export interface CliRssRow {
  readonly name: string;
  /** `--concurrency` passed, or undefined (the CLI's default). */
  readonly concurrency: number | undefined;
  readonly maxRssMiB: number;
  readonly overIdleMiB: number;
}

/** Everything the section measured. */
export interface CliBench {
  /** The version of age run, or undefined when it is not installed (its rows were skipped). */
  readonly ageVersion: string | undefined;
  readonly rows: readonly Throughput[];
  readonly startup: readonly ProcessTiming[];
  /** Undefined when GNU time is not installed. */
  readonly rss: { readonly idleMiB: number; readonly rows: readonly CliRssRow[] } | undefined;
  readonly concurrencyOption: boolean;
  readonly profile: ProfileSummary;
  /** The `dek` entry run, relative to packages/cli. */
  readonly entry: string;
}

const cliRoot = new URL('../../packages/cli/', import.meta.url);
/** The bare Node loop the pipe rows are also compared with. */
const RAW_PIPE = fileURLToPath(new URL('raw-pipe.js', import.meta.url));

/** The `bin` of packages/cli, as its package.json names it. */
function dekBin(): string {
  return (JSON.parse(readFileSync(new URL('package.json', cliRoot), 'utf8')) as { bin: { dek: string } }).bin.dek;
}

/** The built `dek` entry (the `bin` of packages/cli). */
function dekEntry(): string {
  const entry = new URL(dekBin(), cliRoot).pathname;
  if (!existsSync(entry)) throw new Error(`${entry} does not exist: run pnpm build first`);
  return entry;
}

/** The installed age's version, or undefined when age or age-keygen is missing. */
async function ageVersion(): Promise<string | undefined> {
  try {
    await runProcess({ file: 'age-keygen', args: ['--version'] });
    return (await runProcess({ file: 'age', args: ['--version'] })).trim();
  } catch {
    return undefined;
  }
}

/** Rate of `bytes` in MB/s from timings in ms. */
function rateRow(timing: ProcessTiming, bytes: number): Throughput {
  const rate = (ms: number): number => bytes / 1e6 / (ms / 1000);
  return { name: timing.name, unit: 'MB/s', median: rate(timing.medianMs), min: rate(timing.maxMs), max: rate(timing.minMs), samples: timing.samples.length };
}

/** The files, keys and commands every part of the section shares. */
interface Fixture {
  readonly dir: string;
  readonly node: string;
  readonly env: NodeJS.ProcessEnv;
  readonly plain: string;
  readonly sealed: string;
  /** The age identity file, its recipient and the plain file encrypted to it; undefined without age. */
  readonly age: { readonly version: string; readonly identity: string; readonly recipient: string; readonly sealed: string } | undefined;
  /** `node <dek> -q ...args`. */
  dek(...args: string[]): Command;
  run(command: Command): Promise<string>;
  /** A task writing to its own output file, removed before each run. */
  task(name: string, command: (out: string) => Command): ProcessTask;
}

async function prepare(dir: string): Promise<Fixture> {
  const entry = dekEntry();
  const node = process.execPath;
  const env: NodeJS.ProcessEnv = { ...process.env, DEK_HOME: join(dir, 'home'), DEK_KMS: 'local' };
  delete env['DEK_MASTER_KEY'];
  const dek = (...args: string[]): Command => ({ file: node, args: [entry, '-q', ...args] });
  const run = (command: Command): Promise<string> => runProcess(command, env);
  await run(dek('init'));
  const plain = join(dir, 'plain');
  const sealed = join(dir, 'plain.dek');
  await pipeline(repeatingSource(randomBytes(MiB), FILE_BYTES), createWriteStream(plain, { highWaterMark: MiB }));
  await run(dek('encrypt', '-o', sealed, plain));
  const version = await ageVersion();
  let age: Fixture['age'];
  if (version !== undefined) {
    const identity = join(dir, 'age-identity.txt');
    await run({ file: 'age-keygen', args: ['-o', identity] });
    const recipient = (await run({ file: 'age-keygen', args: ['-y', identity] })).trim();
    age = { version, identity, recipient, sealed: join(dir, 'plain.age') };
    await run({ file: 'age', args: ['-r', recipient, '-o', age.sealed, plain] });
  }
  const outputs = join(dir, 'out');
  await mkdir(outputs);
  let made = 0;
  const task = (name: string, command: (out: string) => Command): ProcessTask => {
    const out = join(outputs, `out-${made++}`);
    // sync (not timed): no run waits on the write-back of the runs before it (dek's fsync would).
    const prepare = async (): Promise<void> => {
      await rm(out, { force: true });
      await runProcess({ file: 'sync', args: [] });
    };
    return { name, command: command(out), prepare };
  };
  return { dir, node, env, plain, sealed, age, dek, run, task };
}

/** File to file and through pipes, dek against age and cp, interleaved. */
async function timeFiles(fx: Fixture): Promise<Throughput[]> {
  const { plain, sealed, task } = fx;
  const dekLine = fx.dek().args.map(quote).join(' ');
  const node = quote(fx.node);
  const tasks = [
    task(CLI_ROWS.copy, (out) => ({ file: 'cp', args: [plain, out] })),
    task(CLI_ROWS.dekEncrypt, (out) => fx.dek('encrypt', '-o', out, plain)),
    task(CLI_ROWS.dekDecrypt, (out) => fx.dek('decrypt', '-o', out, sealed)),
    task(CLI_ROWS.dekPipeEncrypt, (out) => shell(`cat ${quote(plain)} | ${node} ${dekLine} encrypt | cat > ${quote(out)}`)),
    task(CLI_ROWS.rawPipeEncrypt, (out) => shell(`cat ${quote(plain)} | ${node} ${quote(RAW_PIPE)} | cat > ${quote(out)}`)),
    task(CLI_ROWS.dekPipeDecrypt, (out) => shell(`cat ${quote(sealed)} | ${node} ${dekLine} decrypt | cat > ${quote(out)}`)),
  ];
  const age = fx.age;
  if (age !== undefined) {
    tasks.push(
      task(CLI_ROWS.ageEncrypt, (out) => ({ file: 'age', args: ['-r', age.recipient, '-o', out, plain] })),
      task(CLI_ROWS.ageDecrypt, (out) => ({ file: 'age', args: ['-d', '-i', age.identity, '-o', out, age.sealed] })),
      task(CLI_ROWS.agePipeEncrypt, (out) => shell(`cat ${quote(plain)} | age -r ${quote(age.recipient)} | cat > ${quote(out)}`)),
      task(CLI_ROWS.agePipeDecrypt, (out) => shell(`cat ${quote(age.sealed)} | age -d -i ${quote(age.identity)} | cat > ${quote(out)}`)),
    );
  }
  const order: readonly string[] = Object.values(CLI_ROWS);
  tasks.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
  return (await interleave(tasks, rounds, 1, fx.env)).map((timing) => rateRow(timing, FILE_BYTES));
}

/** `dek` on 1 KiB against `node -e 0`, interleaved. */
async function timeStartup(fx: Fixture): Promise<ProcessTiming[]> {
  const small = join(fx.dir, 'small');
  const smallSealed = join(fx.dir, 'small.dek');
  await writeFile(small, randomBytes(1024));
  await fx.run(fx.dek('encrypt', '-o', smallSealed, small));
  const tasks = [
    { name: STARTUP_ROWS.node, command: { file: fx.node, args: ['-e', '0'] } },
    { name: STARTUP_ROWS.version, command: fx.dek('--version') },
    fx.task(STARTUP_ROWS.encrypt, (out) => fx.dek('encrypt', '-o', out, small)),
    fx.task(STARTUP_ROWS.decrypt, (out) => fx.dek('decrypt', '-o', out, smallSealed)),
  ];
  return interleave(tasks, STARTUP_ROUNDS, 3, fx.env);
}

/** Peak RSS of dek (at each `--concurrency` when it has the option) and age, against idle Node. */
async function measureRss(fx: Fixture, concurrencyOption: boolean): Promise<{ idleMiB: number; rows: CliRssRow[] }> {
  const scratch = join(fx.dir, 'time.txt');
  const peakMiB = async (command: Command): Promise<number> => (await peakRssKiB(command, scratch, fx.env)) / 1024;
  const idle: number[] = [];
  for (let i = 0; i < 3; i++) idle.push(await peakMiB({ file: fx.node, args: ['-e', '0'] }));
  const idleMiB = median(idle.sort((a, b) => a - b));
  const out = join(fx.dir, 'rss-out');
  const rows: CliRssRow[] = [];
  const measure = async (name: string, concurrency: number | undefined, command: Command): Promise<void> => {
    await rm(out, { force: true });
    const maxRssMiB = await peakMiB(command);
    rows.push({ name, concurrency, maxRssMiB, overIdleMiB: maxRssMiB - idleMiB });
  };
  const levels = concurrencyOption ? Array.from({ length: Math.min(4, Math.max(2, cpus().length)) }, (_, i) => i + 1) : [undefined];
  for (const concurrency of levels) {
    const option = concurrency === undefined ? [] : ['--concurrency', String(concurrency)];
    await measure(`\`dek encrypt -o\` of ${SIZE}`, concurrency, fx.dek('encrypt', ...option, '-o', out, fx.plain));
    await measure(`\`dek decrypt -o\` of ${SIZE}`, concurrency, fx.dek('decrypt', ...option, '-o', out, fx.sealed));
  }
  if (fx.age !== undefined) {
    await measure(`\`age -r\` of ${SIZE}`, undefined, { file: 'age', args: ['-r', fx.age.recipient, '-o', out, fx.plain] });
    await measure(`\`age -d\` of ${SIZE}`, undefined, { file: 'age', args: ['-d', '-i', fx.age.identity, '-o', out, fx.age.sealed] });
  }
  return { idleMiB, rows };
}

/** One `dek encrypt -o` of the file under `node --cpu-prof`, summarized. */
async function profileEncrypt(fx: Fixture): Promise<ProfileSummary> {
  const profiles = join(fx.dir, 'profiles');
  const [entry, ...args] = fx.dek('encrypt', '-o', join(fx.dir, 'profiled.dek'), fx.plain).args;
  await fx.run({ file: fx.node, args: ['--cpu-prof', '--cpu-prof-dir', profiles, entry!, ...args] });
  return summarizeProfiles(profiles);
}

/** Runs the whole section in a temporary directory, removed afterwards. */
export async function benchCli(): Promise<CliBench> {
  const dir = await mkdtemp(join(tmpdir(), 'dek-cli-bench-'));
  try {
    const fx = await prepare(dir);
    const rows = await timeFiles(fx);
    const startup = await timeStartup(fx);
    const concurrencyOption = /--concurrency\b/.test(await fx.run(fx.dek('encrypt', '--help')));
    const rss = canMeasureRss() ? await measureRss(fx, concurrencyOption) : undefined;
    const profile = await profileEncrypt(fx);
    return { ageVersion: fx.age?.version, rows, startup, rss, concurrencyOption, profile, entry: dekBin() };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const ms = (value: number): string => `${value.toFixed(1)} ms`;
const pct = (share: number): string => `${(share * 100).toFixed(1)}%`;

/** The report section of {@link benchCli}'s results. */
export function cliSection(result: CliBench): Section {
  const baselines: Record<string, string> = result.ageVersion === undefined ? {} : {
    [CLI_ROWS.dekEncrypt]: CLI_ROWS.ageEncrypt,
    [CLI_ROWS.dekDecrypt]: CLI_ROWS.ageDecrypt,
    [CLI_ROWS.dekPipeEncrypt]: CLI_ROWS.agePipeEncrypt,
    [CLI_ROWS.rawPipeEncrypt]: CLI_ROWS.agePipeEncrypt,
    [CLI_ROWS.dekPipeDecrypt]: CLI_ROWS.agePipeDecrypt,
    [CLI_ROWS.ageEncrypt]: CLI_ROWS.copy,
    [CLI_ROWS.ageDecrypt]: CLI_ROWS.copy,
  };
  const startupBase = result.startup.find((t) => t.name === STARTUP_ROWS.node)!;
  const extra = [
    `### Start-up: 1 KiB, whole processes (median of ${STARTUP_ROUNDS} interleaved runs)`,
    '',
    '| command | median | range | over `node -e 0` |',
    '|---|---:|---:|---:|',
    ...result.startup.map((t) => `| ${t.name} | ${ms(t.medianMs)} | ${ms(t.minMs)} to ${ms(t.maxMs)} | ${t === startupBase ? '' : `+${ms(t.medianMs - startupBase.medianMs)}`} |`),
  ];
  extra.push('', `### Peak memory: ${SIZE}, whole processes`, '');
  if (result.rss === undefined) {
    extra.push(`Not measured: GNU time (${GNU_TIME}) is not installed.`);
  } else {
    extra.push(
      `Peak RSS from GNU time (\`%M\`), against an idle Node process (\`node -e 0\`, median of 3): ${result.rss.idleMiB.toFixed(1)} MiB.${result.concurrencyOption ? '' : ' `dek encrypt` has no `--concurrency` option: its default only.'}`,
      '',
      '| command | concurrency | maxRSS | over idle Node |',
      '|---|---:|---:|---:|',
      ...result.rss.rows.map((r) => `| ${r.name} | ${r.concurrency ?? 'default'} | ${r.maxRssMiB.toFixed(1)} MiB | ${r.overIdleMiB.toFixed(1)} MiB |`),
    );
  }
  const profile = result.profile;
  extra.push(
    '',
    '### Where the time goes',
    '',
    `\`dek encrypt -o\` of the ${SIZE} file once under \`node --cpu-prof\` (1 ms sampling): ${ms(profile.totalMs)} sampled over ${profile.threads} thread${profile.threads === 1 ? '' : 's'}. Self time by category (native code counts for its nearest JavaScript caller; *idle* is a thread waiting):`,
    '',
    '| category | self time | share |',
    '|---|---:|---:|',
    ...profile.categories.map((c) => `| ${c.name} | ${ms(c.ms)} | ${pct(c.share)} |`),
    '',
    'Top 10 functions by self time:',
    '',
    '| function (script:line) | self time | share |',
    '|---|---:|---:|',
    ...profile.topFunctions.map((f) => `| ${f.name.replaceAll('|', '\\|')} | ${ms(f.ms)} | ${pct(f.share)} |`),
  );
  return {
    title: `dek command line against age: ${SIZE} file, whole processes`,
    note: [
      `One generated ${SIZE} file in os.tmpdir() (page cache), a temporary local keystore, and an X25519 identity for age${result.ageVersion === undefined ? '' : ` ${result.ageVersion}`} (\`age-keygen\`).`,
      `\`dek\` is \`node packages/cli/${result.entry.replace(/^\.\//, '')}\` (the package's \`bin\`). Each row is a whole process started from here, timed to its exit; median over ${rounds} round${rounds === 1 ? '' : 's'} after one warm-up round, the commands interleaved, every run writing a new output file, after a \`sync\` (not timed) so that no run waits on the write-back of the runs before it.`,
      'MB/s = plaintext bytes over wall time. `dek encrypt -o` / `dek decrypt -o` fsync their output before renaming it into place; age and cp do not.',
      'The pipe rows run `cat in | ... | cat > out`, so neither tool sees a file. The bare Node loop (bench/src/raw-pipe.ts: blocking reads, `createCipheriv` per 16 KiB chunk, one blocking `writev` per read, no header, no streams) is what any Node program that seals these chunks can do through the same pipes.',
      ...(result.ageVersion !== undefined ? [] : ['\n\n**`age` is not installed here (`apt-get install -y age`): its rows and targets were skipped.**']),
    ].join(' '),
    rows: result.rows,
    baselines,
    extra,
  };
}

/** The issue's targets for the command line, as this run met them. */
export function cliTargets(result: CliBench): TargetLine[] {
  const lines: TargetLine[] = [];
  const rate = (name: string): number | undefined => result.rows.find((r) => r.name === name)?.median;
  const versus = (target: string, dek: string, age: string, goal: number, against: string): void => {
    const a = rate(dek);
    const b = rate(age);
    const value = a !== undefined && b !== undefined ? a / b : undefined;
    lines.push({ target, measured: value === undefined ? (result.ageVersion === undefined ? 'age not installed' : 'not run') : `${value.toFixed(2)}x ${against}`, met: value === undefined ? undefined : value >= goal });
  };
  versus(`\`dek encrypt -o\` of ${SIZE} >= 1.0x \`age -r\` (moonshot 1.5x), dek's fsync included`, CLI_ROWS.dekEncrypt, CLI_ROWS.ageEncrypt, 1, '`age -r`');
  versus(`\`dek decrypt -o\` of ${SIZE} >= 1.0x \`age -d\` (moonshot 1.5x), dek's fsync included`, CLI_ROWS.dekDecrypt, CLI_ROWS.ageDecrypt, 1, '`age -d`');
  versus(`\`dek encrypt\` through pipes >= 0.8x \`age -r\` through pipes`, CLI_ROWS.dekPipeEncrypt, CLI_ROWS.agePipeEncrypt, 0.8, '`age -r`');
  const [dekPipe, rawPipe] = [rate(CLI_ROWS.dekPipeEncrypt), rate(CLI_ROWS.rawPipeEncrypt)];
  if (dekPipe !== undefined && rawPipe !== undefined) {
    lines.push({ target: '(context) `dek encrypt` through pipes against the bare Node loop through pipes', measured: `${(dekPipe / rawPipe).toFixed(2)}x the bare loop`, met: undefined });
  }
  if (result.rss !== undefined) {
    const dekRows = result.rss.rows.filter((r) => r.name.startsWith('`dek'));
    const worst = dekRows.reduce((a, b) => (b.overIdleMiB > a.overIdleMiB ? b : a));
    lines.push({
      target: `peak RSS of \`dek encrypt\` / \`dek decrypt\` of ${SIZE} <= idle Node + 64 MiB, at every concurrency`,
      measured: `worst ${worst.overIdleMiB.toFixed(1)} MiB over idle (${worst.name}, concurrency ${worst.concurrency ?? 'default'})`,
      met: worst.overIdleMiB <= 64,
    });
  }
  const base = result.startup.find((t) => t.name === STARTUP_ROWS.node)!;
  const encrypt = result.startup.find((t) => t.name === STARTUP_ROWS.encrypt)!;
  const over = encrypt.medianMs - base.medianMs;
  lines.push({
    target: '`dek encrypt` of 1 KiB <= `node -e 0` + 50 ms',
    measured: `+${ms(over)} (${ms(encrypt.medianMs)} against ${ms(base.medianMs)})`,
    met: over <= 50,
  });
  return lines;
}
