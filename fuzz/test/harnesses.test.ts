/**
 * The short fuzz run inside `pnpm test`: every harness for a few dozen to a few hundred mutated
 * inputs (the long run is `pnpm fuzz`). A failure prints the corpus file to save.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { HARNESSES, formatEntry, fuzz, type AnyHarness, type FuzzResult } from '../src/index.js';

function explain(h: AnyHarness, result: FuzzResult<unknown>): string {
  if (result.failure === undefined) return '';
  const { finding } = result.failure;
  return `${h.name} found ${finding.kind}: ${finding.message}\nsave as fuzz/corpus/${h.name}/${finding.kind}-<hash>:\n${formatEntry(h.toCorpus(result.failure.case, finding))}`;
}

describe('short fuzz run', () => {
  afterAll(async () => {
    for (const h of HARNESSES) await h.close?.();
  });

  for (const h of HARNESSES) {
    it(`${h.name}: ${h.shortRuns} mutated inputs give no finding`, async () => {
      const result = await fuzz(h, { numRuns: h.shortRuns });
      expect(result.failure, explain(h, result)).toBeUndefined();
      expect(result.runs).toBe(h.shortRuns);
    });
  }
});
