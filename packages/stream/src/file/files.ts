/**
 * The two ends of a file job. A source is a path or an open `FileHandle`, read by position. A
 * target is a path (written to a temporary file beside it, then fsynced and renamed into place,
 * so that nothing half-written ever appears under the name) or a `FileHandle` the caller commits
 * itself (written from offset 0 and cut to length; emptied again on failure).
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ArgumentError } from '@dek/core';

/** A file to read: a path, or a handle open for reading (left open). */
export type FileSource = string | FileHandle;

/** A file to write: a path (replaced atomically), or a handle open for writing (left open). */
export type FileTarget = string | FileHandle;

/** An opened source. */
export interface OpenSource {
  readonly fd: number;
  /** Its size when opened. */
  readonly size: number;
  /** Closes it if it was opened here. */
  close(): Promise<void>;
}

/** An opened target. Call `commit` after a successful job, or `abort`. */
export interface OpenTarget {
  readonly fd: number;
  /** Makes the data durable and, for a path, renames it into place. */
  commit(): Promise<void>;
  /** Leaves nothing behind: removes the temporary file, or empties the caller's handle. Never throws. */
  abort(): Promise<void>;
}

function isHandle(value: unknown): value is FileHandle {
  return typeof value === 'object' && value !== null && typeof (value as FileHandle).fd === 'number' && typeof (value as FileHandle).stat === 'function';
}

/** Opens a source; ArgumentError `source` unless it is a regular file (a pipe has no positions). */
export async function openSource(source: FileSource): Promise<OpenSource> {
  if (typeof source !== 'string' && !isHandle(source)) throw new ArgumentError('source must be a path or a FileHandle', { field: 'source' });
  const handle = typeof source === 'string' ? await open(source, 'r') : source;
  const close = async (): Promise<void> => {
    if (handle !== source) await handle.close();
  };
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new ArgumentError('source must be a regular file; use the stream API for pipes', { field: 'source' });
    return { fd: handle.fd, size: stats.size, close };
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}

/** Options of {@link openTarget}. */
export interface TargetOptions {
  /** Permission bits of a new file (a path target); default 0o666 less the umask. */
  readonly mode?: number;
}

/** Opens a target; see the module comment. */
export async function openTarget(target: FileTarget, options: TargetOptions = {}): Promise<OpenTarget> {
  if (isHandle(target)) {
    return {
      fd: target.fd,
      commit: () => target.datasync(),
      abort: async () => {
        await target.truncate(0).catch(() => undefined);
      },
    };
  }
  if (typeof target !== 'string') throw new ArgumentError('target must be a path or a FileHandle', { field: 'target' });
  const path = resolve(target);
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.dek-tmp`);
  const handle = await open(temporary, 'wx', options.mode ?? 0o666);
  let isOpen = true;
  const close = async (): Promise<void> => {
    if (isOpen) {
      isOpen = false;
      await handle.close();
    }
  };
  return {
    fd: handle.fd,
    commit: async () => {
      await handle.sync();
      await close();
      await rename(temporary, path);
      await syncDirectory(dirname(path));
    },
    abort: async () => {
      await close().catch(() => undefined);
      await unlink(temporary).catch(() => undefined);
    },
  };
}

/** fsync of a directory so that a rename survives a crash (best effort: not every platform allows it). */
async function syncDirectory(directory: string): Promise<void> {
  try {
    const handle = await open(directory, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Not supported here (e.g. Windows): the data itself is synced.
  }
}
