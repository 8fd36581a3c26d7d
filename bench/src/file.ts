/**
 * File to file through fs streams (highWaterMark 1 MiB on every side) and through the file engine
 * (`encryptFile` / `decryptFile`, fsync included), against a plain copy of the same file, in
 * os.tmpdir() (page cache). Files are made once and deleted at the end.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Transform } from 'node:stream';
import { decryptFile, decryptStream, encryptFile, encryptStream } from '@dek/stream';
import { MODES, type Mode } from './envelope.js';
import { measureThroughput, type Throughput, type ThroughputTask } from './measure.js';
import { HIGH_WATER_MARK, MiB, localKey } from './support.js';

export const FILE_BYTES = 256 * MiB;

export const FILE_ROWS = {
  copy: 'plain copy (fs streams)',
  encrypt: (mode: Mode) => `dek encryptStream file to file, ${mode}`,
  decrypt: (mode: Mode) => `dek decryptStream file to file, ${mode}`,
  engineEncrypt: (concurrency: number) => `dek encryptFile (file engine, fsync), concurrency ${concurrency}`,
  engineDecrypt: (concurrency: number) => `dek decryptFile (file engine, fsync), concurrency ${concurrency}`,
} as const;

function copyThrough(from: string, to: string, transform?: Transform): Promise<void> {
  const source = createReadStream(from, { highWaterMark: HIGH_WATER_MARK });
  const sink = createWriteStream(to, { highWaterMark: HIGH_WATER_MARK });
  return transform === undefined ? pipeline(source, sink) : pipeline(source, transform, sink);
}

export async function benchFiles(): Promise<Throughput[]> {
  const dir = await mkdtemp(join(tmpdir(), 'dek-bench-'));
  try {
    const { kms, keyId } = await localKey();
    const plain = join(dir, 'plain');
    const sealed = join(dir, 'plain.dek');
    const out = join(dir, 'out');
    await writeFile(plain, randomBytes(FILE_BYTES));
    await copyThrough(plain, sealed, encryptStream({ kms, keyId, highWaterMark: HIGH_WATER_MARK }));
    const tasks: ThroughputTask[] = [{ name: FILE_ROWS.copy, bytes: FILE_BYTES, fn: () => copyThrough(plain, out) }];
    const options = { highWaterMark: HIGH_WATER_MARK };
    tasks.push(
      { name: FILE_ROWS.encrypt(MODES.single), bytes: FILE_BYTES, fn: () => copyThrough(plain, out, encryptStream({ kms, keyId, ...options })) },
      { name: FILE_ROWS.decrypt(MODES.single), bytes: FILE_BYTES, fn: () => copyThrough(sealed, out, decryptStream({ kms, ...options })) },
    );
    for (const concurrency of [1, 2]) {
      tasks.push(
        { name: FILE_ROWS.engineEncrypt(concurrency), bytes: FILE_BYTES, fn: () => encryptFile(plain, out, { kms, keyId, concurrency }) },
        { name: FILE_ROWS.engineDecrypt(concurrency), bytes: FILE_BYTES, fn: () => decryptFile(sealed, out, { kms, concurrency }) },
      );
    }
    return await measureThroughput(tasks, { rounds: 4 });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
