/**
 * `pnpm bench`: runs every benchmark section in one process and writes bench/RESULTS.md.
 * `pnpm bench chunk` runs only the named sections.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { benchChunkLayer } from './chunk-layer.js';
import { renderReport, writeAtomic, type Section } from './report.js';

const resultsPath = new URL('../RESULTS.md', import.meta.url).pathname;
const require = createRequire(import.meta.url);

function version(name: string): string {
  try {
    const path = require.resolve(`${name}/package.json`);
    return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
  } catch {
    return 'n/a';
  }
}

const all: Record<string, () => Promise<Section>> = {
  chunk: async () => ({
    title: 'Chunk layer: 16 KiB chunks, 16 MiB per call',
    note: '`@dek/core` sealChunk/openChunk (node:crypto backend) against a raw `createCipheriv` loop over the same chunks and nonces.',
    rows: await benchChunkLayer(),
    baselines: {
      '@dek/core sealChunk 16 KiB': 'raw node:crypto seal 16 KiB',
      '@dek/core openChunk 16 KiB': 'raw node:crypto open 16 KiB',
    },
  }),
};

const wanted = process.argv.slice(2);
const sections: Section[] = [];
for (const [name, run] of Object.entries(all)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  process.stderr.write(`bench: ${name}...\n`);
  const section = await run();
  sections.push(section);
}
const report = renderReport(sections, {
  '@dek/core': version('@dek/core'),
  tinybench: version('tinybench'),
});
writeAtomic(resultsPath, report);
process.stdout.write(report);
