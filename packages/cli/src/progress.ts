/**
 * Progress bar on stderr for long work: bytes done, rate, and percentage + ETA when the size is
 * known. Shown only when stderr is a terminal, not under `--quiet`, and only once the work has
 * run for half a second (short commands print nothing).
 *
 * @module
 */
import { createRequire } from 'node:module';
import { Transform, type TransformCallback } from 'node:stream';
import type cliProgress from 'cli-progress';
import { onInterrupt } from './io/cleanup.js';

/** Wait before showing a bar, in milliseconds. */
const SHOW_AFTER_MS = 500;

// cli-progress is loaded when a bar is first shown: most runs never show one.
const requireLazily = createRequire(import.meta.url);

/** A byte counter to put in a pipeline, and its bar. */
export interface Progress {
  /** Pass-through that counts the bytes flowing through it. */
  readonly meter: Transform;
  /** Counts `count` bytes done outside the meter (the file engine). */
  advance(count: number): void;
  /** Removes the bar (always call it, success or failure). */
  stop(): void;
}

/** Formats a byte count with binary units (e.g. `12.3 MiB`). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** Whether a bar may be shown at all. */
export function progressEnabled(quiet: boolean): boolean {
  return !quiet && process.stderr.isTTY === true && process.env['CI'] === undefined;
}

/** Creates a meter; `total` is the byte count when known (a file's size). */
export function createProgress(options: { label: string; total: number | undefined; quiet: boolean }): Progress {
  let onBytes: ((count: number) => void) | undefined;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      onBytes?.(chunk.length);
      callback(null, chunk);
    },
  });
  const advance = (count: number): void => onBytes?.(count);
  if (!progressEnabled(options.quiet)) return { meter, advance, stop: () => undefined };

  const known = options.total !== undefined && options.total > 0;
  const started = Date.now();
  let bar: cliProgress.SingleBar | undefined;
  let done = 0;
  const payload = () => {
    const seconds = Math.max((Date.now() - started) / 1000, 0.001);
    return { label: options.label, done: formatBytes(done), size: known ? formatBytes(options.total as number) : '', rate: `${formatBytes(done / seconds)}/s` };
  };
  const format = known
    ? '{label} [{bar}] {percentage}% | {done} / {size} | {rate} | ETA {eta_formatted}'
    : '{label} {done} | {rate}';

  const stop = (): void => {
    if (bar) {
      bar.stop();
      bar = undefined;
    }
  };
  const unsubscribe = onInterrupt(stop);

  onBytes = (count) => {
    done += count;
    if (!bar && Date.now() - started >= SHOW_AFTER_MS) {
      bar = new (requireLazily('cli-progress') as typeof cliProgress).SingleBar({ format, stream: process.stderr, hideCursor: true, clearOnComplete: true, fps: 8, etaBuffer: 64, barsize: 30 });
      bar.start(known ? (options.total as number) : 0, done, payload());
    } else if (bar) {
      bar.update(done, payload());
    }
  };

  return {
    meter,
    advance,
    stop: () => {
      unsubscribe();
      stop();
    },
  };
}
