import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  CHUNK_SIZE,
  ChunkOpener,
  END_WINDOW,
  MAX_TRAILING_BYTES,
  PAYLOAD_HEADER_LENGTH,
  SEALED_CHUNK_SIZE,
  TrailingDataError,
  TruncatedError,
  chunkOffset,
  judgeUnopenedEnd,
  nodeAesGcm,
  openChunkKeys,
  openMessage,
  sealMessage,
  type AesGcm,
} from '@dek/core';
import { concat, prng, sameBytes, seededBytes, split, thrown } from './helpers/crypto-vectors.js';

const SUITE = 'cobblestone-256';
const KEY = new Uint8Array(32).fill(0x42);
const CTX = new TextEncoder().encode('dek/v1\0end');

/** Streams `ct` through an opener in random pieces; returns the released plaintext and the error. */
function streamOpen(ct: Uint8Array, seed: number, maxPiece: number, aead?: AesGcm): { released: Uint8Array; error: unknown } {
  const random = prng(seed);
  const opener = new ChunkOpener({ suite: SUITE, key: KEY, context: CTX, aead });
  const released: Uint8Array[] = [];
  try {
    for (const piece of split(ct, () => random(1, maxPiece))) released.push(...opener.write(piece));
    released.push(opener.end());
    return { released: concat(released), error: undefined };
  } catch (error) {
    return { released: concat(released), error };
  }
}

/** Message sizes, with final chunks of every length near empty and near full. */
const sizeArb = fc.oneof(
  fc.nat({ max: 3 * CHUNK_SIZE + 300 }),
  fc.tuple(fc.nat({ max: 2 }), fc.nat({ max: 80 })).map(([full, d]) => full * CHUNK_SIZE + d),
  fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 80 })).map(([full, d]) => full * CHUNK_SIZE - d),
);

describe('the end verdict: trailing bytes or tampering', () => {
  it('names 1..64 bytes appended to a valid message DEK_TRAILING_DATA and releases no plaintext past the full chunks', () => {
    fc.assert(
      fc.property(sizeArb, fc.integer({ min: 1, max: MAX_TRAILING_BYTES }), fc.integer(), fc.integer({ min: 1, max: 40_000 }), (size, extra, seed, maxPiece) => {
        const pt = seededBytes(size, seed);
        const ct = sealMessage(SUITE, KEY, pt, CTX);
        const bad = concat([ct, seededBytes(extra, seed ^ 7)]);
        const finalIndex = Math.floor(size / CHUNK_SIZE);
        const oneShot = thrown(() => openMessage(SUITE, KEY, bad, CTX));
        expect(oneShot).toBeInstanceOf(TrailingDataError);
        expect((oneShot as TrailingDataError).details).toEqual({ chunkIndex: finalIndex, trailingLength: extra });
        const { released, error } = streamOpen(bad, seed, maxPiece);
        expect(error).toBeInstanceOf(TrailingDataError);
        expect((error as TrailingDataError).details).toEqual({ chunkIndex: finalIndex, trailingLength: extra });
        // Only whole chunks before the final one: the final chunk opened, but is never released.
        expect(released.length % CHUNK_SIZE).toBe(0);
        expect(released.length).toBeLessThanOrEqual(finalIndex * CHUNK_SIZE);
        expect(sameBytes(released, pt.subarray(0, released.length))).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('keeps DEK_AUTH for a flip in the last chunk, with or without appended bytes, and names the causes', () => {
    fc.assert(
      fc.property(sizeArb, fc.nat({ max: MAX_TRAILING_BYTES }), fc.nat(), fc.integer(), (size, extra, where, seed) => {
        const pt = seededBytes(size, seed);
        const ct = sealMessage(SUITE, KEY, pt, CTX);
        const last = chunkOffset(Math.floor(size / CHUNK_SIZE));
        const bad = concat([ct, seededBytes(extra, seed)]);
        bad[last + (where % (ct.length - last))]! ^= 1 << (where % 8);
        for (const error of [thrown(() => openMessage(SUITE, KEY, bad, CTX)), streamOpen(bad, seed, 20_000).error]) {
          expect(error).toBeInstanceOf(AuthenticationError);
          expect((error as Error).message).toMatch(/damaged or modified, cut inside its last chunk, or followed by appended bytes/);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('keeps DEK_TRUNCATED for a cut at a chunk boundary, even with fewer stray bytes than a tag after it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.nat({ max: 15 }), fc.integer(), (full, stray, seed) => {
        const ct = sealMessage(SUITE, KEY, seededBytes(full * CHUNK_SIZE + 100, seed), CTX);
        const bad = concat([ct.subarray(0, chunkOffset(full)), seededBytes(stray, seed)]);
        expect(thrown(() => openMessage(SUITE, KEY, bad, CTX))).toBeInstanceOf(TruncatedError);
        const { released, error } = streamOpen(bad, seed, 30_000);
        expect(error).toBeInstanceOf(TruncatedError);
        expect(released.length).toBeLessThanOrEqual(full * CHUNK_SIZE);
      }),
      { numRuns: 30 },
    );
    expect(thrown(() => openMessage(SUITE, KEY, sealMessage(SUITE, KEY, new Uint8Array(5), CTX).subarray(0, 40), CTX))).toBeInstanceOf(TruncatedError);
  });

  it('keeps DEK_AUTH for 65 appended bytes, and a damaged middle chunk keeps its own error', () => {
    const pt = seededBytes(2 * CHUNK_SIZE + 10, 1);
    const ct = sealMessage(SUITE, KEY, pt, CTX);
    const appended = concat([ct, seededBytes(MAX_TRAILING_BYTES + 1, 2)]);
    expect(thrown(() => openMessage(SUITE, KEY, appended, CTX))).toBeInstanceOf(AuthenticationError);
    expect(streamOpen(appended, 3, 5000).error).toBeInstanceOf(AuthenticationError);
    const middle = concat([ct, new Uint8Array([0x0a])]);
    middle[chunkOffset(0) + 5]! ^= 1;
    for (const error of [thrown(() => openMessage(SUITE, KEY, middle, CTX)), streamOpen(middle, 4, 5000).error]) {
      expect(error).toBeInstanceOf(AuthenticationError);
      expect((error as AuthenticationError).details.chunkIndex).toBe(0);
      expect((error as Error).message).toBe('chunk 0 failed authentication');
    }
  });

  it('tries at most 64 extra opens, only when the end fails', () => {
    let opens = 0;
    const counting: AesGcm = { ...nodeAesGcm, name: 'counting', open: (...args) => (opens++, nodeAesGcm.open(...args)) };
    const ct = sealMessage(SUITE, KEY, seededBytes(CHUNK_SIZE + 5000, 5), CTX);
    streamOpen(ct, 6, 7000, counting);
    expect(opens).toBe(2);
    opens = 0;
    const damaged = ct.slice();
    damaged[damaged.length - 1]! ^= 1;
    expect(streamOpen(damaged, 6, 7000, counting).error).toBeInstanceOf(AuthenticationError);
    expect(opens).toBe(2 + MAX_TRAILING_BYTES);
  });

  it('judgeUnopenedEnd works on the last END_WINDOW bytes alone, across a chunk boundary', () => {
    // A final chunk of 16399 sealed bytes plus 30 stray bytes spans two 16400-byte slots.
    const pt = seededBytes(2 * CHUNK_SIZE - 1, 8);
    const ct = concat([sealMessage(SUITE, KEY, pt, CTX), seededBytes(30, 9)]);
    const body = ct.subarray(PAYLOAD_HEADER_LENGTH);
    const keys = openChunkKeys(SUITE, KEY, ct.subarray(0, PAYLOAD_HEADER_LENGTH), CTX);
    const failure = new AuthenticationError('chunk 2 failed authentication', { chunkIndex: 2 });
    const verdict = judgeUnopenedEnd(keys, body.length, body.subarray(body.length - END_WINDOW), failure);
    expect(verdict).toBeInstanceOf(TrailingDataError);
    expect(verdict.details).toEqual({ chunkIndex: 1, trailingLength: 30 });
    expect(verdict.message).toBe('30 bytes follow the final chunk (chunk 1)');
    // Without the bytes of the final chunk, the hypothesis cannot be checked.
    expect(judgeUnopenedEnd(keys, body.length, body.subarray(body.length - 100), failure)).toBeInstanceOf(AuthenticationError);
    expect(body.length - SEALED_CHUNK_SIZE).toBe(SEALED_CHUNK_SIZE - 1 + 30);
  });
});
