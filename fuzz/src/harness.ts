/**
 * The harness interface and the fast-check driver shared by the long runner and the short tests.
 *
 * @module
 */
import fc from 'fast-check';
import type { CorpusEntry } from './corpus.js';
import type { Finding } from './oracle.js';

/**
 * A bug a harness already found and reported, not yet fixed. The long and short runs skip the
 * cases it matches (so it does not mask other bugs); its corpus file keeps failing on replay.
 */
export interface KnownBug<C> {
  /** Short id, used in corpus `status` lines. */
  readonly id: string;
  /** What is wrong, where. */
  readonly summary: string;
  /** Whether a case hits this bug. */
  matches(c: C): boolean;
}

/** One fuzz target: how to make cases (valid inputs, mutated), judge them, and save them. */
export interface Harness<C> {
  /** Short name; also the corpus folder `fuzz/corpus/<name>/`. */
  readonly name: string;
  /** What it fuzzes, one line. */
  readonly summary: string;
  /** Runs it gets in the short run inside `pnpm test` (each run costs differently). */
  readonly shortRuns: number;
  /** Gets what {@link Harness.cases} needs (e.g. starts a server); called before it. */
  prepare?(): Promise<void>;
  /** Cases: valid inputs with mutations applied. */
  cases(): fc.Arbitrary<C>;
  /** Runs the decoder(s) on one case; the finding, or undefined when all is well. Never throws. */
  check(c: C): Promise<Finding | undefined>;
  /** The case as a corpus entry. */
  toCorpus(c: C, finding: Finding): CorpusEntry;
  /** A case back from a corpus entry. */
  fromCorpus(entry: CorpusEntry): C;
  /** Open bugs whose cases fuzzing skips. */
  readonly knownBugs?: readonly KnownBug<C>[];
  /** Releases what the harness holds (e.g. a server). */
  close?(): Promise<void>;
}

/** A harness of any case type (the registry holds several; method parameters are bivariant). */
export type AnyHarness = Harness<unknown>;

/** Thrown inside a property to fail it with a finding. */
export class FindingError extends Error {
  readonly finding: Finding;
  constructor(finding: Finding) {
    super(`${finding.kind}: ${finding.message}`);
    this.name = 'FindingError';
    this.finding = finding;
  }
}

/** Options of {@link fuzz}. */
export interface FuzzOptions {
  /** Most runs (default: fast-check's global setting). */
  readonly numRuns?: number;
  /** Stop after this many milliseconds (shrinking included). */
  readonly timeLimitMs?: number;
  /** fast-check seed (default: fast-check's global setting). */
  readonly seed?: number;
}

/** What one {@link fuzz} call found. */
export interface FuzzResult<C> {
  /** Cases generated and checked (shrinking runs not included). */
  readonly runs: number;
  /** Checks executed, shrinking included. */
  readonly executions: number;
  /** The failing case, shrunk, with its finding. */
  readonly failure?: { readonly case: C; readonly finding: Finding };
  readonly seed: number;
}

/** Runs `harness` under fast-check until a failure, the run count, or the time limit. */
export async function fuzz<C>(harness: Harness<C>, options: FuzzOptions = {}): Promise<FuzzResult<C>> {
  let executions = 0;
  await harness.prepare?.();
  const known = harness.knownBugs ?? [];
  const property = fc.asyncProperty(harness.cases(), async (c) => {
    fc.pre(!known.some((bug) => bug.matches(c)));
    executions++;
    const finding = await harness.check(c);
    if (finding !== undefined) throw new FindingError(finding);
  });
  const result = await fc.check(property, {
    ...(options.numRuns === undefined ? {} : { numRuns: options.numRuns }),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.timeLimitMs === undefined ? {} : { interruptAfterTimeLimit: options.timeLimitMs, markInterruptAsFailure: false }),
  });
  const base = { runs: result.numRuns, executions, seed: result.seed };
  if (!result.failed || result.counterexample === null) return base;
  const error = result.errorInstance;
  const finding: Finding =
    error instanceof FindingError ? error.finding : { kind: 'untyped-exception', message: `the harness itself threw: ${String(error)}` };
  return { ...base, failure: { case: result.counterexample[0], finding } };
}
