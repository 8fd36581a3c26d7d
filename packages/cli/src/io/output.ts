/**
 * Writing the output of a command safely. A file output goes to a temporary file in the
 * destination's directory (so the rename stays on one file system), is fsynced, then moved into
 * place; on any failure or signal the temporary file is removed, so a failed decrypt never leaves
 * partial plaintext behind. An existing output is never replaced without `force`, and even then
 * a race with another writer is caught (link(2) refuses to replace a file that appeared meanwhile).
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { chmod, link, lstat, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { CliError, EXIT } from '../errors.js';
import { isStdio, STREAM_BUFFER_SIZE } from './input.js';
import { ioError } from './io-error.js';
import { trackTemporaryFile, untrackTemporaryFile } from './cleanup.js';

/** Permission bits of decrypted files: readable and writable by the owner only. */
export const PLAINTEXT_MODE = 0o600;

/** An output being written. Call exactly one of `commit` (after the pipeline succeeded) or `abort`. */
export interface Output {
  /** Where to write. */
  readonly stream: Writable;
  /** The destination path, or undefined for stdout. */
  readonly path: string | undefined;
  /** Whether this is stdout. */
  readonly isStdout: boolean;
  /** The temporary file under `stream`, for writers by position (the file engine); `stream` still closes it. */
  readonly handle?: FileHandle;
  /** Moves the finished (fsynced and closed) output into place; call after the pipeline resolved. */
  commit(): Promise<void>;
  /** Discards everything written (removes the temporary file). Never throws. */
  abort(): Promise<void>;
}

/** How to open an output. */
export interface OutputOptions {
  /** Replace an existing file. */
  readonly force: boolean;
  /** Exact permission bits of the new file (e.g. 0o600 for plaintext); default: 0o666 less the umask. */
  readonly mode?: number;
  /** What is written, for the terminal refusal message (e.g. `ciphertext`). */
  readonly what: string;
  /** Refuse a terminal as stdout at once (known-binary data). */
  readonly refuseTerminal: boolean;
  /** Allow replacing `path` because the command rewrites it in place (rewrap without -o). */
  readonly inPlace?: boolean;
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return false;
    throw ioError(error, `cannot check '${path}'`);
  }
}

function existsError(path: string): CliError {
  return new CliError('DEK_EXISTS', `output '${path}' already exists; it was left untouched`, {
    exitCode: EXIT.USAGE,
    hint: 'pass --force to replace it, or choose another -o',
  });
}

/** Refuses a terminal as stdout for binary data. */
export function refuseTerminalStdout(what: string): void {
  if (process.stdout.isTTY) {
    throw new CliError('DEK_TERMINAL', `refusing to write ${what} to a terminal`, {
      exitCode: EXIT.USAGE,
      hint: "write to a file with -o FILE, or redirect: 'dek ... > file'",
    });
  }
}

/**
 * Checks up front that `path` may be written (before any KMS call or read): fails with
 * `DEK_EXISTS` if it exists and `force` is false.
 */
export async function checkOutput(path: string | undefined, options: Pick<OutputOptions, 'force' | 'inPlace'>): Promise<void> {
  if (isStdio(path) || options.force || options.inPlace) return;
  if (await exists(path as string)) throw existsError(path as string);
}

/** Opens stdout (`-` or undefined) or a temporary file beside `path`. */
export async function openOutput(path: string | undefined, options: OutputOptions): Promise<Output> {
  if (isStdio(path)) {
    if (options.refuseTerminal) refuseTerminalStdout(options.what);
    return { stream: process.stdout, path: undefined, isStdout: true, commit: async () => undefined, abort: async () => undefined };
  }
  const target = resolve(path as string);
  await checkOutput(target, options);
  const temporary = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.dek-tmp`);
  let handle: FileHandle;
  try {
    handle = await open(temporary, 'wx', options.mode ?? 0o666);
  } catch (error) {
    throw ioError(error, `cannot create a file in '${dirname(target)}'`);
  }
  trackTemporaryFile(temporary);
  let done = false;
  // flush: fsync before the stream closes its file handle; pipeline() resolves after that close.
  const stream = handle.createWriteStream({ highWaterMark: STREAM_BUFFER_SIZE, flush: true });

  const abort = async (): Promise<void> => {
    if (done) return;
    done = true;
    if (!stream.closed) {
      await new Promise<void>((resolveClose) => {
        stream.once('close', () => resolveClose());
        stream.destroy();
      });
    }
    await unlink(temporary).catch(() => undefined);
    untrackTemporaryFile(temporary);
  };

  const commit = async (): Promise<void> => {
    if (done) throw new Error('output already finished');
    try {
      if (!stream.closed || stream.errored) throw new Error('output stream not finished');
      if (options.mode !== undefined) await chmod(temporary, options.mode);
      await moveIntoPlace(temporary, target, options.force || options.inPlace === true);
      done = true;
      untrackTemporaryFile(temporary);
    } catch (error) {
      await abort();
      throw error;
    }
    await syncDirectory(dirname(target));
  };

  return { stream, path: target, isStdout: false, handle, commit, abort };
}

/** rename(2) when replacing is allowed; otherwise link(2), which fails if the target appeared meanwhile. */
async function moveIntoPlace(temporary: string, target: string, replace: boolean): Promise<void> {
  if (replace) {
    await rename(temporary, target);
    return;
  }
  try {
    await link(temporary, target);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'EEXIST') throw existsError(target);
    // File systems without hard links: check, then rename (a tiny race remains there).
    if (await exists(target)) throw existsError(target);
    await rename(temporary, target);
    return;
  }
  await unlink(temporary);
}

/** fsync of the directory so the rename itself survives a crash (best effort: not every platform allows it). */
async function syncDirectory(directory: string): Promise<void> {
  try {
    const handle = await open(directory, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Not supported here (e.g. Windows): the data itself is already synced.
  }
}
