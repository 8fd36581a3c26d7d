/**
 * The temporary file a file output is written to, beside its destination (so the final rename
 * stays on one file system), and the removal of those that dead runs left behind.
 *
 * A temporary file is named `.<name>.<host>.<pid>.<start>.<random>.dek-tmp`: the host (8 hex
 * digits of a hash of its name), the process id and the process start time (Linux: clock ticks
 * since boot from /proc; `0` where unknown) name the run that writes it. A run killed with
 * SIGKILL cannot remove its own file, which may hold authenticated plaintext; the next dek run
 * that creates an output in the same directory removes every file of exactly this pattern whose
 * run, on this host, is gone (or whose pid now belongs to a process started at another time).
 * It removes only regular files of the user running it and never follows symbolic links.
 *
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmod, link, lstat, open, readdir, rename, unlink, type FileHandle } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { isProcessAlive, processStartTime } from '@dek/kms-adapter';
import { EXIT } from '../errors.js';
import { existsError } from './destination.js';
import { ioError } from './io-error.js';
import { trackTemporaryFile, untrackTemporaryFile } from './cleanup.js';

const SUFFIX = '.dek-tmp';
const PATTERN = /^\..+\.([0-9a-f]{8})\.([1-9][0-9]*)\.([0-9]+)\.[0-9a-f]{12}\.dek-tmp$/;

let host: string | undefined;

/** 8 hex digits naming this host (a hash, so the name itself does not show). */
function hostTag(): string {
  host ??= createHash('sha256').update(hostname()).digest('hex').slice(0, 8);
  return host;
}

/** `<host>.<pid>.<start>` of this process. */
function ownerTag(): string {
  return `${hostTag()}.${process.pid}.${processStartTime(process.pid) ?? '0'}`;
}

/** A fresh temporary name beside `target`. */
function temporaryName(target: string): string {
  return join(dirname(target), `.${basename(target)}.${ownerTag()}.${randomBytes(6).toString('hex')}${SUFFIX}`);
}

/** Whether the dek temporary file `name` belongs to a run on this host that is gone. */
function isOrphan(name: string): boolean {
  const match = PATTERN.exec(name);
  if (match === null || match[1] !== hostTag()) return false;
  const pid = Number(match[2]);
  return !isProcessAlive(pid, match[3] === '0' ? undefined : match[3]);
}

/** Removes the temporary files of dead dek runs from `directory` (best effort, never throws). */
export async function sweepOrphanTemporaryFiles(directory: string): Promise<void> {
  let entries;
  try {
    entries = await readdir(directory, { withFileTypes: true });
  } catch {
    return;
  }
  const uid = process.getuid?.();
  for (const entry of entries) {
    // isFile() is the directory entry's own type: a symbolic link is not a file here.
    if (!entry.isFile() || !entry.name.endsWith(SUFFIX) || !isOrphan(entry.name)) continue;
    const path = join(directory, entry.name);
    try {
      const stats = await lstat(path);
      if (stats.isFile() && (uid === undefined || stats.uid === uid)) await unlink(path);
    } catch {
      // gone meanwhile, or not ours to remove
    }
  }
}

/** A temporary file being written. Call exactly one of `commit` or `abort`. */
export interface TemporaryFile {
  /** Its path. */
  readonly path: string;
  /** Open for writing; `commit` syncs and closes it unless the writer already closed it. */
  readonly handle: FileHandle;
  /** Makes the content durable and moves it to the target (refusing a target that appeared, unless replacing). */
  commit(): Promise<void>;
  /** Closes and removes the file. Never throws. */
  abort(): Promise<void>;
}

/** How to create a temporary file. */
export interface TemporaryFileOptions {
  /** Exact permission bits of the result; default: 0o666 less the umask. */
  readonly mode?: number;
  /** Replace an existing target (`--force`, or a rewrite in place). */
  readonly replace: boolean;
}

async function closeIfOpen(handle: FileHandle): Promise<void> {
  if (handle.fd !== -1) await handle.close();
}

/** Sweeps `target`'s directory (see the module doc), then creates a temporary file beside `target`. */
export async function createTemporaryFile(target: string, options: TemporaryFileOptions): Promise<TemporaryFile> {
  await sweepOrphanTemporaryFiles(dirname(target));
  const path = temporaryName(target);
  let handle: FileHandle;
  try {
    handle = await open(path, 'wx', options.mode ?? 0o666);
  } catch (error) {
    throw ioError(error, `cannot create a file in '${dirname(target)}'`);
  }
  trackTemporaryFile(path);
  let done = false;

  const abort = async (): Promise<void> => {
    if (done) return;
    done = true;
    await closeIfOpen(handle).catch(() => undefined);
    await unlink(path).catch(() => undefined);
    untrackTemporaryFile(path);
  };

  const commit = async (): Promise<void> => {
    if (done) throw new Error('temporary file already finished');
    try {
      if (handle.fd !== -1) {
        await handle.sync();
        await handle.close();
      }
      if (options.mode !== undefined) await chmod(path, options.mode);
      await moveIntoPlace(path, target, options.replace);
      done = true;
      untrackTemporaryFile(path);
    } catch (error) {
      await abort();
      throw error;
    }
    await syncDirectory(dirname(target));
  };

  return { path, handle, commit, abort };
}

/** rename(2) when replacing is allowed; otherwise link(2), which fails if the target appeared meanwhile. */
async function moveIntoPlace(temporary: string, target: string, replace: boolean): Promise<void> {
  if (!replace) {
    let linked = false;
    try {
      await link(temporary, target);
      linked = true;
    } catch (error) {
      if ((error as { code?: unknown }).code === 'EEXIST') throw existsError(target);
      // File systems without hard links: check, then rename (a tiny race remains there).
      if (await lstat(target).then(() => true, () => false)) throw existsError(target);
    }
    if (linked) {
      await unlink(temporary);
      return;
    }
  }
  try {
    await rename(temporary, target);
  } catch (error) {
    throw ioError(error, `cannot move the output into place at '${target}'`, EXIT.FAILURE);
  }
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
