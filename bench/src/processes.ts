/**
 * Whole processes as benchmark tasks: run a command to completion and time it, or read its peak
 * RSS with GNU time; run a group of such tasks interleaved in rounds and keep every sample.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { median } from './measure.js';

/** A command: a program and its arguments, or a shell line (`sh -c`) when it needs pipes. */
export interface Command {
  readonly file: string;
  readonly args: readonly string[];
}

/** `sh -c line`. */
export function shell(line: string): Command {
  return { file: '/bin/sh', args: ['-c', line] };
}

/** Quotes `word` for `sh`. */
export function quote(word: string): string {
  return `'${word.replaceAll("'", "'\\''")}'`;
}

/** Runs `command` to completion; rejects with its stderr when it fails. Resolves to stdout. */
export function runProcess(command: Command, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command.file, command.args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else reject(new Error(`${[command.file, ...command.args].join(' ')} failed (${signal ?? `exit ${code}`}): ${Buffer.concat(err).toString('utf8').trim()}`));
    });
  });
}

/** Wall time of one run of `command`, in ms (process start to exit, as seen from here). */
export async function timeProcess(command: Command, env?: NodeJS.ProcessEnv): Promise<number> {
  const start = performance.now();
  await runProcess(command, env);
  return performance.now() - start;
}

/** Where GNU time lives; peak RSS is not measured without it. */
export const GNU_TIME = '/usr/bin/time';

/** Whether {@link peakRssKiB} can measure (GNU time is installed). */
export function canMeasureRss(): boolean {
  return existsSync(GNU_TIME);
}

/**
 * Peak RSS of one run of `command` in KiB: GNU time's `%M` (the child's `ru_maxrss`; time is a
 * small process, so the figure is the command's own, not inherited from this large one).
 */
export async function peakRssKiB(command: Command, scratch: string, env?: NodeJS.ProcessEnv): Promise<number> {
  await runProcess({ file: GNU_TIME, args: ['-f', '%M', '-o', scratch, command.file, ...command.args] }, env);
  const kib = Number((await readFile(scratch, 'utf8')).trim().split('\n').pop());
  await rm(scratch, { force: true });
  if (!Number.isFinite(kib) || kib <= 0) throw new Error(`GNU time gave no peak RSS for ${command.file}`);
  return kib;
}

/** A task of {@link interleave}: `prepare` (not timed) then one timed run. */
export interface ProcessTask {
  readonly name: string;
  readonly command: Command;
  /** Runs before each sample, untimed (e.g. removes the previous output). */
  readonly prepare?: () => Promise<void>;
}

/** The samples of one task, in ms. */
export interface ProcessTiming {
  readonly name: string;
  readonly samples: readonly number[];
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
}

/**
 * Runs every task once per round, `rounds` rounds after `warmup` untimed ones, each round starting
 * one task further, so that a burst of load from elsewhere hits all tasks alike.
 */
export async function interleave(tasks: readonly ProcessTask[], rounds: number, warmup: number, env?: NodeJS.ProcessEnv): Promise<ProcessTiming[]> {
  const samples = tasks.map((): number[] => []);
  for (let round = 0; round < warmup + rounds; round++) {
    for (let k = 0; k < tasks.length; k++) {
      const i = (k + round) % tasks.length;
      const task = tasks[i]!;
      await task.prepare?.();
      const ms = await timeProcess(task.command, env);
      if (round >= warmup) samples[i]!.push(ms);
    }
  }
  return tasks.map((task, i) => {
    const sorted = samples[i]!.sort((a, b) => a - b);
    return { name: task.name, samples: sorted, medianMs: median(sorted), minMs: sorted[0] ?? 0, maxMs: sorted[sorted.length - 1] ?? 0 };
  });
}
