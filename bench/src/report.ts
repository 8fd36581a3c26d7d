/**
 * Writes bench/RESULTS.md: machine, versions, one table per section (median and range), and the
 * ratios against each section's baseline measured in the same run.
 */
import { writeFileSync, renameSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { formatMbps, type Throughput } from './measure.js';

/** One section of the report. */
export interface Section {
  readonly title: string;
  readonly note?: string;
  readonly rows: readonly Throughput[];
  /** For each row name, the row its ratio is taken against (same run). */
  readonly baselines?: Readonly<Record<string, string>>;
  /** Extra markdown lines (non-throughput figures such as RSS or requests per second). */
  readonly extra?: readonly string[];
}

function machine(): string[] {
  const cpu = cpus();
  return [
    `- date: ${new Date().toISOString()}`,
    `- node ${process.version}, OpenSSL ${process.versions.openssl}, V8 ${process.versions.v8}`,
    `- ${cpu.length} x ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
  ];
}

function table(section: Section): string[] {
  const lines = ['| task | median MB/s | range MB/s | samples | ratio (against) |', '|---|---:|---:|---:|---|'];
  for (const r of section.rows) {
    const baseName = section.baselines?.[r.name];
    const base = section.rows.find((b) => b.name === baseName);
    const ratio = base ? `${(r.median / base.median).toFixed(2)}x (${base.name})` : '';
    lines.push(`| ${r.name} | ${formatMbps(r.median)} | ${formatMbps(r.min)} to ${formatMbps(r.max)} | ${r.samples} | ${ratio} |`);
  }
  return lines;
}

/** Renders the report as markdown. */
export function renderReport(sections: readonly Section[], versions: Readonly<Record<string, string>>): string {
  const out = ['# dek benchmark results', '', 'Written by `pnpm bench` (tinybench). Machines here are noisy: compare the ratios measured in one run, not absolute figures across runs.', '', '## Machine', ...machine()];
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
