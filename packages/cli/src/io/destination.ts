/**
 * What an output path names, decided before any KMS call or read: stdout, a device, FIFO or
 * socket (written to directly: renaming a file over `/dev/null` would replace the device), a
 * regular file (written atomically through a temporary file), or something dek refuses (a
 * directory, a block device, a dangling symbolic link, a missing parent directory, an existing
 * file without `--force`). A symbolic link stands for the file it points to, as with `cp`: the
 * link itself is never replaced.
 *
 * @module
 */
import { fstatSync, type Stats } from 'node:fs';
import { lstat, realpath, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { CliError, EXIT } from '../errors.js';
import { isStdio } from './input.js';
import { ioError } from './io-error.js';

/** Outputs written to directly, in their own words. */
export type StreamKind = 'a character device' | 'a FIFO' | 'a socket';

/** Where an output goes. */
export type Destination =
  /** stdout: `-`, no `-o`, or a path that names the very file stdout is (`/dev/stdout`). */
  | { readonly kind: 'stdout' }
  /** A device, FIFO or socket, written to directly (not atomic, nothing to replace). */
  | { readonly kind: 'stream'; readonly path: string; readonly type: StreamKind }
  /** A regular file (symbolic links resolved): written to a temporary file, then renamed into place. */
  | { readonly kind: 'file'; readonly path: string; readonly exists: boolean };

/** How to judge an output path. */
export interface DestinationOptions {
  /** Replace an existing file (`--force`). */
  readonly force: boolean;
  /** The command rewrites this very file (rewrap without -o). */
  readonly inPlace?: boolean;
}

function refuse(message: string, hint: string): CliError {
  return new CliError('DEK_IO', message, { exitCode: EXIT.USAGE, hint });
}

/** `DEK_EXISTS`: the output exists and may not be replaced. */
export function existsError(path: string): CliError {
  return new CliError('DEK_EXISTS', `output '${path}' already exists; it was left untouched`, {
    exitCode: EXIT.USAGE,
    hint: 'pass --force to replace it (through a symbolic link, the file it points to), or choose another -o',
  });
}

async function statOrUndefined(path: string, follow: boolean): Promise<Stats | undefined> {
  try {
    return await (follow ? stat(path) : lstat(path));
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
    throw ioError(error, `cannot check the output '${path}'`);
  }
}

async function linkTarget(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch (error) {
    throw ioError(error, `cannot follow the output '${path}'`);
  }
}

/** Whether `stats` is the very file that fd 1 is open on. */
function isStdout(stats: Stats): boolean {
  try {
    const out = fstatSync(1);
    return out.dev === stats.dev && out.ino === stats.ino;
  } catch {
    return false;
  }
}

function streamKind(stats: Stats): StreamKind | undefined {
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isSocket()) return 'a socket';
  return undefined;
}

/** Classifies the output `path` (stdout for `-` or undefined); throws the usage error (exit 2) that refuses it. */
export async function resolveDestination(path: string | undefined, options: DestinationOptions): Promise<Destination> {
  if (isStdio(path)) return { kind: 'stdout' };
  const given = path as string;
  const link = await statOrUndefined(given, false);
  if (link === undefined) {
    const parent = await statOrUndefined(dirname(resolve(given)), true);
    if (parent === undefined || !parent.isDirectory()) {
      throw refuse(`the directory of the output '${given}' does not exist`, 'create the directory first, or choose another -o');
    }
    return { kind: 'file', path: resolve(given), exists: false };
  }
  // stat follows links, also /proc's magic ones (/dev/stdout -> /proc/self/fd/1 -> pipe:[...]).
  const stats = link.isSymbolicLink() ? await statOrUndefined(given, true) : link;
  if (stats === undefined) {
    throw refuse(`the output '${given}' is a symbolic link to a file that does not exist`, 'dek does not create files through dangling links; give the target path with -o');
  }
  if (isStdout(stats)) return { kind: 'stdout' };
  if (stats.isDirectory()) throw refuse(`the output '${given}' is a directory`, 'give a file name: -o dir/name');
  const kind = streamKind(stats);
  if (kind !== undefined) return { kind: 'stream', path: resolve(given), type: kind };
  if (!stats.isFile()) throw refuse(`the output '${given}' is a block device or another special file`, 'dek writes to files, character devices, FIFOs, sockets and stdout');
  if (!options.force && options.inPlace !== true) throw existsError(given);
  // Replace the file a link points to, never the link (as cp does).
  return { kind: 'file', path: link.isSymbolicLink() ? await linkTarget(given) : resolve(given), exists: true };
}
