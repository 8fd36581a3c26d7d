/**
 * Peak memory: encrypt and decrypt 1 GiB in a child process each (see rss-child.ts) and read its
 * maxRSS, next to an idle Node process's maxRSS measured in the same run: the streams (one
 * thread), and the file engine at each concurrency.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { initLocalKms, openLocalKms } from '@dek/kms-adapter';
import { encryptStream } from '@dek/stream';
import { median } from './measure.js';
import { HIGH_WATER_MARK, MiB, repeatingSource } from './support.js';

const run = promisify(execFile);
const GiB = 1024 * MiB;
const child = new URL('./rss-child.js', import.meta.url).pathname;

/** One child's figures. */
export interface RssRow {
  readonly name: string;
  readonly concurrency: number;
  readonly maxRssMiB: number;
  /** maxRSS minus the idle process's. */
  readonly overIdleMiB: number;
  readonly mbps: number;
}

/** Concurrencies of the file engine measured ("whatever the concurrency"). */
export const RSS_CONCURRENCY = [1, 2, 4] as const;

/** How the children measured their peak (VmHWM on Linux, else maxRSS). */
export let rssSource = 'maxRSS';

async function measureChild(args: readonly string[]): Promise<{ maxRssMiB: number; bytes: number; ms: number }> {
  const { stdout } = await run(process.execPath, [child, ...args], { maxBuffer: 1 << 20 });
  const line = JSON.parse(stdout.trim().split('\n').pop()!) as { maxRssKiB: number; source: string; bytes: number; ms: number };
  rssSource = line.source;
  return { maxRssMiB: line.maxRssKiB / 1024, bytes: line.bytes, ms: line.ms };
}

export async function benchRss(): Promise<{ idleMiB: number; rows: RssRow[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'dek-rss-'));
  try {
    const home = join(dir, 'kms');
    const { defaultKeyId } = await initLocalKms(home, { env: {} });
    const keyId = defaultKeyId!;
    const kms = await openLocalKms({ home, env: {} });
    const file = join(dir, '1gib.dek');
    const plain = join(dir, '1gib.bin');
    const out = join(dir, 'out');
    await pipeline(repeatingSource(randomBytes(MiB), GiB), createWriteStream(plain, { highWaterMark: HIGH_WATER_MARK }));
    await pipeline(repeatingSource(randomBytes(MiB), GiB), encryptStream({ kms, keyId, highWaterMark: HIGH_WATER_MARK }), createWriteStream(file, { highWaterMark: HIGH_WATER_MARK }));
    const idle: number[] = [];
    for (let i = 0; i < 3; i++) idle.push((await measureChild(['idle'])).maxRssMiB);
    const idleMiB = median(idle.sort((a, b) => a - b));
    const cases: [string, number, string[]][] = [
      ['encryptStream 1 GiB (generated source to sink)', 1, ['encrypt', '1', home, keyId]],
      ['decryptStream 1 GiB (file to sink)', 1, ['decrypt', '1', home, file]],
    ];
    for (const concurrency of RSS_CONCURRENCY) {
      cases.push(
        ['encryptFile 1 GiB (file to file)', concurrency, ['encrypt', String(concurrency), home, keyId, plain, out]],
        ['decryptFile 1 GiB (file to file)', concurrency, ['decrypt', String(concurrency), home, file, out]],
      );
    }
    const rows: RssRow[] = [];
    for (const [name, concurrency, args] of cases) {
      const result = await measureChild(args);
      if (result.bytes !== GiB && name.startsWith('decrypt')) throw new Error(`decrypt child produced ${result.bytes} bytes`);
      rows.push({
        name,
        concurrency,
        maxRssMiB: result.maxRssMiB,
        overIdleMiB: result.maxRssMiB - idleMiB,
        mbps: GiB / 1e6 / (result.ms / 1000),
      });
    }
    return { idleMiB, rows };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
