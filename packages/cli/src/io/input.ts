/**
 * Opening the input of a command: a file (read with 1 MiB buffers) or stdin (`-` or nothing).
 *
 * @module
 */
import { createReadStream, fstatSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { CliError, EXIT } from '../errors.js';
import { ioError } from './io-error.js';

/** Read and write buffer size of file streams: 1 MiB (3-4x faster here than the 64 KiB default). */
export const STREAM_BUFFER_SIZE = 1 << 20;

/** An opened input. */
export interface Input {
  /** The bytes. */
  readonly stream: Readable;
  /** Size in bytes when known (regular files), for progress and ETA. */
  readonly size: number | undefined;
  /** The file path, or undefined for stdin. */
  readonly path: string | undefined;
  /** How to name it in messages: the path or `stdin`. */
  readonly label: string;
  /** The open file when it is a regular file (the file engine reads it by position). */
  readonly handle?: FileHandle;
}

/** Whether a path argument means stdin/stdout. */
export function isStdio(path: string | undefined): boolean {
  return path === undefined || path === '-';
}

/**
 * Opens `path` for reading (stdin for `-` or undefined). Refuses an interactive terminal as
 * stdin: the input must be a file or a pipe.
 */
export async function openInput(path: string | undefined, what: string): Promise<Input> {
  if (isStdio(path)) {
    if (process.stdin.isTTY) {
      throw new CliError('DEK_USAGE', `no ${what} given and stdin is a terminal`, {
        exitCode: EXIT.USAGE,
        hint: `give a file name, or pipe the ${what} in (e.g. '... | dek ...' or 'dek ... < file')`,
      });
    }
    return { stream: stdinStream(), size: undefined, path: undefined, label: 'stdin' };
  }
  const file = path as string;
  const handle = await openFile(file);
  try {
    const stats = await handle.stat();
    if (stats.isDirectory()) {
      throw new CliError('DEK_IO', `input '${file}' is a directory`, { exitCode: EXIT.USAGE, hint: 'to encrypt a directory: tar c dir | dek encrypt > dir.tar.dek' });
    }
    const size = stats.isFile() ? stats.size : undefined;
    const stream = handle.createReadStream({ highWaterMark: STREAM_BUFFER_SIZE });
    return { stream, size, path: file, label: file, ...(stats.isFile() ? { handle } : {}) };
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
}

/**
 * stdin as a stream. A regular file behind it (`dek ... < file`) is read in 1 MiB reads, as a
 * named input is: Node's own stdin stream reads 64 KiB at a time, each a round trip to libuv's pool.
 */
function stdinStream(): Readable {
  try {
    if (fstatSync(0).isFile()) return createReadStream('', { fd: 0, highWaterMark: STREAM_BUFFER_SIZE, autoClose: false });
  } catch {
    // no usable fd 0: Node's stream reports it
  }
  return process.stdin;
}

/** Opens a file read-only, turning ENOENT/EACCES/... into a usage error that names the file. */
export async function openFile(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'r');
  } catch (error) {
    throw ioError(error, `cannot read '${path}'`);
  }
}
