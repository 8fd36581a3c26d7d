/**
 * The long fuzz run: `pnpm fuzz [-- options]`. Replays each harness's corpus, then runs it under
 * fast-check for a time budget, saving every new failing input (shrunk) under
 * `fuzz/corpus/<harness>/`. Exits 1 when anything failed.
 *
 * ```
 * --harness <a,b>   harnesses to run (default: all; --list shows them)
 * --seconds <n>     time budget per harness (default 30)
 * --runs <n>        stop a harness after n generated inputs (default: only the time budget)
 * --seed <n>        fast-check seed (default: random, printed so a run can be repeated)
 * --no-save         do not write failing inputs to the corpus
 * --stats           print how often each decoder outcome (ok, error code and field) occurred
 * --list            list the harnesses and exit
 * ```
 *
 * @module
 */
import { parseArgs } from 'node:util';
import { HARNESSES, fuzz, harnessNamed, outcomeTally, readCorpus, replay, saveEntry, type AnyHarness, type Finding } from './index.js';

const USAGE = 'usage: pnpm fuzz [-- --harness a,b] [--seconds n] [--runs n] [--seed n] [--no-save] [--stats] [--list]';

interface Options {
  readonly harnesses: readonly AnyHarness[];
  readonly seconds: number;
  readonly runs: number;
  readonly seed: number;
  readonly save: boolean;
  readonly stats: boolean;
}

function positiveInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer`);
  return n;
}

function parse(argv: readonly string[]): Options | undefined {
  const { values } = parseArgs({
    args: argv.filter((a) => a !== '--'),
    options: {
      harness: { type: 'string' },
      seconds: { type: 'string' },
      runs: { type: 'string' },
      seed: { type: 'string' },
      'no-save': { type: 'boolean' },
      stats: { type: 'boolean' },
      list: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) {
    console.log(USAGE);
    return undefined;
  }
  if (values.list === true) {
    for (const h of HARNESSES) console.log(`${h.name.padEnd(16)} ${h.summary}`);
    return undefined;
  }
  const names = values.harness === undefined ? HARNESSES.map((h) => h.name) : values.harness.split(',').map((s) => s.trim()).filter(Boolean);
  const harnesses = names.map((name) => {
    const h = harnessNamed(name);
    if (h === undefined) throw new Error(`unknown harness ${name} (--list shows them)`);
    return h;
  });
  return {
    harnesses,
    seconds: positiveInt(values.seconds, 'seconds', 30),
    runs: positiveInt(values.runs, 'runs', 0),
    seed: positiveInt(values.seed, 'seed', Math.floor(Math.random() * 2 ** 31)),
    save: values['no-save'] !== true,
    stats: values.stats === true,
  };
}

/** A finding's signature: kind and message with the numbers taken out (one save per bug). */
function signature(f: Finding): string {
  return `${f.kind}:${f.message.replace(/[0-9A-Fa-f-]{8,}/g, 'X').replace(/\d+/g, 'N').slice(0, 160)}`;
}

interface Summary {
  readonly name: string;
  runs: number;
  executions: number;
  seconds: number;
  failures: number;
  replayed: number;
  replayFailures: number;
}

async function runOne(h: AnyHarness, o: Options): Promise<Summary> {
  const summary: Summary = { name: h.name, runs: 0, executions: 0, seconds: 0, failures: 0, replayed: 0, replayFailures: 0 };
  const start = performance.now();
  outcomeTally.clear();
  await h.prepare?.();
  for (const file of readCorpus(h.name)) {
    const r = await replay(h, file.entry);
    summary.replayed++;
    const known = r.status?.startsWith('known-bug ') === true;
    if (r.finding !== undefined && known) {
      console.log(`  corpus ${file.name}: open bug, still fails as expected (${r.status!.split(':')[0]})`);
    } else if (r.finding !== undefined) {
      summary.replayFailures++;
      console.log(`  corpus ${file.name}: REGRESSION: ${r.finding.kind}: ${r.finding.message}`);
    } else if (known) {
      console.log(`  corpus ${file.name}: passes now: remove its status line and the harness's knownBugs entry`);
    }
  }
  const deadline = start + o.seconds * 1000;
  const seen = new Map<string, number>();
  let seed = o.seed;
  while (performance.now() < deadline && (o.runs === 0 || summary.runs < o.runs)) {
    const result = await fuzz(h, {
      seed,
      timeLimitMs: Math.max(1, deadline - performance.now()),
      numRuns: o.runs === 0 ? Number.MAX_SAFE_INTEGER : o.runs - summary.runs,
    });
    summary.runs += result.runs;
    summary.executions += result.executions;
    seed = (seed + 1) % 2 ** 31;
    if (result.failure === undefined) break;
    summary.failures++;
    const { finding } = result.failure;
    const sig = signature(finding);
    const count = (seen.get(sig) ?? 0) + 1;
    seen.set(sig, count);
    let where = '';
    if (count === 1 && o.save) where = ` -> ${saveEntry(h.name, finding.kind, h.toCorpus(result.failure.case, finding))}`;
    console.log(`  FAILURE (seed ${result.seed}) ${finding.kind}: ${finding.message}${where}`);
    if (count >= 3) {
      console.log('  the same failure keeps coming back; moving on');
      break;
    }
  }
  await h.close?.();
  if (o.stats) {
    const total = [...outcomeTally.values()].reduce((a, b) => a + b, 0);
    for (const [label, n] of [...outcomeTally].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
      console.log(`    ${((100 * n) / total).toFixed(1).padStart(5)}%  ${label}`);
    }
  }
  summary.seconds = (performance.now() - start) / 1000;
  return summary;
}

async function main(): Promise<number> {
  let options: Options | undefined;
  try {
    options = parse(process.argv.slice(2));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (options === undefined) return 0;
  let crashed = 0;
  process.on('unhandledRejection', (reason) => {
    crashed++;
    console.log(`  UNHANDLED REJECTION: ${String(reason)}`);
  });
  console.log(`dek fuzz: seed ${options.seed}, ${options.seconds} s per harness${options.runs > 0 ? `, at most ${options.runs} runs` : ''}`);
  const summaries: Summary[] = [];
  for (const h of options.harnesses) {
    console.log(`${h.name}: ${h.summary}`);
    const s = await runOne(h, options);
    summaries.push(s);
    console.log(`  ${s.runs} runs (${s.executions} executions) in ${s.seconds.toFixed(1)} s, ${(s.runs / s.seconds).toFixed(0)}/s; ${s.failures} failures; corpus ${s.replayed} replayed, ${s.replayFailures} failing`);
  }
  console.log('\nharness           runs     runs/s  failures  corpus(failing)');
  for (const s of summaries) {
    console.log(`${s.name.padEnd(16)} ${String(s.runs).padStart(7)} ${(s.runs / s.seconds).toFixed(0).padStart(9)} ${String(s.failures).padStart(9)}  ${s.replayed}(${s.replayFailures})`);
  }
  const failed = crashed > 0 || summaries.some((s) => s.failures > 0 || s.replayFailures > 0);
  return failed ? 1 : 0;
}

process.exitCode = await main();
