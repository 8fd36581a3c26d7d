/**
 * Crash-safe file replacement: write a temp file in the same directory, fsync it, rename it over
 * the target, fsync the directory. A reader or a crash sees the old file or the new one, whole.
 *
 * Temp files are named `<target>.<pid>.<random>.tmp` (lock files use the same scheme), so ones
 * left by a crashed process can be told apart and removed.
 *
 * @module
 */
import { open, readdir, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ioFault } from './faults.js';
import { randomAlphanumerics } from './ids.js';
import { isProcessAlive } from './process-alive.js';

/** Options of {@link writeFileAtomic}. */
export interface AtomicWriteOptions {
  /** File mode of the new file (default 0600). */
  readonly mode?: number;
  /** Runs after the temp file is durable and before the rename; throwing aborts the write. */
  readonly beforeCommit?: (tempPath: string) => void | Promise<void>;
}

/** fsyncs a directory so a rename in it is durable (a no-op where directories cannot be opened). */
export async function fsyncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r').catch((error: unknown) => {
    throw ioFault('open directory', dir, error);
  });
  try {
    await handle.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'ENOTSUP') throw ioFault('fsync directory', dir, error);
  } finally {
    await handle.close();
  }
}

/** Replaces `path` with `data` atomically and durably. */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const temp = `${path}.${process.pid}.${randomAlphanumerics(8)}.tmp`;
  let renamed = false;
  try {
    const handle = await open(temp, 'wx', options.mode ?? 0o600).catch((error: unknown) => {
      throw ioFault('create temp file', temp, error);
    });
    try {
      await handle.writeFile(data);
      await handle.sync();
    } catch (error) {
      throw ioFault('write temp file', temp, error);
    } finally {
      await handle.close();
    }
    await options.beforeCommit?.(temp);
    await rename(temp, path).catch((error: unknown) => {
      throw ioFault('rename temp file over', path, error);
    });
    renamed = true;
    await fsyncDirectory(dirname(path));
  } finally {
    if (!renamed) await unlink(temp).catch(() => undefined);
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Removes temp files next to `path` (its own, and those of its lock files) whose writer process is gone. */
export async function removeOrphanTempFiles(path: string): Promise<void> {
  const dir = dirname(path);
  const pattern = new RegExp(`^${escapeRegExp(basename(path))}(?:\\.lock|\\.lock\\.break)?\\.([0-9]+)\\.[0-9a-z]+\\.tmp$`);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = pattern.exec(name)?.[1];
    if (pid !== undefined && !isProcessAlive(Number(pid))) await unlink(join(dir, name)).catch(() => undefined);
  }
}
