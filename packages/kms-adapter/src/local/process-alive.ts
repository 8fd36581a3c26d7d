/**
 * Whether a process on this host still exists (signal 0 probes without signalling).
 *
 * @module
 */

/** True while `pid` names a live process (or one we may not signal); false once it is gone. */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
