/**
 * Liveness of a recorded process: a live pid is alive, a dead one is not, and a pid whose start
 * time differs from the recorded one is another process (the number was reused).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isProcessAlive, processStartTime } from '../../src/local/process-alive.js';

describe('isProcessAlive', () => {
  it('this process is alive, with or without its start time', () => {
    expect(isProcessAlive(process.pid)).toBe(true);
    expect(isProcessAlive(process.pid, processStartTime(process.pid))).toBe(true);
  });

  it('a process that exited is not', async () => {
    const child = spawn(process.execPath, ['-e', '']);
    const pid = child.pid!;
    await once(child, 'close');
    expect(isProcessAlive(pid)).toBe(false);
  });

  it('no pid, a negative one or a fraction is not', () => {
    for (const pid of [0, -1, 1.5, Number.NaN]) expect(isProcessAlive(pid)).toBe(false);
  });

  it.runIf(existsSync('/proc/self/stat'))('a live pid with another start time is a reused pid (Linux)', () => {
    const start = processStartTime(process.pid);
    expect(start).toMatch(/^\d+$/);
    expect(isProcessAlive(process.pid, `${Number(start) + 1}`)).toBe(false);
  });
});
