/**
 * What stdout is connected to (so messages can say what happened to it), and a writer into it
 * that counts the bytes it delivered: after a failure or Ctrl-C, dek says how much reached stdout
 * instead of pretending nothing did.
 *
 * @module
 */
import { fstatSync } from 'node:fs';
import { isatty } from 'node:tty';
import { Writable } from 'node:stream';
import { STREAM_BUFFER_SIZE } from './input.js';

/** How a file descriptor is connected, in words for messages: `a pipe`, `a file`, `a terminal`, ... */
export function describeDescriptor(fd: number): string {
  try {
    const stats = fstatSync(fd);
    if (stats.isFIFO()) return 'a pipe';
    if (stats.isFile()) return 'a file';
    if (stats.isSocket()) return 'a socket';
    if (stats.isCharacterDevice()) return isatty(fd) ? 'a terminal' : 'a device';
  } catch {
    // closed: say nothing more
  }
  return 'closed';
}

let used = false;

/** Whether a {@link stdoutWriter} was made: its pipeline reports stdout's errors (and nothing else writes stdout after it). */
export function stdoutWriterUsed(): boolean {
  return used;
}

/** A writable into stdout that counts the bytes stdout accepted. */
export interface CountingWriter {
  readonly stream: Writable;
  /** Bytes written so far. */
  written(): number;
}

/** Writes into process.stdout, one chunk at a time, counting what it accepted (stdout is never ended). */
export function stdoutWriter(): CountingWriter {
  let written = 0;
  used = true;
  const stream = new Writable({
    highWaterMark: STREAM_BUFFER_SIZE,
    write(chunk: Buffer, _encoding, callback) {
      process.stdout.write(chunk, (error) => {
        if (!error) written += chunk.length;
        callback(error);
      });
    },
  });
  return { stream, written: () => written };
}
