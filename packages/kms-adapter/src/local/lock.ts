/**
 * An exclusive lock file beside the keystore, so that writers in several processes take turns.
 *
 * The lock file appears atomically with its content (written to a temp file, then `link`ed to
 * the lock path, which fails if the lock exists) and names its holder: `{pid, hostname, nonce}`.
 * A lock is stale when its holder was on this host and that process is gone (a crashed writer
 * is detected at once, with no waiting), or when it is older than `staleMs` (a holder on
 * another host, or a pid reused). Stale locks are broken under a second, short-lived
 * `.break` lock, re-checking that the lock file is still the very one judged stale, so two
 * breakers never remove a fresh lock. Before committing, a holder checks the lock is still its
 * own ({@link HeldLock.assertHeld}), so a lock broken for age never lets two writes race.
 *
 * Meant for local file systems (not NFS).
 *
 * @module
 */
import { link, open, readFile, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { ioFault, keystoreFault } from './faults.js';
import { randomAlphanumerics } from './ids.js';
import { isProcessAlive } from './process-alive.js';

/** Lock timing. */
export interface LockOptions {
  /** Give up after this long (default 10 s): `Keystore.LockTimeout`. */
  readonly timeoutMs?: number;
  /** A lock older than this is stale whoever holds it (default 30 s; writes take milliseconds). */
  readonly staleMs?: number;
}

/** A lock this process holds. */
export interface HeldLock {
  /** Throws `Keystore.LockLost` when the lock file is no longer this holder's. */
  assertHeld(): Promise<void>;
  /** Removes the lock file if it is still this holder's. */
  release(): Promise<void>;
}

const BREAK_STALE_MS = 5_000;

interface Observed {
  readonly text: string;
  readonly ino: number;
}

/** Creates `path` holding `text`, atomically; false when it already exists. */
async function createExclusive(path: string, text: string): Promise<boolean> {
  const temp = `${path}.${process.pid}.${randomAlphanumerics(8)}.tmp`;
  try {
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(text, 'utf8');
    } finally {
      await handle.close();
    }
    await link(temp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw ioFault('create lock file', path, error);
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

/** Content and inode of `path`, or undefined when it is gone. */
async function observe(path: string): Promise<(Observed & { mtimeMs: number }) | undefined> {
  try {
    const [info, text] = await Promise.all([stat(path), readFile(path, 'utf8')]);
    return { text, ino: info.ino, mtimeMs: info.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw ioFault('read lock file', path, error);
  }
}

function isStale(seen: { text: string; mtimeMs: number }, staleMs: number): boolean {
  if (Date.now() - seen.mtimeMs > staleMs) return true;
  try {
    const holder = JSON.parse(seen.text) as { pid?: unknown; hostname?: unknown };
    return holder.hostname === hostname() && typeof holder.pid === 'number' && !isProcessAlive(holder.pid);
  } catch {
    return false; // unreadable holder: only age can tell
  }
}

function holderText(): string {
  return JSON.stringify({ pid: process.pid, hostname: hostname(), nonce: randomAlphanumerics(16), created: new Date().toISOString() });
}

/** Removes `path` if it is still exactly `seen` (same inode, same content). Call only under the break lock. */
async function removeIfUnchanged(path: string, seen: Observed): Promise<void> {
  const now = await observe(path);
  if (now !== undefined && now.ino === seen.ino && now.text === seen.text) {
    await unlink(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw ioFault('remove stale lock file', path, error);
    });
  }
}

/** Breaks the stale lock `seen` at `path` under the `.break` lock; false when another breaker is at work. */
async function breakStale(path: string, seen: Observed): Promise<boolean> {
  const breakPath = `${path}.break`;
  if (!(await createExclusive(breakPath, holderText()))) {
    const breaker = await observe(breakPath);
    if (breaker !== undefined && isStale(breaker, BREAK_STALE_MS)) await removeIfUnchanged(breakPath, breaker);
    return false;
  }
  try {
    await removeIfUnchanged(path, seen);
    return true;
  } finally {
    await unlink(breakPath).catch(() => undefined);
  }
}

/** Takes the lock at `path`, waiting (with jittered backoff) while a live holder has it. */
export async function acquireLock(path: string, options: LockOptions = {}): Promise<HeldLock> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const staleMs = options.staleMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  const text = holderText();
  let delay = 2;
  for (;;) {
    if (await createExclusive(path, text)) break;
    const seen = await observe(path);
    if (seen === undefined) continue; // released meanwhile: try again at once
    if (isStale(seen, staleMs) && (await breakStale(path, seen))) continue;
    if (Date.now() >= deadline) {
      const holder = seen.text.trim() || 'an unknown process';
      throw keystoreFault('Keystore.LockTimeout', `Timed out after ${timeoutMs} ms waiting for the lock ${path} (held by ${holder}).`);
    }
    await sleep(delay + Math.random() * delay);
    delay = Math.min(delay * 2, 50);
  }
  const isMine = async (): Promise<boolean> => (await observe(path))?.text === text;
  return {
    async assertHeld() {
      if (!(await isMine())) throw keystoreFault('Keystore.LockLost', `The lock ${path} was taken over by another process; nothing was written.`);
    },
    async release() {
      if (await isMine()) await unlink(path).catch(() => undefined);
    },
  };
}
