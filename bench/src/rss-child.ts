/**
 * Child process of the RSS benchmark. Prints one JSON line `{ maxRssKiB, source, bytes, ms }`.
 *   idle                                         an idle Node process (imports nothing)
 *   encrypt <concurrency> <home> <keyId> [in out]  without files: 1 GiB generated from a
 *                                                repeating 1 MiB block through encryptStream into
 *                                                a sink that drops it; with files: encryptFile
 *   decrypt <concurrency> <home> <file> [out]    the envelope file through decryptStream into
 *                                                that sink; with `out`: decryptFile
 * <home> is a LocalKms home (keystore file) shared with the parent. The file engine's output is
 * removed again before the report.
 */
const [mode = 'idle', concurrencyArg = '1', home = '', extra = '', ...files] = process.argv.slice(2);
const GiB = 1024 * 1024 * 1024;

/**
 * Peak RSS in KiB. On Linux, `VmHWM` of /proc/self/status: `resourceUsage().maxRSS` (getrusage)
 * survives execve, so a child forked from a large parent reports at least the parent's size.
 */
async function peakRssKiB(): Promise<{ kib: number; source: string }> {
  try {
    const { readFile } = await import('node:fs/promises');
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(await readFile('/proc/self/status', 'utf8'));
    if (match) return { kib: Number(match[1]), source: 'VmHWM' };
  } catch {
    // not Linux
  }
  return { kib: process.resourceUsage().maxRSS, source: 'maxRSS' };
}

async function report(bytes: number, ms: number): Promise<void> {
  const peak = await peakRssKiB();
  process.stdout.write(`${JSON.stringify({ maxRssKiB: peak.kib, source: peak.source, bytes, ms })}\n`);
}

async function run(): Promise<void> {
  if (mode === 'idle') {
    await report(0, 0);
    return;
  }
  const { createReadStream } = await import('node:fs');
  const { randomBytes } = await import('node:crypto');
  const { pipeline } = await import('node:stream/promises');
  const { openLocalKms } = await import('@dek/kms-adapter');
  const { decryptStream, encryptStream } = await import('@dek/stream');
  const { HIGH_WATER_MARK, MiB, nullSink, repeatingSource } = await import('./support.js');
  const kms = await openLocalKms({ home, env: {} });
  const concurrency = Number(concurrencyArg);
  if (files.length > 0) {
    const { rm } = await import('node:fs/promises');
    const { decryptFile, encryptFile } = await import('@dek/stream');
    const out = files.at(-1)!;
    const start = performance.now();
    if (mode === 'encrypt') await encryptFile(files[0]!, out, { kms, keyId: extra, concurrency });
    else await decryptFile(extra, out, { kms, concurrency });
    const ms = performance.now() - start;
    await rm(out);
    await report(GiB, ms);
    return;
  }
  const sink = nullSink();
  const start = performance.now();
  if (mode === 'encrypt') {
    const source = repeatingSource(randomBytes(MiB), GiB);
    await pipeline(source, encryptStream({ kms, keyId: extra, highWaterMark: HIGH_WATER_MARK }), sink);
  } else {
    const source = createReadStream(extra, { highWaterMark: HIGH_WATER_MARK });
    await pipeline(source, decryptStream({ kms, highWaterMark: HIGH_WATER_MARK }), sink);
  }
  await report(sink.received(), performance.now() - start);
}

await run();
