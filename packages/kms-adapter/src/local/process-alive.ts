/**
 * Whether a process on this host still exists (signal 0 probes without signalling), and, where
 * the system tells (Linux `/proc`), when it started: a pid with another start time is another
 * process that reused the number.
 *
 * @module
 */
import { readFileSync } from 'node:fs';

/**
 * The start time of process `pid` as the system records it (Linux: clock ticks since boot, field
 * 22 of `/proc/<pid>/stat`), or undefined where it cannot be read (no `/proc`, no such process).
 */
export function processStartTime(pid: number): string | undefined {
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so count after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const start = fields[19];
  return start !== undefined && /^\d+$/.test(start) ? start : undefined;
}

/**
 * True while `pid` names a live process (or one we may not signal); false once it is gone. With
 * `startTime` (from {@link processStartTime} when the pid was recorded), also false when the pid
 * now belongs to a process that started at another time.
 */
export function isProcessAlive(pid: number, startTime?: string): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (startTime === undefined) return true;
  const now = processStartTime(pid);
  return now === undefined || now === startTime;
}
