/**
 * KMS `CiphertextBlob` codec of `@dek/core`: `decodeAdvanceBlob` / `advanceToOpenApiBlob` on
 * mutated advance blobs, `decodeOpenApiBlob` / `openApiToAdvanceBlob` on mutated base64 text
 * (sizes pushed to the minimum and maximum and one past them).
 *
 * Contract checked besides the generic failures: an accepted blob re-encodes to exactly its input
 * (advance bytes, or canonical base64 text), the converters agree with the decoders, and no
 * decoded blob is longer than {@link MAX_BLOB_LENGTH}.
 *
 * @module
 */
import fc from 'fast-check';
import {
  MAX_BLOB_LENGTH,
  MAX_OPENAPI_BLOB_LENGTH,
  MIN_ADVANCE_BLOB_LENGTH,
  MIN_OPENAPI_BLOB_LENGTH,
  advanceToOpenApiBlob,
  decodeAdvanceBlob,
  decodeOpenApiBlob,
  encodeAdvanceBlob,
  encodeOpenApiBlob,
  openApiToAdvanceBlob,
} from '@dek/core';
import type { KmsBlob } from '@dek/core';
import { sameBytes } from '../bytes.js';
import { blobSeeds, openApiBlobSeeds } from '../fixtures.js';
import type { Harness } from '../harness.js';
import { applyMutations, mutationsArb, pushesLengths } from '../mutate.js';
import { genericFindings, measure } from '../oracle.js';
import type { Finding } from '../oracle.js';
import { byteCaseEntry, byteCaseOf, type ByteCase } from './common.js';

/** A blob case: an advance blob (bytes) or an OpenAPI blob (its text as Latin-1 bytes). */
export interface BlobCase extends ByteCase {
  readonly form: 'advance' | 'openapi';
}

const b64Length = (bytes: number): number => Math.ceil(bytes / 3) * 4;
const around = (n: number): number[] => [n - 1, n, n + 1];
const ADVANCE_LENGTHS = [0, 1, 3, ...around(MIN_ADVANCE_BLOB_LENGTH), ...around(MAX_BLOB_LENGTH)];
const OPENAPI_LENGTHS = [0, 1, 4, ...around(b64Length(MIN_OPENAPI_BLOB_LENGTH)), ...around(b64Length(MAX_OPENAPI_BLOB_LENGTH))];
/** Characters worth writing into base64 text: its alphabet's edges, padding, the URL-safe pair, blanks, Latin-1. */
const TEXT_BYTES = [...'AZaz09+/=-_ \n.'].map((c) => c.charCodeAt(0)).concat([0x00, 0xe9, 0xff]);

const latin1 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');

function checkBlob(blob: KmsBlob, where: string): Finding | undefined {
  const size = blob.keyVersionId.length + blob.iv.length + blob.ciphertextAndTag.length;
  if (size > MAX_BLOB_LENGTH) return { kind: 'allocation', message: `${where} produced a ${size}-byte blob, over ${MAX_BLOB_LENGTH}` };
  return undefined;
}

async function checkAdvance(bytes: Uint8Array, heavy: boolean): Promise<Finding | undefined> {
  const decoded = await measure(() => decodeAdvanceBlob(bytes), heavy);
  const f = genericFindings(decoded, 'decodeAdvanceBlob', bytes.length);
  if (f !== undefined) return f;
  const converted = await measure(() => advanceToOpenApiBlob(bytes), heavy);
  const g = genericFindings(converted, 'advanceToOpenApiBlob', bytes.length);
  if (g !== undefined) return g;
  if (decoded.outcome.ok !== converted.outcome.ok) {
    return { kind: 'wrong-verdict', message: 'decodeAdvanceBlob and advanceToOpenApiBlob disagree' };
  }
  if (!decoded.outcome.ok || !converted.outcome.ok) return undefined;
  const h = checkBlob(decoded.outcome.value, 'decodeAdvanceBlob');
  if (h !== undefined) return h;
  if (!sameBytes(encodeAdvanceBlob(decoded.outcome.value), bytes)) {
    return { kind: 'wrong-output', message: 'decodeAdvanceBlob accepted bytes that do not re-encode to themselves' };
  }
  if (!sameBytes(openApiToAdvanceBlob(converted.outcome.value), bytes)) {
    return { kind: 'wrong-output', message: 'advanceToOpenApiBlob does not round-trip' };
  }
  return undefined;
}

async function checkOpenApi(bytes: Uint8Array, heavy: boolean): Promise<Finding | undefined> {
  const text = latin1(bytes);
  const decoded = await measure(() => decodeOpenApiBlob(text), heavy);
  const f = genericFindings(decoded, 'decodeOpenApiBlob', text.length);
  if (f !== undefined) return f;
  const converted = await measure(() => openApiToAdvanceBlob(text), heavy);
  const g = genericFindings(converted, 'openApiToAdvanceBlob', text.length);
  if (g !== undefined) return g;
  if (decoded.outcome.ok !== converted.outcome.ok) {
    return { kind: 'wrong-verdict', message: 'decodeOpenApiBlob and openApiToAdvanceBlob disagree' };
  }
  if (!decoded.outcome.ok || !converted.outcome.ok) return undefined;
  const h = checkBlob(decoded.outcome.value, 'decodeOpenApiBlob');
  if (h !== undefined) return h;
  if (encodeOpenApiBlob(decoded.outcome.value) !== text) {
    return { kind: 'wrong-output', message: 'decodeOpenApiBlob accepted text that is not the canonical base64 of its blob' };
  }
  if (advanceToOpenApiBlob(converted.outcome.value) !== text) {
    return { kind: 'wrong-output', message: 'openApiToAdvanceBlob does not round-trip' };
  }
  return undefined;
}

function formCases(form: 'advance' | 'openapi', seeds: readonly Uint8Array[]): fc.Arbitrary<BlobCase> {
  const lengths = form === 'advance' ? ADVANCE_LENGTHS : OPENAPI_LENGTHS;
  const mutations = fc.oneof(
    mutationsArb({ lengths }),
    // Text: overwrite characters with base64-ish ones (random bytes leave the alphabet at once).
    form === 'openapi'
      ? fc.array(fc.record({ op: fc.constant('set' as const), at: fc.nat(), value: fc.constantFrom(...TEXT_BYTES) }), { minLength: 1, maxLength: 3 })
      : mutationsArb({ lengths }),
  );
  const index = fc.nat({ max: seeds.length - 1 });
  return fc.tuple(index, index, mutations).map(([base, other, m]) => ({
    form,
    base,
    other,
    mutations: m,
    bytes: applyMutations(seeds[base]!, m, seeds[other]!),
  }));
}

/** The blob codec harness. */
export const blobHarness: Harness<BlobCase> = {
  name: 'blob',
  summary: 'decodeAdvanceBlob / decodeOpenApiBlob and the converters on mutated KMS blobs',
  shortRuns: 300,
  cases() {
    return fc.oneof(formCases('advance', blobSeeds()), formCases('openapi', openApiBlobSeeds()));
  },
  check(c) {
    return c.form === 'advance' ? checkAdvance(c.bytes, pushesLengths(c.mutations)) : checkOpenApi(c.bytes, pushesLengths(c.mutations));
  },
  toCorpus: (c, finding) => byteCaseEntry('blob', c, finding, { form: c.form }),
  fromCorpus: (entry) => ({ ...byteCaseOf(entry), form: entry.meta['form'] === 'openapi' ? 'openapi' : 'advance' }),
};
