/**
 * Child process of the RSS benchmark. Prints one JSON line `{ maxRssKiB, bytes, ms }` and exits.
 *   idle                          an idle Node process (imports nothing)
 *   encrypt <concurrency> <home> <keyId>          1 GiB generated from a repeating 1 MiB block,
 *                                                 through encryptStream into a sink that drops it
 *   decrypt <concurrency> <home> <file>           the envelope file through decryptStream into
 *                                                 that sink
 * <home> is a LocalKms home (keystore file) shared with the parent.
 */
const [mode = 'idle', concurrencyArg = '1', home = '', extra = ''] = process.argv.slice(2);
const GiB = 1024 * 1024 * 1024;

function report(bytes: number, ms: number): void {
  process.stdout.write(`${JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS, bytes, ms })}\n`);
}

async function run(): Promise<void> {
  if (mode === 'idle') {
    report(0, 0);
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
  const sink = nullSink();
  const start = performance.now();
  if (mode === 'encrypt') {
    const source = repeatingSource(randomBytes(MiB), GiB);
    await pipeline(source, encryptStream({ kms, keyId: extra, concurrency, highWaterMark: HIGH_WATER_MARK }), sink);
  } else {
    const source = createReadStream(extra, { highWaterMark: HIGH_WATER_MARK });
    await pipeline(source, decryptStream({ kms, concurrency, highWaterMark: HIGH_WATER_MARK }), sink);
  }
  report(sink.received(), performance.now() - start);
}

await run();
