/**
 * Temporary files that must not survive a failure: registered while written, removed on any
 * error, on SIGINT / SIGTERM, and at process exit if still present. On a signal, each open output
 * says what it leaves behind (nothing, an unchanged file, or bytes already on stdout).
 *
 * @module
 */
import { unlinkSync } from 'node:fs';
import { EXIT } from '../errors.js';
import { escapeTerminal } from '../terminal-escape.js';

const pending = new Set<string>();
const onSignal = new Set<() => void>();
const outputStates = new Set<() => string>();
let installed = false;

/** Removes every registered temporary file now (synchronously; errors ignored). */
export function removeAllTemporaryFiles(): void {
  for (const path of pending) {
    try {
      unlinkSync(path);
    } catch {
      // already gone
    }
  }
  pending.clear();
}

function handle(signal: 'SIGINT' | 'SIGTERM'): void {
  for (const callback of onSignal) {
    try {
      callback();
    } catch {
      // best effort: the exit below matters more
    }
  }
  removeAllTemporaryFiles();
  const left = [...outputStates].map((state) => state()).join('; ') || 'no output was written';
  process.stderr.write(`dek: interrupted (${signal}); ${escapeTerminal(left)}\n`);
  process.exit(signal === 'SIGINT' ? EXIT.INTERRUPTED : EXIT.TERMINATED);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('SIGINT', () => handle('SIGINT'));
  process.on('SIGTERM', () => handle('SIGTERM'));
  process.on('exit', removeAllTemporaryFiles);
}

/** Registers a temporary file to remove on failure, signal or exit. */
export function trackTemporaryFile(path: string): void {
  install();
  pending.add(path);
}

/** Forgets a temporary file (it was renamed into place or already removed). */
export function untrackTemporaryFile(path: string): void {
  pending.delete(path);
}

/** Runs `callback` before exiting on a signal (e.g. to stop a progress bar); returns an unsubscribe function. */
export function onInterrupt(callback: () => void): () => void {
  install();
  onSignal.add(callback);
  return () => onSignal.delete(callback);
}

/**
 * Registers an open output: `state` says, at the moment of a signal (after temporary files are
 * removed), what it leaves behind, e.g. `the 4096 bytes written to stdout (a pipe) are incomplete`.
 */
export function trackOutputState(state: () => string): void {
  install();
  outputStates.add(state);
}
