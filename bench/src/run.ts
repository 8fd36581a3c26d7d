/**
 * `pnpm bench`: runs every benchmark section in one process (RSS in child processes), writes
 * bench/RESULTS.md and bench/throughput.svg. `pnpm bench envelope kms` runs only the named
 * sections and prints the report without writing files; e.g. `node bench/dist/run.js cli` (after
 * `pnpm build`) runs only the `dek` command line against age, and DEK_BENCH_FILE_MIB=64 makes its
 * file small for a quick check of the harness (default 1024).
 */
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderChart } from './chart.js';
import { benchChunkLayer } from './chunk-layer.js';
import { benchCli, cliSection, cliTargets, type CliBench } from './cli.js';
import { ENVELOPE_BYTES, MODES, PEER_BYTES, PEERS, ROWS, benchEnvelope } from './envelope.js';
import { FILE_BYTES, FILE_ROWS, benchFiles } from './file.js';
import { KMS_ROWS, benchKms } from './kms.js';
import { benchKmsServerLoad } from './kms-server-load.js';
import type { Throughput } from './measure.js';
import { renderReport, writeAtomic, type Section, type TargetLine } from './report.js';
import { benchRss, rssSource, type RssRow } from './rss.js';
import { MiB } from './support.js';

const resultsPath = new URL('../RESULTS.md', import.meta.url).pathname;
const chartPath = new URL('../throughput.svg', import.meta.url).pathname;

/** The installed version of a package: its package.json, found above its resolved entry point. */
function version(name: string): string {
  try {
    let dir = dirname(fileURLToPath(import.meta.resolve(name)));
    for (; dir !== dirname(dir); dir = dirname(dir)) {
      const path = join(dir, 'package.json');
      if (!existsSync(path)) continue;
      const pkg = JSON.parse(readFileSync(path, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === name) return pkg.version ?? 'n/a';
    }
  } catch {
    // not resolvable from here
  }
  return 'n/a';
}

/** Results kept for the targets and the chart. */
const found: { rows: Throughput[]; rss?: { idleMiB: number; rows: RssRow[] }; cli?: CliBench } = { rows: [] };

function row(name: string): Throughput | undefined {
  return found.rows.find((r) => r.name === name);
}

function ratio(name: string, base: string): number | undefined {
  const a = row(name);
  const b = row(base);
  return a && b ? a.median / b.median : undefined;
}

const mib = (bytes: number): string => `${bytes / MiB} MiB`;

const sections: Record<string, () => Promise<Section>> = {
  chunk: async () => ({
    title: 'Chunk layer: 16 KiB chunks, 16 MiB per call',
    note: '`@dek/core` sealChunk/openChunk (node:crypto backend) against a raw `createCipheriv` loop over the same chunks and nonces. `sealChunk` returns ciphertext || tag in one new array (one 16 KiB copy per chunk); `sealChunkDetached` returns OpenSSL\'s ciphertext and tag buffers as they are (what the streams use).',
    rows: await benchChunkLayer(),
    baselines: {
      '@dek/core sealChunk 16 KiB': 'raw node:crypto seal 16 KiB',
      '@dek/core sealChunkDetached 16 KiB': 'raw node:crypto seal 16 KiB',
      '@dek/core openChunk 16 KiB': 'raw node:crypto open 16 KiB',
    },
  }),
  envelope: async () => {
    const rows = await benchEnvelope();
    const baselines: Record<string, string> = {
      [ROWS.machineEnc]: ROWS.rawSeal,
      [ROWS.machineDec]: ROWS.rawOpen,
      [ROWS.rawSealInto]: ROWS.rawSeal,
      [ROWS.rawOpenInto]: ROWS.rawOpen,
    };
    const one = MODES.single;
    for (const mode of Object.values(MODES)) {
      baselines[ROWS.streamEnc(mode)] = mode === one ? ROWS.rawSeal : ROWS.streamEnc(one);
      baselines[ROWS.streamDec(mode)] = mode === one ? ROWS.rawOpen : ROWS.streamDec(one);
      baselines[ROWS.oneShotEnc(mode)] = mode === one ? ROWS.rawSealInto : ROWS.oneShotEnc(one);
      baselines[ROWS.oneShotDec(mode)] = mode === one ? ROWS.rawOpenInto : ROWS.oneShotDec(one);
    }
    for (const peer of Object.values(PEERS)) {
      baselines[ROWS.peerEnc(peer)] = ROWS.rawSeal;
      baselines[ROWS.peerDec(peer)] = ROWS.rawOpen;
    }
    return {
      title: `Envelope in memory: ${mib(ENVELOPE_BYTES)} (peers ${mib(PEER_BYTES)})`,
      note: [
        `dek and the raw loop process ${mib(ENVELOPE_BYTES)} per call; the peers, 50 to 250 MB/s here, ${mib(PEER_BYTES)} per call to keep the run short (rates are per MB/s, so ratios compare).`,
        'dek uses an in-memory `LocalKms` (one `advanceGenerateDataKey` per message, included). Rows:',
        '- *memory to sink*: `encryptStream` / `decryptStream` (highWaterMark 1 MiB) from a buffer read in 1 MiB views into a Writable that drops the output: the streaming path, on reused (warm) memory, as the raw loop that drops its output.',
        '- *state machine*: `EnvelopeEncryptor` / `EnvelopeDecryptor` fed 1 MiB writes, output dropped (no stream overhead).',
        '- *one-shot*: `encrypt()` / `decrypt()`, whose result is one new array. Fresh memory costs page faults here (about 1 to 1.5 GB/s), so they are compared with the raw loop writing into a new array too.',
      ].join('\n'),
      rows,
      baselines,
    };
  },
  file: async () => {
    const rows = await benchFiles();
    const baselines: Record<string, string> = {};
    for (const mode of Object.values(MODES)) {
      baselines[FILE_ROWS.encrypt(mode)] = FILE_ROWS.copy;
      baselines[FILE_ROWS.decrypt(mode)] = FILE_ROWS.copy;
    }
    return {
      title: `File to file: ${mib(FILE_BYTES)} through fs streams`,
      note: 'Read and write streams and the dek Transform all at highWaterMark 1 MiB; files in os.tmpdir() (page cache), deleted afterwards. Writing a new file into the page cache is itself slow here (0.3 to 0.5 GB/s).',
      rows,
      baselines,
    };
  },
  rss: async () => {
    const rss = await benchRss();
    found.rss = rss;
    const extra = [
      `Idle Node process (same run, median of 3): maxRSS ${rss.idleMiB.toFixed(1)} MiB.`,
      '',
      '| case | concurrency | maxRSS | over idle | MB/s |',
      '|---|---:|---:|---:|---:|',
      ...rss.rows.map((r) => `| ${r.name} | ${r.concurrency} | ${r.maxRssMiB.toFixed(1)} MiB | ${r.overIdleMiB.toFixed(1)} MiB | ${r.mbps.toFixed(0)} |`),
    ];
    return {
      title: 'Peak memory: 1 GiB in a child process',
      note: [
        `Each case runs in its own \`node\` child process and reports its peak RSS (${rssSource === 'VmHWM' ? '`VmHWM` from /proc/self/status: `process.resourceUsage().maxRSS` survives execve on Linux, so a child of this large benchmark process would report at least the parent\'s size' : '`process.resourceUsage().maxRSS`'}; worker threads included).`,
        'The stream rows: encrypt reads a generated source (a 1 MiB block repeated), decrypt reads a 1 GiB envelope file from os.tmpdir(); both write into a sink that drops the output; highWaterMark 1 MiB; one thread. The file engine rows: `encryptFile` / `decryptFile` file to file in os.tmpdir(), with `concurrency` set.',
        'The idle process runs the same script without importing anything; loading dek and the KMS itself adds about 18 MiB.',
        `The file engine starts at most one thread per CPU, so on this ${cpus().length}-CPU machine concurrency 4 runs like concurrency ${Math.min(4, cpus().length)}.`,
      ].join(' '),
      rows: [],
      extra,
    };
  },
  kms: async () => ({
    title: 'KMS',
    note: 'In-memory `LocalKms`. Messages are encrypted one after another with the one-shot `encrypt()`; the caching provider reuses one data key (maxAge 60 s) with a fresh salt per message.',
    rows: await benchKms(),
    baselines: { [KMS_ROWS.cached]: KMS_ROWS.uncached },
  }),
  server: async () => {
    const clients = 8;
    const figures = await benchKmsServerLoad(clients, 3);
    return {
      title: 'KMS server load: @dek/kms-server on 127.0.0.1',
      note: `${clients} concurrent clients for about 3 s per path against one in-memory LocalKms, with CreateKeyVersion calls interleaved (so the primary version moves while requests run). Afterwards every returned blob was decrypted again and checked against its data key. Client and server share this 2-CPU machine.`,
      rows: [],
      extra: [
        '| path | clients | requests | CreateKeyVersion | seconds | requests/s |',
        '|---|---:|---:|---:|---:|---:|',
        ...figures.map((f) => `| ${f.path} | ${f.clients} | ${f.requests} | ${f.versionsCreated} | ${f.seconds.toFixed(2)} | ${f.perSecond.toFixed(0)} |`),
      ],
    };
  },
  cli: async () => {
    found.cli = await benchCli();
    return cliSection(found.cli);
  },
};

function targets(): TargetLine[] {
  const lines: TargetLine[] = [];
  const atLeast = (target: string, value: number | undefined, goal: number, against: string): void => {
    lines.push({ target, measured: value === undefined ? 'not run' : `${value.toFixed(2)}x ${against}`, met: value === undefined ? undefined : value >= goal });
  };
  const one = MODES.single;
  atLeast('single thread: encryption >= 0.9x raw loop (stream, memory to sink)', ratio(ROWS.streamEnc(one), ROWS.rawSeal), 0.9, 'raw');
  atLeast('single thread: decryption >= 0.9x raw loop (stream, memory to sink)', ratio(ROWS.streamDec(one), ROWS.rawOpen), 0.9, 'raw');
  atLeast('single thread: encryption >= 0.85x raw loop (state machine)', ratio(ROWS.machineEnc, ROWS.rawSeal), 0.85, 'raw');
  atLeast('single thread: decryption >= 0.85x raw loop (state machine)', ratio(ROWS.machineDec, ROWS.rawOpen), 0.85, 'raw');
  atLeast('single thread: one-shot encrypt() >= 0.85x raw loop into a new array', ratio(ROWS.oneShotEnc(one), ROWS.rawSealInto), 0.85, 'raw into new array');
  atLeast('single thread: one-shot decrypt() >= 0.85x raw loop into a new array', ratio(ROWS.oneShotDec(one), ROWS.rawOpenInto), 0.85, 'raw into new array');
  const rss = found.rss;
  if (rss !== undefined) {
    const worstOf = (rows: readonly RssRow[]): RssRow => rows.reduce((a, b) => (b.overIdleMiB > a.overIdleMiB ? b : a));
    for (const [label, rows] of [
      ['concurrency 1', rss.rows.filter((r) => r.concurrency === 1)],
      ['any concurrency', rss.rows],
    ] as const) {
      const worst = worstOf(rows);
      lines.push({
        target: `peak RSS for 1 GiB within 64 MiB of an idle Node process, ${label}`,
        measured: `worst ${worst.overIdleMiB.toFixed(1)} MiB over idle (${worst.name.split(' (')[0]}, concurrency ${worst.concurrency}); idle ${rss.idleMiB.toFixed(1)} MiB`,
        met: worst.overIdleMiB <= 64,
      });
    }
  }
  if (found.cli !== undefined) lines.push(...cliTargets(found.cli));
  return lines;
}

function chart(): string | undefined {
  const pair = (label: string, enc: string, dec: string): { label: string; encrypt: number; decrypt: number } | undefined => {
    const e = row(enc);
    const d = row(dec);
    return e && d ? { label, encrypt: e.median, decrypt: d.median } : undefined;
  };
  const groups = [
    pair('raw node:crypto 16 KiB loop', ROWS.rawSeal, ROWS.rawOpen),
    pair('dek stream, one thread', ROWS.streamEnc(MODES.single), ROWS.streamDec(MODES.single)),
    pair('dek one-shot, one thread (new array)', ROWS.oneShotEnc(MODES.single), ROWS.oneShotDec(MODES.single)),
    pair('aws-crypto committing, 64 KiB frames', ROWS.peerEnc(PEERS.awsCommitting), ROWS.peerDec(PEERS.awsCommitting)),
    pair('aws-crypto default (signed)', ROWS.peerEnc(PEERS.awsDefault), ROWS.peerDec(PEERS.awsDefault)),
    pair('age-encryption', ROWS.peerEnc(PEERS.age), ROWS.peerDec(PEERS.age)),
  ].filter((g) => g !== undefined);
  if (groups.length === 0) return undefined;
  return renderChart(
    'Throughput in memory by system (median MB/s, one run)',
    `${process.version}, ${new Date().toISOString().slice(0, 10)}; dek and raw on ${mib(ENVELOPE_BYTES)}, peers on ${mib(PEER_BYTES)}; see RESULTS.md`,
    groups,
  );
}

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in sections));
if (unknown.length > 0) throw new Error(`unknown section(s) ${unknown.join(', ')}; known: ${Object.keys(sections).join(', ')}`);
const done: Section[] = [];
for (const [name, run] of Object.entries(sections)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  const started = performance.now();
  process.stderr.write(`bench: ${name}...`);
  const section = await run();
  found.rows.push(...section.rows);
  done.push(section);
  process.stderr.write(` ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
}
const svg = chart();
const report = renderReport(done, targets(), {
  node: process.version,
  '@dek/core': version('@dek/core'),
  '@dek/stream': version('@dek/stream'),
  '@aws-crypto/client-node': version('@aws-crypto/client-node'),
  'age-encryption': version('age-encryption'),
  tinybench: version('tinybench'),
}, svg === undefined ? undefined : 'throughput.svg');
if (wanted.length === 0) {
  writeAtomic(resultsPath, report);
  if (svg !== undefined) writeAtomic(chartPath, svg);
}
process.stdout.write(report);
