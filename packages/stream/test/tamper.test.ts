import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  CommitmentError,
  DekError,
  FormatError,
  HeaderMacError,
  KmsError,
  TrailingDataError,
  TruncatedError,
  encodeHeader,
} from '@dek/core';
import { decryptStream, decryptWebStream, encrypt, inspect } from '@dek/stream';
import { FakeKms } from './support/fake-kms.js';
import { concat, pseudoRandomBytes, runNode, runWeb, sameBytes, splitBy } from './support/streams.js';
import type { RunResult } from './support/streams.js';

const CHUNK = 16384;
const SEALED = 16400;

const kms = new FakeKms();
const keyId = kms.createKey();

interface Sample {
  plaintext: Uint8Array;
  envelope: Uint8Array;
  /** Where the c2sp payload starts (9 + n + 32). */
  payloadStart: number;
  /** Where chunk 0 starts. */
  chunksStart: number;
  chunkCount: number;
}

async function sample(length: number, seed: number): Promise<Sample> {
  const plaintext = pseudoRandomBytes(length, seed);
  const envelope = await encrypt(plaintext, { kms, keyId, context: { purpose: 'tamper' } });
  const { headerLength } = await inspect(envelope);
  return { plaintext, envelope, payloadStart: headerLength, chunksStart: headerLength + 56, chunkCount: Math.floor(length / CHUNK) + 1 };
}

/** The failure is typed, the stream did not end, and only whole verified chunks (a prefix) came out. */
function expectSafeFailure(result: RunResult, plaintext: Uint8Array, maxReleased: number): void {
  expect(result.error).toBeInstanceOf(DekError);
  expect(result.ended).toBe(false);
  expect(result.output.length % CHUNK).toBe(0);
  expect(result.output.length).toBeLessThanOrEqual(maxReleased);
  expect(sameBytes(result.output, plaintext.subarray(0, result.output.length))).toBe(true);
}

/** Plaintext that may legitimately come out before a change at byte `position`: the chunks before it. */
function releasable(s: Sample, position: number): number {
  if (position < s.chunksStart) return 0;
  return Math.floor((position - s.chunksStart) / SEALED) * CHUNK;
}

function chunkAt(s: Sample, k: number): Uint8Array {
  const from = s.chunksStart + k * SEALED;
  return s.envelope.subarray(from, Math.min(from + SEALED, s.envelope.length));
}

const writes = fc.oneof(fc.constant([1 << 20]), fc.array(fc.integer({ min: 1, max: 20000 }), { minLength: 1, maxLength: 4 }));

let samples: Sample[];
beforeAll(async () => {
  // 4 chunks with a short final one; 3 chunks whose final chunk is empty.
  samples = [await sample(3 * CHUNK + 100, 1), await sample(2 * CHUNK, 2)];
});

describe('tampered envelopes', () => {
  it('a flipped bit anywhere fails, releasing only the chunks before it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(1), fc.nat(), fc.integer({ min: 0, max: 7 }), writes, async (which, at, bit, w) => {
        const s = samples[which]!;
        const position = at % s.envelope.length;
        const bad = s.envelope.slice();
        bad[position]! ^= 1 << bit;
        expectSafeFailure(await runNode(decryptStream({ kms }), splitBy(bad, w)), s.plaintext, releasable(s, position));
      }),
      { numRuns: 80 },
    );
  });

  it('truncation at any byte fails, releasing only the chunks before the cut', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(1), fc.nat(), writes, async (which, at, w) => {
        const s = samples[which]!;
        const length = at % s.envelope.length;
        const result = await runNode(decryptStream({ kms }), splitBy(s.envelope.subarray(0, length), w));
        expectSafeFailure(result, s.plaintext, releasable(s, length));
        if (length < s.payloadStart + 56) expect(result.error).toBeInstanceOf(TruncatedError);
      }),
      { numRuns: 60 },
    );
  });

  it('truncation exactly at chunk boundaries is a TruncatedError after the verified chunks', async () => {
    for (const s of samples) {
      for (let k = 0; k < s.chunkCount; k++) {
        const result = await runNode(decryptStream({ kms }), [s.envelope.subarray(0, s.chunksStart + k * SEALED)]);
        expectSafeFailure(result, s.plaintext, k * CHUNK);
        expect(result.error).toBeInstanceOf(TruncatedError);
      }
    }
  });

  it('appended bytes fail (up to 64: as trailing data) and the final chunk is never released', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(1), fc.uint8Array({ minLength: 1, maxLength: 20000 }), writes, async (which, extra, w) => {
        const s = samples[which]!;
        const result = await runNode(decryptStream({ kms }), splitBy(concat([s.envelope, extra]), w));
        expectSafeFailure(result, s.plaintext, (s.chunkCount - 1) * CHUNK);
        if (extra.length <= 64) expect(result.error).toBeInstanceOf(TrailingDataError);
      }),
      { numRuns: 40 },
    );
  });

  it('swapped, duplicated or dropped chunks fail at the first chunk out of place', async () => {
    const s = samples[0]!;
    const parts = Array.from({ length: s.chunkCount }, (_, k) => chunkAt(s, k));
    const head = s.envelope.subarray(0, s.chunksStart);
    const cases: [Uint8Array[], number][] = [
      [[parts[1]!, parts[0]!, parts[2]!, parts[3]!], 0],
      [[parts[0]!, parts[2]!, parts[1]!, parts[3]!], 1],
      [[parts[0]!, parts[1]!, parts[3]!, parts[2]!], 2],
      [[parts[0]!, parts[0]!, parts[1]!, parts[2]!, parts[3]!], 1],
      [[parts[0]!, parts[1]!, parts[1]!, parts[2]!, parts[3]!], 2],
      [[parts[0]!, parts[1]!, parts[2]!, parts[3]!, parts[3]!], 3],
      [[parts[1]!, parts[2]!, parts[3]!], 0],
      [[parts[0]!, parts[2]!, parts[3]!], 1],
      [[parts[0]!, parts[1]!, parts[3]!], 2],
    ];
    for (const [order, good] of cases) {
      const result = await runNode(decryptStream({ kms }), [concat([head, ...order])]);
      expectSafeFailure(result, s.plaintext, good * CHUNK);
      expect(result.error).toBeInstanceOf(AuthenticationError);
    }
  });

  it('Web streams fail the same way (error, not close; prefix of whole chunks)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(1), fc.nat(), writes, async (which, at, w) => {
        const s = samples[which]!;
        const position = at % s.envelope.length;
        const bad = s.envelope.slice();
        bad[position]! ^= 0x80;
        expectSafeFailure(await runWeb(decryptWebStream({ kms }), splitBy(bad, w)), s.plaintext, releasable(s, position));
      }),
      { numRuns: 30 },
    );
  });
});

describe('header tampering', () => {
  it('every byte of prelude, body, MAC and payload header: flipping it fails before any plaintext', async () => {
    const s = samples[0]!;
    const seen = new Set<string>();
    for (let position = 0; position < s.chunksStart; position++) {
      const bad = s.envelope.slice();
      bad[position]! ^= 0x01;
      const result = await runNode(decryptStream({ kms }), [bad]);
      expectSafeFailure(result, s.plaintext, 0);
      expect(result.output.length).toBe(0);
      seen.add((result.error as DekError).code);
      // Magic and version are checked before anything else.
      if (position < 5) expect(result.error).toBeInstanceOf(FormatError);
      if (position >= s.payloadStart - 32 && position < s.payloadStart) expect(result.error).toBeInstanceOf(HeaderMacError);
      if (position >= s.payloadStart) expect(result.error).toBeInstanceOf(CommitmentError);
    }
    expect(seen).toContain('DEK_FORMAT');
    expect(seen).toContain('DEK_HEADER_MAC');
    expect(seen).toContain('DEK_COMMITMENT');
    expect(seen).toContain('DEK_KMS');
  });

  it('a header from another file (same key, same context) fails the commitment', async () => {
    const a = samples[0]!;
    const b = samples[1]!;
    const spliced = concat([a.envelope.subarray(0, a.payloadStart), b.envelope.subarray(b.payloadStart)]);
    const result = await runNode(decryptStream({ kms }), [spliced]);
    expectSafeFailure(result, a.plaintext, 0);
    expect(result.error).toBeInstanceOf(CommitmentError);
  });

  it('a changed context fails to unwrap (the KMS Aad binds it)', async () => {
    const s = samples[0]!;
    const info = await inspect(s.envelope);
    const { decodeHeader } = await import('@dek/core');
    const { header, mac } = decodeHeader(s.envelope);
    const maced = encodeHeader({ ...header, context: { purpose: 'other' } });
    const changed = concat([maced, mac, s.envelope.subarray(info.headerLength)]);
    const result = await runNode(decryptStream({ kms }), [changed]);
    expectSafeFailure(result, s.plaintext, 0);
    expect(result.error).toBeInstanceOf(KmsError);
  });

  it('a changed context fails the header MAC even if a broken KMS ignored the Aad', async () => {
    const s = samples[0]!;
    const info = await inspect(s.envelope);
    const { decodeHeader } = await import('@dek/core');
    const { header, mac } = decodeHeader(s.envelope);
    const maced = encodeHeader({ ...header, context: { purpose: 'other' } });
    const changed = concat([maced, mac, s.envelope.subarray(info.headerLength)]);
    const careless = {
      provider: kms.provider,
      advanceGenerateDataKey: kms.advanceGenerateDataKey.bind(kms),
      advanceEncrypt: kms.advanceEncrypt.bind(kms),
      advanceDecrypt: (req: Parameters<FakeKms['advanceDecrypt']>[0]) => {
        // Recompute the Aad of the original context: the KMS "ignores" the caller's Aad.
        return kms.advanceDecrypt({ ...req, aad: originalAad });
      },
    };
    const { encodeContext, kmsAad } = await import('@dek/core');
    const originalAad = kmsAad(encodeContext(header.suite, header.context));
    const result = await runNode(decryptStream({ kms: careless }), [changed]);
    expectSafeFailure(result, s.plaintext, 0);
    expect(result.error).toBeInstanceOf(HeaderMacError);
  });
});
