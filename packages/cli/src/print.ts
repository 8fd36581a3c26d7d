/**
 * Text and JSON output on stdout: aligned tables, pretty JSON (Uint8Array values as base64).
 *
 * @module
 */

/** Prints `value` as indented JSON; byte arrays become base64 strings. */
export function printJson(value: unknown): void {
  const text = JSON.stringify(
    value,
    (_key, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') : v),
    2,
  );
  process.stdout.write(`${text}\n`);
}

/** Prints rows under headers, columns padded to their widest cell. */
export function printTable(headers: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  process.stdout.write([line(headers), ...rows.map(line)].map((l) => `${l}\n`).join(''));
}
