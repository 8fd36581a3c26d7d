/**
 * The audit log file: appended, one JSON line per entry, written in batches (by count, by time,
 * and on close), created private, with terminal control characters escaped, reopened for log
 * rotation.
 */
import { mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog, type AuditEntry } from '@dek/kms-server';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dek-audit-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

const entry = (n: number, action = 'Encrypt'): AuditEntry => ({
  time: new Date(0).toISOString(),
  dialect: 'openapi',
  credential: 'LTAI',
  action,
  keyId: `key-${n}`,
  keyVersionId: null,
  source: '127.0.0.1',
  status: 200,
  code: 'OK',
  requestId: `R-${n}`,
});

const lines = async (path: string): Promise<string[]> => (await readFile(path, 'utf8')).split('\n').filter((l) => l !== '');

describe('AuditLog', () => {
  it('appends to what is there, creates the file 0600, and writes a batch once maxBatch lines wait', async () => {
    const path = join(dir, 'audit.log');
    await writeFile(path, 'earlier line\n', { mode: 0o600 });
    const log = await AuditLog.open(path, { maxBatch: 3, flushMs: 60_000 });
    log.write(entry(1));
    log.write(entry(2));
    expect(await lines(path)).toEqual(['earlier line']);
    log.write(entry(3));
    await log.flush();
    expect((await lines(path)).slice(1).map((l) => JSON.parse(l) as AuditEntry)).toEqual([entry(1), entry(2), entry(3)]);
    await log.close();

    const fresh = join(dir, 'fresh.log');
    await (await AuditLog.open(fresh)).close();
    expect((await stat(fresh)).mode & 0o777).toBe(0o600);
  });

  it('writes a waiting line after flushMs, and the rest on close; drops entries after close', async () => {
    const path = join(dir, 'audit.log');
    const log = await AuditLog.open(path, { maxBatch: 100, flushMs: 20 });
    log.write(entry(1));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await lines(path)).toHaveLength(1);
    log.write(entry(2));
    await log.close();
    log.write(entry(3));
    await log.close();
    expect((await lines(path)).map((l) => (JSON.parse(l) as AuditEntry).requestId)).toEqual(['R-1', 'R-2']);
  });

  it('reopen() after a rotation: the old file keeps its lines, new lines go to a new file', async () => {
    const path = join(dir, 'audit.log');
    const log = await AuditLog.open(path, { maxBatch: 100, flushMs: 60_000 });
    log.write(entry(1));
    await log.flush();
    await rename(path, `${path}.1`);
    log.write(entry(2));
    await log.reopen();
    log.write(entry(3));
    await log.close();
    const ids = async (file: string) => (await lines(file)).map((l) => (JSON.parse(l) as AuditEntry).requestId);
    expect(await ids(`${path}.1`)).toEqual(['R-1', 'R-2']);
    expect(await ids(path)).toEqual(['R-3']);
  });

  it('escapes characters a terminal could act on', async () => {
    const path = join(dir, 'audit.log');
    const log = await AuditLog.open(path);
    log.write(entry(1, 'Encrypt\u001b[2J\u009b\u2028'));
    await log.close();
    const text = await readFile(path, 'utf8');
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028]/);
    expect((JSON.parse(text) as AuditEntry).action).toBe('Encrypt\u001b[2J\u009b\u2028');
  });
});
