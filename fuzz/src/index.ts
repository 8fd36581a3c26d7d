/**
 * `@dek/fuzz`: fast-check harnesses for every dek decoder. The long run is `pnpm fuzz`
 * (`run.ts`); `fuzz/test` runs each harness briefly and replays the corpus.
 *
 * @packageDocumentation
 */
import type { CorpusEntry } from './corpus.js';
import type { AnyHarness } from './harness.js';
import type { Finding } from './oracle.js';
import { blobHarness } from './harnesses/blob.js';
import { chunkedHarness } from './harnesses/chunked.js';
import { headerHarness } from './harnesses/header.js';
import { randomAccessHarness } from './harnesses/random-access.js';
import { serverInstanceHarness } from './harnesses/server-instance.js';
import { serverOpenApiHarness } from './harnesses/server-openapi.js';
import { streamHarness } from './harnesses/stream.js';

export { fuzz, FindingError, type AnyHarness, type FuzzOptions, type FuzzResult, type Harness, type KnownBug } from './harness.js';
export { CORPUS_DIR, formatEntry, parseEntry, readCorpus, saveEntry, type CorpusEntry, type CorpusFile } from './corpus.js';
export { HANG_LIMIT_MS, allocationBudget, isTypedError, outcomeTally, type Finding, type FindingKind } from './oracle.js';
export { applyMutations, mutationArb, mutationsArb, INTERESTING_LENGTHS, type LengthField, type Mutation } from './mutate.js';
export { headerLengthFields, msgpackLengthFields } from './msgpack-fields.js';

/** Every harness, in the order the runner runs them. */
export const HARNESSES: readonly AnyHarness[] = [
  headerHarness,
  blobHarness,
  chunkedHarness,
  streamHarness,
  randomAccessHarness,
  serverOpenApiHarness,
  serverInstanceHarness,
] as readonly AnyHarness[];

/** The harness called `name`, or undefined. */
export function harnessNamed(name: string): AnyHarness | undefined {
  return HARNESSES.find((h) => h.name === name);
}

/** What replaying one corpus file gave. */
export interface ReplayResult {
  readonly finding?: Finding;
  /** The `status` meta line, e.g. `known-bug: ...`. */
  readonly status?: string;
}

/** Replays one corpus entry through its harness (prepare it first). */
export async function replay(harness: AnyHarness, entry: CorpusEntry): Promise<ReplayResult> {
  const finding = await harness.check(harness.fromCorpus(entry));
  const status = entry.meta['status'];
  return { ...(finding === undefined ? {} : { finding }), ...(status === undefined ? {} : { status }) };
}
