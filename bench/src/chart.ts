/**
 * A hand-written SVG: horizontal bars of encrypt and decrypt throughput per system (median MB/s
 * of one run), on one linear scale from zero. No dependency.
 */

/** One system: its label and its two rates in MB/s. */
export interface ChartGroup {
  readonly label: string;
  readonly encrypt: number;
  readonly decrypt: number;
}

const WIDTH = 860;
const LABEL = 330;
const BAR = 14;
const GAP = 4;
const GROUP_GAP = 14;
const TOP = 54;
const COLORS = { encrypt: '#2f6fb0', decrypt: '#e08a2c' } as const;

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Renders the chart. `title` and `note` go above the bars. */
export function renderChart(title: string, note: string, groups: readonly ChartGroup[]): string {
  const max = Math.max(1, ...groups.flatMap((g) => [g.encrypt, g.decrypt]));
  const plot = WIDTH - LABEL - 90;
  const scale = (v: number): number => (v / max) * plot;
  const groupHeight = 2 * BAR + GAP + GROUP_GAP;
  const height = TOP + groups.length * groupHeight + 24;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="12" y="20" font-size="15" font-weight="bold">${escape(title)}</text>`,
    `<text x="12" y="38" fill="#555555">${escape(note)}</text>`,
    `<rect x="${WIDTH - 190}" y="10" width="10" height="10" fill="${COLORS.encrypt}"/><text x="${WIDTH - 175}" y="19">encrypt</text>`,
    `<rect x="${WIDTH - 110}" y="10" width="10" height="10" fill="${COLORS.decrypt}"/><text x="${WIDTH - 95}" y="19">decrypt</text>`,
  ];
  groups.forEach((g, i) => {
    const y = TOP + i * groupHeight;
    parts.push(`<text x="${LABEL - 8}" y="${y + BAR + 2}" text-anchor="end">${escape(g.label)}</text>`);
    for (const [k, kind] of (['encrypt', 'decrypt'] as const).entries()) {
      const value = g[kind];
      const by = y + k * (BAR + GAP);
      const w = Math.max(1, scale(value));
      parts.push(`<rect x="${LABEL}" y="${by}" width="${w.toFixed(1)}" height="${BAR}" fill="${COLORS[kind]}"/>`);
      parts.push(`<text x="${(LABEL + w + 5).toFixed(1)}" y="${by + BAR - 3}">${value.toFixed(0)} MB/s</text>`);
    }
  });
  parts.push(`<line x1="${LABEL}" y1="${TOP - 6}" x2="${LABEL}" y2="${height - 18}" stroke="#999999"/>`);
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
