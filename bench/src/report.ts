/**
 * Writes bench/RESULTS.md: the targets and whether this run met them, the machine, versions, one
 * table per section (median and range over samples) with the ratio of each row against its
 * baseline measured in the same run, and extra figures (RSS).
 */
import { renameSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { formatRate, type Throughput } from './measure.js';

/** One section of the report. */
export interface Section {
  readonly title: string;
  readonly note?: string;
  readonly rows: readonly Throughput[];
  /** For each row name, the row its ratio is taken against (same run). */
  readonly baselines?: Readonly<Record<string, string>>;
  /** Extra markdown lines (tables of non-rate figures such as RSS). */
  readonly extra?: readonly string[];
}

/** One target of the issue and this run's verdict. */
export interface TargetLine {
  readonly target: string;
  readonly measured: string;
  readonly met: boolean | undefined;
}

function machine(): string[] {
  const cpu = cpus();
  return [
    `- date: ${new Date().toISOString()}`,
    `- node ${process.version}, OpenSSL ${process.versions.openssl}, V8 ${process.versions.v8}, ${process.platform} ${process.arch}`,
    `- ${cpu.length} x ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM`,
    `- load average at the end of the run: ${loadavg().map((l) => l.toFixed(2)).join(', ')} (other work shares this machine)`,
  ];
}

/** Ratio of `row` against `base`, as text. */
export function ratioText(row: Throughput, base: Throughput): string {
  return `${(row.median / base.median).toFixed(2)}x`;
}

function table(section: Section): string[] {
  const lines = ['| task | median | range | samples | ratio (against) |', '|---|---:|---:|---:|---|'];
  for (const r of section.rows) {
    const baseName = section.baselines?.[r.name];
    const base = section.rows.find((b) => b.name === baseName);
    const ratio = base ? `${ratioText(r, base)} (${base.name})` : '';
    lines.push(`| ${r.name} | ${formatRate(r.median)} ${r.unit} | ${formatRate(r.min)} to ${formatRate(r.max)} | ${r.samples} | ${ratio} |`);
  }
  return lines;
}

/** Renders the report as markdown. */
export function renderReport(
  sections: readonly Section[],
  targets: readonly TargetLine[],
  versions: Readonly<Record<string, string>>,
  chart: string | undefined,
): string {
  const out = [
    '# dek benchmark results',
    '',
    'Written by `pnpm bench` (tinybench; tasks of a section run interleaved in rounds). This machine is shared and noisy:',
    'compare the ratios measured in one run, not absolute figures across runs. MB/s = 10^6 bytes per second of plaintext.',
  ];
  if (targets.length > 0) {
    out.push('', '## Targets', '', '| target | this run | met |', '|---|---|---|');
    for (const t of targets) out.push(`| ${t.target} | ${t.measured} | ${t.met === undefined ? 'n/a' : t.met ? 'yes' : '**no**'} |`);
  }
  if (chart !== undefined) out.push('', `![throughput by system](${chart})`);
  out.push('', '## Machine', ...machine());
  out.push('', '## Versions', ...Object.entries(versions).map(([k, v]) => `- ${k} ${v}`));
  for (const s of sections) {
    out.push('', `## ${s.title}`);
    if (s.note) out.push('', s.note);
    if (s.rows.length > 0) out.push('', ...table(s));
    if (s.extra) out.push('', ...s.extra);
  }
  return out.join('\n') + '\n';
}

/** Writes a file atomically (temp file, then rename). */
export function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}
