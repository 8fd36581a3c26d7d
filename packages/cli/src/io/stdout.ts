/**
 * What stdout is connected to (so messages can say what happened to it), and a writer into it
 * that counts the bytes it delivered: after a failure or Ctrl-C, dek says how much reached stdout
 * instead of pretending nothing did.
 *
 * @module
 */
import { fstatSync } from 'node:fs';
import { Writable } from 'node:stream';
import { STREAM_BUFFER_SIZE } from './input.js';
import { isTerminal } from './terminal.js';

/** How a file descriptor is connected, in words for messages: `a pipe`, `a file`, `a terminal`, ... */
export function describeDescriptor(fd: number): string {
  try {
    const stats = fstatSync(fd);
    if (stats.isFIFO()) return 'a pipe';
    if (stats.isFile()) return 'a file';
    if (stats.isSocket()) return 'a socket';
    if (stats.isCharacterDevice()) return isTerminal(fd) ? 'a terminal' : 'a device';
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

/**
 * Writes into process.stdout, counting what it accepted (stdout is never ended). The pieces that
 * queue up while one write is under way go out corked, in one `writev` on a pipe.
 */
export function stdoutWriter(): CountingWriter {
  let written = 0;
  used = true;
  const deliver = (chunks: readonly Buffer[], callback: (error?: Error | null) => void): void => {
    const stdout = process.stdout;
    let bytes = 0;
    for (const chunk of chunks) bytes += chunk.length;
    stdout.cork();
    for (const chunk of chunks.slice(0, -1)) stdout.write(chunk);
    stdout.write(chunks[chunks.length - 1]!, (error) => {
      if (!error) written += bytes;
      callback(error);
    });
    stdout.uncork();
  };
  const stream = new Writable({
    highWaterMark: STREAM_BUFFER_SIZE,
    write(chunk: Buffer, _encoding, callback) {
      deliver([chunk], callback);
    },
    writev(chunks, callback) {
      deliver(chunks.map(({ chunk }) => chunk as Buffer), callback);
    },
  });
  return { stream, written: () => written };
}
