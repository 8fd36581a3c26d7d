/**
 * The regression corpus: `fuzz/corpus/<harness>/<kind>-<hash>.hex` (or `.json`), one failing
 * input per file, replayed by the short test run.
 *
 * A `.hex` file holds `# key: value` comment lines (the finding, how the input was made, what the
 * harness needs to replay it) and then the input as hex. A `.json` file holds `{ meta, value }`.
 * A `status: known-bug ...` line marks an input that still fails because of an open bug: its
 * replay test is expected to fail until the decoder is fixed.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromHex, toHex } from './bytes.js';

/** One saved input. */
export type CorpusEntry =
  | { readonly format: 'hex'; readonly meta: Readonly<Record<string, string>>; readonly bytes: Uint8Array }
  | { readonly format: 'json'; readonly meta: Readonly<Record<string, string>>; readonly value: unknown };

/** `fuzz/corpus/` (the same from `fuzz/src` under vitest and from `fuzz/dist` when built). */
export const CORPUS_DIR = fileURLToPath(new URL('../corpus/', import.meta.url));

/** The text of a corpus file for `entry`. */
export function formatEntry(entry: CorpusEntry): string {
  if (entry.format === 'json') return `${JSON.stringify({ meta: entry.meta, value: entry.value }, null, 2)}\n`;
  const lines = Object.entries(entry.meta).map(([k, v]) => `# ${k}: ${v.replace(/\s*\n\s*/g, ' ')}`);
  const hex = toHex(entry.bytes);
  for (let i = 0; i < hex.length; i += 64) lines.push(hex.slice(i, i + 64));
  return `${lines.join('\n')}\n`;
}

/** Parses the text of a corpus file (`format` from its extension). */
export function parseEntry(text: string, format: 'hex' | 'json'): CorpusEntry {
  if (format === 'json') {
    const parsed = JSON.parse(text) as { meta?: Record<string, string>; value?: unknown };
    return { format, meta: parsed.meta ?? {}, value: parsed.value };
  }
  const meta: Record<string, string> = {};
  const hex: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^#\s*([\w-]+):\s?(.*)$/.exec(line);
    if (m !== null) meta[m[1]!] = m[2]!;
    else if (!line.startsWith('#')) hex.push(line);
  }
  return { format, meta, bytes: fromHex(hex.join('')) };
}

/** A saved corpus file. */
export interface CorpusFile {
  readonly path: string;
  readonly name: string;
  readonly entry: CorpusEntry;
}

/** Every corpus file of `harness`, sorted by name (none when the folder does not exist). */
export function readCorpus(harness: string, dir: string = CORPUS_DIR): CorpusFile[] {
  const folder = join(dir, harness);
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((name) => name.endsWith('.hex') || name.endsWith('.json'))
    .sort()
    .map((name) => {
      const path = join(folder, name);
      return { path, name, entry: parseEntry(readFileSync(path, 'utf8'), name.endsWith('.json') ? 'json' : 'hex') };
    });
}

/** Saves `entry` as `<dir>/<harness>/<kind>-<hash>.<ext>`; returns the path (an existing file is kept). */
export function saveEntry(harness: string, kind: string, entry: CorpusEntry, dir: string = CORPUS_DIR): string {
  const body = entry.format === 'hex' ? toHex(entry.bytes) : JSON.stringify(entry.value);
  const hash = createHash('sha256').update(`${harness}\n${body}`).digest('hex').slice(0, 12);
  const folder = join(dir, harness);
  mkdirSync(folder, { recursive: true });
  const path = join(folder, `${kind}-${hash}.${entry.format}`);
  if (!existsSync(path)) writeFileSync(path, formatEntry(entry));
  return path;
}
