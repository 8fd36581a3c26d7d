import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FileKeyStore, LocalKms } from '@dek/kms-adapter';
import { acquireLock } from '../../src/local/lock.js';
import { expectKmsError } from '../helpers.js';

let root: string;
let n = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'dek-kms-lock-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const lockPath = () => join(root, `l-${n++}.lock`);
const holder = (pid: number, host = hostname()) => JSON.stringify({ pid, hostname: host, nonce: 'someone-else' });
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid!;
const minuteAgo = () => new Date(Date.now() - 60_000);
const timeoutError = expect.objectContaining({ httpStatus: 503, code: 'Keystore.LockTimeout' });

describe('lock file', () => {
  test('a live holder makes others wait, then time out with Keystore.LockTimeout', async () => {
    const path = lockPath();
    await writeFile(path, holder(process.pid));
    await expect(acquireLock(path, { timeoutMs: 50 })).rejects.toThrow(timeoutError);
    expect(await readFile(path, 'utf8')).toBe(holder(process.pid));
  });

  test('a lock of a dead process on this host is broken at once', async () => {
    const path = lockPath();
    await writeFile(path, holder(deadPid()));
    const lock = await acquireLock(path, { timeoutMs: 5_000, staleMs: 600_000 });
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ pid: process.pid, hostname: hostname() });
    await lock.release();
    await expect(readFile(path)).rejects.toThrow(/ENOENT/);
  });

  test('locks of other hosts or unreadable ones are only broken by age', async () => {
    for (const content of [holder(deadPid(), 'other-host'), '', '{not json']) {
      const path = lockPath();
      await writeFile(path, content);
      await expect(acquireLock(path, { timeoutMs: 30 })).rejects.toThrow(timeoutError);
      await utimes(path, minuteAgo(), minuteAgo());
      await (await acquireLock(path, { timeoutMs: 5_000, staleMs: 30_000 })).release();
    }
  });

  test('a live holder older than staleMs is broken; it then cannot commit (assertHeld)', async () => {
    const path = lockPath();
    const first = await acquireLock(path);
    await utimes(path, minuteAgo(), minuteAgo());
    const second = await acquireLock(path, { timeoutMs: 5_000, staleMs: 30_000 });
    await expect(first.assertHeld()).rejects.toThrow(expect.objectContaining({ code: 'Keystore.LockLost' }));
    await first.release(); // must not remove the second holder's lock
    await second.assertHeld();
    await second.release();
  });

  test('a dead breaker’s .break file does not block breaking a stale lock', async () => {
    const path = lockPath();
    await writeFile(path, holder(deadPid()));
    await writeFile(`${path}.break`, holder(deadPid()));
    await (await acquireLock(path, { timeoutMs: 5_000, staleMs: 600_000 })).release();
  });

  test('holders in one process take turns', async () => {
    const path = lockPath();
    const first = await acquireLock(path);
    let secondHeld = false;
    const second = acquireLock(path, { timeoutMs: 10_000 }).then((l) => {
      secondHeld = true;
      return l;
    });
    await new Promise((done) => setTimeout(done, 30));
    expect(secondHeld).toBe(false);
    await first.release();
    await (await second).release();
    expect(secondHeld).toBe(true);
  });

  test('through LocalKms a busy lock is a KmsServiceError 503 Keystore.LockTimeout with a request id', async () => {
    const path = join(root, `store-${n++}.json`);
    const masterKey = new Uint8Array(32).fill(1);
    await FileKeyStore.create(path, masterKey);
    const kms = new LocalKms({ store: await FileKeyStore.open(path, masterKey, { lock: { timeoutMs: 30 } }) });
    await writeFile(`${path}.lock`, holder(process.pid));
    await expectKmsError(kms.createKey(), 503, 'Keystore.LockTimeout');
    await rm(`${path}.lock`);
    await kms.createKey();
  });
});
