/**
 * Replays the regression corpus (`fuzz/corpus/<harness>/`): every saved input must now pass its
 * harness's checks. A file whose `status` says `known-bug` records an open bug: its test is
 * expected to fail (`it.fails`) until the decoder is fixed, then the status line must go.
 */
import { existsSync, readdirSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { CORPUS_DIR, HARNESSES, harnessNamed, readCorpus, replay } from '../src/index.js';

describe('corpus', () => {
  afterAll(async () => {
    for (const h of HARNESSES) await h.close?.();
  });

  it('has one folder per harness, and a known-bug status only for a bug the harness still lists', () => {
    const folders = existsSync(CORPUS_DIR) ? readdirSync(CORPUS_DIR, { withFileTypes: true }).filter((d) => d.isDirectory()) : [];
    for (const folder of folders) {
      expect(harnessNamed(folder.name), `fuzz/corpus/${folder.name} names no harness`).toBeDefined();
      const ids = (harnessNamed(folder.name)?.knownBugs ?? []).map((b) => b.id);
      for (const file of readCorpus(folder.name)) {
        const status = file.entry.meta['status'];
        if (status === undefined) continue;
        const id = /^known-bug ([\w-]+):/.exec(status)?.[1];
        expect(id !== undefined && ids.includes(id), `${file.name}: status must be "known-bug <id>: ..." with an id of the harness's knownBugs`).toBe(true);
      }
    }
  });

  for (const h of HARNESSES) {
    for (const file of readCorpus(h.name)) {
      const status = file.entry.meta['status'];
      const known = status !== undefined;
      (known ? it.fails : it)(`${h.name}/${file.name}${known ? ` (${status.slice(0, 60)}...)` : ''}`, async () => {
        await h.prepare?.();
        const result = await replay(h, file.entry);
        expect(result.finding, result.finding === undefined ? '' : `${result.finding.kind}: ${result.finding.message}`).toBeUndefined();
      });
    }
  }
});
