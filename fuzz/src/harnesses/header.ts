/**
 * Envelope header codec of `@dek/core`: `readPrelude`, `decodeHeader`, `verifyHeaderMac` on
 * mutated headers (random valid headers and fixtures at every limit; the prelude's u32 `n` and
 * every MessagePack length prefix pushed to its limits or re-encoded in a longer form).
 *
 * Contract checked besides the generic failures: an accepted header re-encodes to exactly the
 * bytes it came from (no two encodings of one header), `readPrelude` agrees with the bytes, and
 * the MAC verifies only for the unmodified header and MAC.
 *
 * @module
 */
import fc from 'fast-check';
import {
  ENVELOPE_MAGIC,
  ENVELOPE_VERSION,
  HEADER_MAC_LENGTH,
  MAX_HEADER_BODY_LENGTH,
  PRELUDE_LENGTH,
  decodeHeader,
  encodeHeader,
  readPrelude,
  verifyHeaderMac,
} from '@dek/core';
import type { DecodedHeader } from '@dek/core';
import { fromHex, sameBytes, toHex } from '../bytes.js';
import type { CorpusEntry } from '../corpus.js';
import { HEADER_KEY, headerArb, headerSeeds } from '../fixtures.js';
import type { Harness } from '../harness.js';
import { applyMutations, mutationsArb, pushesLengths } from '../mutate.js';
import { headerLengthFields } from '../msgpack-fields.js';
import { genericFindings, measure } from '../oracle.js';
import type { Finding } from '../oracle.js';
import { byteCaseMeta, type ByteCase } from './common.js';

/** A header case: the valid header it was made from travels with it (generated ones are not fixtures). */
export interface HeaderCase extends ByteCase {
  readonly valid: Uint8Array;
}

const HEADER_LENGTHS = [0, 4, 5, 8, 9, 10, PRELUDE_LENGTH + HEADER_MAC_LENGTH, 100, MAX_HEADER_BODY_LENGTH + 41, MAX_HEADER_BODY_LENGTH + 42];

function bigEndian32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) >>> 0) + (bytes[at + 1]! << 16) + (bytes[at + 2]! << 8) + bytes[at + 3]!;
}

function checkPrelude(bytes: Uint8Array, prelude: { bodyLength: number; headerLength: number }): Finding | undefined {
  const magicOk = bytes.length >= PRELUDE_LENGTH && ENVELOPE_MAGIC.every((b, i) => bytes[i] === b) && bytes[4] === ENVELOPE_VERSION;
  const n = bytes.length >= PRELUDE_LENGTH ? bigEndian32(bytes, 5) : -1;
  if (!magicOk || prelude.bodyLength !== n || n < 1 || n > MAX_HEADER_BODY_LENGTH || prelude.headerLength !== PRELUDE_LENGTH + n + HEADER_MAC_LENGTH) {
    return { kind: 'wrong-output', message: `readPrelude accepted a bad prelude or misread n (got bodyLength ${prelude.bodyLength})` };
  }
  return undefined;
}

function checkDecoded(bytes: Uint8Array, decoded: DecodedHeader): Finding | undefined {
  if (decoded.headerLength > bytes.length || decoded.macedLength + HEADER_MAC_LENGTH !== decoded.headerLength) {
    return { kind: 'wrong-output', message: `decodeHeader reports headerLength ${decoded.headerLength} for ${bytes.length} input bytes` };
  }
  let encoded: Uint8Array;
  try {
    encoded = encodeHeader(decoded.header);
  } catch (error) {
    return { kind: 'wrong-output', message: `decodeHeader accepted a header that encodeHeader refuses: ${String(error)}` };
  }
  if (!sameBytes(encoded, bytes.subarray(0, decoded.macedLength))) {
    return { kind: 'wrong-output', message: 'decodeHeader accepted a non-canonical header (it does not re-encode to its bytes)' };
  }
  if (!sameBytes(decoded.mac, bytes.subarray(decoded.macedLength, decoded.headerLength))) {
    return { kind: 'wrong-output', message: 'decodeHeader returned a MAC other than the stored one' };
  }
  return undefined;
}

async function check(c: HeaderCase): Promise<Finding | undefined> {
  const { bytes, valid } = c;
  const heavy = pushesLengths(c.mutations);

  const prelude = await measure(() => readPrelude(bytes), heavy);
  const preludeFinding = genericFindings(prelude, 'readPrelude', bytes.length);
  if (preludeFinding !== undefined) return preludeFinding;
  if (prelude.outcome.ok) {
    const f = checkPrelude(bytes, prelude.outcome.value);
    if (f !== undefined) return f;
  }

  const decoded = await measure(() => decodeHeader(bytes), heavy);
  const decodeFinding = genericFindings(decoded, 'decodeHeader', bytes.length);
  if (decodeFinding !== undefined) return decodeFinding;
  if (decoded.outcome.ok) {
    if (!prelude.outcome.ok) return { kind: 'wrong-verdict', message: 'decodeHeader accepted what readPrelude rejects' };
    const f = checkDecoded(bytes, decoded.outcome.value);
    if (f !== undefined) return f;
  }

  // The MAC over the span the valid header's prelude announces: verifies only if nothing in it changed.
  const macedLength = readPrelude(valid).headerLength - HEADER_MAC_LENGTH;
  const maced = bytes.subarray(0, macedLength);
  const mac = bytes.subarray(macedLength, macedLength + HEADER_MAC_LENGTH);
  const verified = await measure(() => verifyHeaderMac(HEADER_KEY, maced, mac), false);
  const macFinding = genericFindings(verified, 'verifyHeaderMac', bytes.length);
  if (macFinding !== undefined) return macFinding;
  // A splice can rebuild the other fixture exactly: its span verifies too (same key).
  const sealed = [valid, headerSeeds()[c.other]].filter((v): v is Uint8Array => v !== undefined);
  const span = macedLength + HEADER_MAC_LENGTH;
  const unchanged = sealed.some((v) => v.length >= span && readPrelude(v).headerLength === span && sameBytes(bytes.subarray(0, span), v.subarray(0, span)));
  if (verified.outcome.ok !== unchanged) {
    return { kind: 'wrong-verdict', message: `verifyHeaderMac ${verified.outcome.ok ? 'accepted a modified' : 'rejected the valid'} header` };
  }
  return undefined;
}

/** The header codec harness. */
export const headerHarness: Harness<HeaderCase> = {
  name: 'header',
  summary: 'readPrelude / decodeHeader / verifyHeaderMac on mutated envelope headers',
  shortRuns: 300,
  cases() {
    const seeds = headerSeeds();
    const valid = fc.oneof(
      { weight: 1, arbitrary: fc.nat({ max: seeds.length - 1 }).map((i) => ({ index: i, bytes: seeds[i]! })) },
      { weight: 2, arbitrary: headerArb().map((bytes) => ({ index: -1, bytes })) },
    );
    const options = { lengths: HEADER_LENGTHS, lengthFields: true };
    return fc.tuple(valid, fc.nat({ max: seeds.length - 1 }), mutationsArb(options)).map(([v, other, mutations]) => ({
      base: v.index,
      other,
      mutations,
      valid: v.bytes,
      bytes: applyMutations(v.bytes, mutations, seeds[other]!, headerLengthFields(v.bytes)),
    }));
  },
  check,
  toCorpus(c: HeaderCase, finding: Finding): CorpusEntry {
    // A fixture is named by its index; a generated valid header travels as hex.
    const valid: Record<string, string> = c.base >= 0 ? {} : { valid: toHex(c.valid) };
    return { format: 'hex', meta: { ...byteCaseMeta('header', c, finding), ...valid }, bytes: c.bytes };
  },
  fromCorpus(entry: CorpusEntry): HeaderCase {
    if (entry.format !== 'hex') throw new Error('expected a hex corpus entry');
    const base = Number(entry.meta['base'] ?? -1);
    const valid = base >= 0 ? headerSeeds()[base] : fromHex(entry.meta['valid'] ?? '');
    if (valid === undefined) throw new Error(`no header fixture ${base}`);
    return { base, other: Number(entry.meta['other'] ?? 0), mutations: [], bytes: entry.bytes, valid };
  },
};
