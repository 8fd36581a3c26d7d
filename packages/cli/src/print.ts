/**
 * Text and JSON output on stdout: lines, aligned tables, pretty JSON (Uint8Array values as
 * base64). Everything printed here is escaped for the terminal (see terminal-escape.ts): it holds
 * key ids, aliases, descriptions and header fields that came from a KMS or a file.
 *
 * @module
 */
import { escapeTerminal } from './terminal-escape.js';

/** Prints `value` as indented JSON; byte arrays become base64 strings. */
export function printJson(value: unknown): void {
  const text = JSON.stringify(
    value,
    (_key, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') : v),
    2,
  );
  // JSON.stringify escapes C0 controls and lone surrogates; this escapes the rest, still valid JSON.
  process.stdout.write(`${escapeTerminal(text, { multiline: true })}\n`);
}

/** Prints each line, escaped. */
export function printLines(lines: readonly string[]): void {
  process.stdout.write(lines.map((line) => `${escapeTerminal(line)}\n`).join(''));
}

/** Prints rows under headers, columns padded to their widest cell. */
export function printTable(headers: readonly string[], cellsByRow: readonly (readonly string[])[]): void {
  const rows = cellsByRow.map((row) => row.map((cell) => escapeTerminal(cell)));
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  process.stdout.write([line(headers), ...rows.map(line)].map((l) => `${l}\n`).join(''));
}
