/**
 * Opening the output of a command (see destination.ts for what a path may name):
 *
 * - a regular file is written to a temporary file in its directory (temp-file.ts), fsynced, then
 *   moved into place, so a failed decrypt never leaves partial plaintext behind; an existing file
 *   is replaced only with `force` (link(2) catches a file that appeared meanwhile);
 * - stdout, a character device (`/dev/null`), a FIFO or a socket is written to directly: it
 *   cannot be atomic, so a failure says how many bytes already went out.
 *
 * @module
 */
import { constants, fstatSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { CliError, EXIT } from '../errors.js';
import { trackOutputState } from './cleanup.js';
import { resolveDestination, type DestinationOptions, type StreamKind } from './destination.js';
import { STREAM_BUFFER_SIZE } from './input.js';
import { errorCode, ioError, systemReason } from './io-error.js';
import { describeDescriptor, stdoutWriter } from './stdout.js';
import { createTemporaryFile } from './temp-file.js';
import { isTerminal as isTerminalFd } from './terminal.js';

/** Permission bits of decrypted files: readable and writable by the owner only. */
export const PLAINTEXT_MODE = 0o600;

/** An output being written. Call exactly one of `commit` (after the pipeline succeeded) or `abort`. */
export interface Output {
  /** Where to write. */
  readonly stream: Writable;
  /** The destination path (symbolic links resolved for files), or undefined for stdout. */
  readonly path: string | undefined;
  /** Whether this is stdout. */
  readonly isStdout: boolean;
  /** Whether the output is a terminal (stdout or a device such as /dev/tty). */
  readonly isTerminal: boolean;
  /** The temporary file under `stream`, for writers by position (the file engine); `stream` still closes it. */
  readonly handle?: FileHandle;
  /** Moves the finished (fsynced and closed) output into place; call after the pipeline resolved. */
  commit(): Promise<void>;
  /** Discards everything written that can be discarded (removes the temporary file). Never throws. */
  abort(): Promise<void>;
  /** The error to report for `error` after `abort`: a failed write, in words that say what was left behind. */
  explain(error: unknown): unknown;
}

/** How to open an output. */
export interface OutputOptions extends DestinationOptions {
  /** Exact permission bits of the new file (e.g. 0o600 for plaintext); default: 0o666 less the umask. */
  readonly mode?: number;
  /** What is written, for the terminal refusal message (e.g. `ciphertext`). */
  readonly what: string;
  /** Refuse a terminal at once (known-binary data). */
  readonly refuseTerminal: boolean;
}

/** System calls whose failure is a failure to write the output. */
const WRITE_CALLS: ReadonlySet<string> = new Set(['write', 'writev', 'fsync', 'fdatasync', 'close', 'ftruncate']);

function terminalError(what: string): CliError {
  return new CliError('DEK_TERMINAL', `refusing to write ${what} to a terminal`, {
    exitCode: EXIT.USAGE,
    hint: "write to a file with -o FILE, or redirect: 'dek ... > file'",
  });
}

/** Refuses a terminal as stdout for binary data. */
export function refuseTerminalStdout(what: string): void {
  if (process.stdout.isTTY) throw terminalError(what);
}

/**
 * Checks up front that `path` may be written (before any KMS call or read): a usage error (exit
 * 2) for a directory, a missing directory, a dangling link, or an existing file without `force`.
 */
export async function checkOutput(path: string | undefined, options: DestinationOptions): Promise<void> {
  await resolveDestination(path, options);
}

/** What a direct (not atomic) output leaves behind after `written` bytes. */
function directState(where: string, written: number): string {
  return written === 0 ? `nothing was written to ${where}` : `the ${written} bytes written to ${where} are incomplete`;
}

/** An {@link Output}'s `explain`: write failures become `DEK_IO` (exit 1) saying what was left. */
function explainer(state: () => string): (error: unknown) => unknown {
  return (error) => {
    const syscall = typeof error === 'object' && error !== null ? (error as { syscall?: unknown }).syscall : undefined;
    if (errorCode(error) === 'EPIPE' || typeof syscall !== 'string' || !WRITE_CALLS.has(syscall)) return error;
    return new CliError('DEK_IO', `cannot write the output: ${systemReason(error)}; ${state()}`, { exitCode: EXIT.FAILURE, cause: error });
  };
}

/** Opens stdout, a device/FIFO/socket, or a temporary file beside the file `path`. */
export async function openOutput(path: string | undefined, options: OutputOptions): Promise<Output> {
  const destination = await resolveDestination(path, options);
  if (destination.kind === 'stdout') {
    const isTerminal = isTerminalFd(1);
    if (options.refuseTerminal && isTerminal) throw terminalError(options.what);
    const where = `stdout (${describeDescriptor(1)})`;
    const writer = stdoutWriter();
    const state = (): string => directState(where, writer.written());
    trackOutputState(state);
    return { stream: writer.stream, path: undefined, isStdout: true, isTerminal, commit: async () => undefined, abort: async () => undefined, explain: explainer(state) };
  }
  if (destination.kind === 'stream') return openDirect(destination.path, destination.type, options);

  const target = destination.path;
  const temporary = await createTemporaryFile(target, { replace: options.force || options.inPlace === true, ...(options.mode !== undefined ? { mode: options.mode } : {}) });
  // flush: fsync before the stream closes its file handle; pipeline() resolves after that close.
  const stream = temporary.handle.createWriteStream({ highWaterMark: STREAM_BUFFER_SIZE, flush: true });
  let committed = false;
  const state = (): string => (committed ? `'${target}' is complete` : destination.exists ? `'${target}' was left unchanged` : 'no output file was left behind');
  trackOutputState(state);
  const abort = async (): Promise<void> => {
    if (!stream.closed) {
      const closed = once(stream, 'close').catch(() => undefined);
      stream.destroy();
      await closed;
    }
    await temporary.abort();
  };
  const commit = async (): Promise<void> => {
    if (!stream.closed || stream.errored) {
      await abort();
      throw new Error('output stream not finished');
    }
    await temporary.commit();
    committed = true;
  };
  return { stream, path: target, isStdout: false, isTerminal: false, handle: temporary.handle, commit, abort, explain: explainer(state) };
}

/** Opens a device, FIFO or socket for writing, as it is (no temporary file, no truncation). */
async function openDirect(path: string, type: StreamKind, options: OutputOptions): Promise<Output> {
  const where = `'${path}' (${type})`;
  let stream: Writable & { readonly bytesWritten: number };
  let isTerminal = false;
  if (type === 'a socket') {
    const { connect } = process.getBuiltinModule('node:net');
    const socket = connect({ path });
    try {
      await once(socket, 'connect');
    } catch (error) {
      throw ioError(error, `cannot connect to the output ${where}`);
    }
    stream = socket;
  } else {
    // No O_CREAT / O_TRUNC: if the path became a regular file meanwhile, it is refused below, untouched.
    const handle = await open(path, constants.O_WRONLY | constants.O_NOCTTY).catch((error: unknown) => {
      throw ioError(error, `cannot open the output ${where}`);
    });
    if (fstatSync(handle.fd).isFile()) {
      await handle.close();
      throw new CliError('DEK_IO', `the output '${path}' changed into a regular file while dek was starting`, { exitCode: EXIT.USAGE, hint: 'run the command again' });
    }
    isTerminal = isTerminalFd(handle.fd);
    if (options.refuseTerminal && isTerminal) {
      await handle.close();
      throw terminalError(options.what);
    }
    stream = handle.createWriteStream({ highWaterMark: STREAM_BUFFER_SIZE });
  }
  const state = (): string => directState(where, stream.bytesWritten);
  trackOutputState(state);
  const abort = async (): Promise<void> => {
    stream.destroy();
  };
  return { stream, path, isStdout: false, isTerminal, commit: async () => undefined, abort, explain: explainer(state) };
}
