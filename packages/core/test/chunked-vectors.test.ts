import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  ArgumentError,
  AuthenticationError,
  ChunkOpener,
  ChunkSealer,
  CommitmentError,
  DekError,
  SEALED_CHUNK_SIZE,
  TrailingDataError,
  TruncatedError,
  deriveChunkKeys,
  nobleAesGcm,
  openChunkAt,
  openMessage,
  openRawChunks,
  payloadPlaintextLength,
  rawChunkKeys,
  sealMessage,
  sealRawChunks,
} from '@dek/core';
import { concat, hex, loadVectors, prng, sha512Hex, split, thrown, toHex } from './helpers/crypto-vectors.js';

interface ChunkedTest {
  tcId: number;
  comment: string;
  key: string;
  ctx: string;
  ct: string;
  aeadKey?: string;
  baseNonce?: string;
  msgLength?: number;
  msgSha512?: string;
  result: 'valid' | 'invalid';
  flags: string[];
}

const file = loadVectors<{ numberOfTests: number; testGroups: { aead: string; sha: string; tests: ChunkedTest[] }[] }>(
  'c2sp_chunked_encryption_aes_256_gcm_test.json',
);
const tests = file.testGroups.flatMap((g) => g.tests);
const valid = tests.filter((t) => t.result === 'valid');
const invalid = tests.filter((t) => t.result === 'invalid');
const ciphertext = new Map(tests.map((t) => [t.tcId, new Uint8Array(inflateSync(hex(t.ct)))]));
const ct = (t: ChunkedTest): Uint8Array => ciphertext.get(t.tcId)!;
const has = (t: ChunkedTest, flag: string): boolean => t.flags.includes(flag);
const SUITE = 'cobblestone-256';

/** The error classes acceptable for an invalid vector, from its flags. */
function expectedErrors(t: ChunkedTest): Array<new (...args: never[]) => DekError> {
  if (has(t, 'InvalidKeySize')) return [ArgumentError];
  if (has(t, 'HeaderFailure')) return has(t, 'Truncation') ? [TruncatedError] : [CommitmentError];
  // dek names appended bytes after a valid final chunk (docs/FORMAT.md, "Decryption verdicts").
  if (has(t, 'TrailingData')) return [TruncatedError, AuthenticationError, TrailingDataError];
  return [TruncatedError, AuthenticationError];
}

/** Feeds `data` to an opener in pieces; returns released plaintext and the error (if any). */
function stream(t: ChunkedTest, data: Uint8Array, size: () => number): { released: Uint8Array[]; error: unknown; opener?: ChunkOpener } {
  const released: Uint8Array[] = [];
  let opener: ChunkOpener;
  try {
    opener = new ChunkOpener({ suite: SUITE, key: hex(t.key), context: hex(t.ctx) });
  } catch (error) {
    return { released, error };
  }
  try {
    for (const piece of split(data, size)) released.push(...opener.write(piece));
    released.push(opener.end());
    return { released, error: undefined, opener };
  } catch (error) {
    return { released, error, opener };
  }
}

describe('Wycheproof c2sp chunked encryption, Cobblestone-256', () => {
  it('has the expected vectors', () => {
    expect(file.testGroups.map((g) => [g.aead, g.sha])).toEqual([['AEAD_AES_256_GCM', 'SHA-512']]);
    expect([tests.length, file.numberOfTests, valid.length, invalid.length]).toEqual([35, 35, 10, 25]);
  });

  it('derives each vector\'s aeadKey and baseNonce from key, salt and ctx', () => {
    let checked = 0;
    for (const t of tests.filter((x) => x.aeadKey !== undefined)) {
      const keys = deriveChunkKeys(SUITE, hex(t.key), ct(t).subarray(0, 24), hex(t.ctx));
      expect([toHex(keys.aeadKey), toHex(keys.baseNonce)], `tcId ${t.tcId}`).toEqual([t.aeadKey, t.baseNonce]);
      if (t.result === 'valid') expect(toHex(keys.commitment)).toBe(toHex(ct(t).subarray(24, 56)));
      checked++;
    }
    expect(checked).toBe(25);
  });

  it.each(valid.map((t) => [t.tcId, t] as const))('valid #%i decrypts one-shot, streamed, raw; re-encrypts exactly', (_, t) => {
    const key = hex(t.key);
    const ctx = hex(t.ctx);
    const c = ct(t);
    const pt = openMessage(SUITE, key, c, ctx);
    expect([pt.length, sha512Hex([pt])]).toEqual([t.msgLength, t.msgSha512]);
    expect(payloadPlaintextLength(c.length)).toBe(t.msgLength);

    const random = prng(t.tcId);
    for (const size of [() => random(1, 40_000), () => random(1, 100), () => c.length]) {
      const { released, error } = stream(t, c, size);
      expect(error).toBeUndefined();
      expect(sha512Hex(released)).toBe(t.msgSha512);
    }

    const raw = rawChunkKeys(SUITE, hex(t.aeadKey!), hex(t.baseNonce!));
    expect(sha512Hex([openRawChunks(raw, c.subarray(56))])).toBe(t.msgSha512);
    expect(toHex(sealRawChunks(raw, pt)) === toHex(c.subarray(56))).toBe(true);

    const salt = c.subarray(0, 24);
    expect(toHex(sealMessage(SUITE, key, pt, ctx, { salt })) === toHex(c)).toBe(true);
    const sealer = new ChunkSealer({ suite: SUITE, key, context: ctx, salt });
    const out = [sealer.header];
    for (const piece of split(pt, () => random(1, 40_000))) out.push(...sealer.write(piece));
    out.push(sealer.end());
    expect(toHex(concat(out)) === toHex(c)).toBe(true);

    // Random access: authenticating the length through the final chunk succeeds.
    const finalIndex = Math.floor((c.length - 56) / SEALED_CHUNK_SIZE);
    expect(openChunkAt(raw, finalIndex, c.subarray(56 + finalIndex * SEALED_CHUNK_SIZE), true)).toHaveLength(t.msgLength! % 16384);
  });

  it('valid vectors also decrypt with the noble backend', () => {
    for (const t of valid) {
      const pt = openMessage(SUITE, hex(t.key), ct(t), hex(t.ctx), { aead: nobleAesGcm });
      expect(sha512Hex([pt]), `tcId ${t.tcId}`).toBe(t.msgSha512);
    }
  });

  it.each(invalid.map((t) => [t.tcId, t.flags.join(','), t] as const))('invalid #%i (%s) fails one-shot, streamed and raw', (_, __, t) => {
    const errorTypes = expectedErrors(t);
    const isExpected = (e: unknown): boolean => errorTypes.some((E) => e instanceof E);
    const oneShot = thrown(() => openMessage(SUITE, hex(t.key), ct(t), hex(t.ctx)));
    expect(isExpected(oneShot), `one-shot threw ${String(oneShot)}`).toBe(true);
    expect(thrown(() => openMessage(SUITE, hex(t.key), ct(t), hex(t.ctx), { aead: nobleAesGcm }))?.constructor).toBe(oneShot!.constructor);

    // Streaming in pieces no larger than a sealed chunk releases exactly the valid prefix.
    const prefixLength = has(t, 'PartialPlaintext') ? t.msgLength! : 0;
    const random = prng(1000 + t.tcId);
    const small = stream(t, ct(t), () => random(1, SEALED_CHUNK_SIZE));
    expect(isExpected(small.error), `stream threw ${String(small.error)}`).toBe(true);
    expect(small.released.reduce((n, p) => n + p.length, 0)).toBe(prefixLength);
    if (prefixLength > 0) expect(sha512Hex(small.released)).toBe(t.msgSha512);
    // ...and keeps failing with the same error.
    if (small.opener !== undefined) {
      expect(thrown(() => small.opener!.write(new Uint8Array(1)))).toBe(small.error);
      expect(thrown(() => small.opener!.end())).toBe(small.error);
      expect(thrown(() => small.opener!.end())).toBe(small.error);
    }
    // Bigger pieces may release less, never more, and only whole verified chunks of the prefix.
    const big = stream(t, ct(t), () => random(1, 100_000));
    expect(isExpected(big.error)).toBe(true);
    const bigLength = big.released.reduce((n, p) => n + p.length, 0);
    expect(bigLength <= prefixLength && bigLength % 16384 === 0).toBe(true);

    if (!has(t, 'HeaderFailure')) {
      const raw = rawChunkKeys(SUITE, hex(t.aeadKey!), hex(t.baseNonce!));
      const body = ct(t).subarray(56);
      expect(isExpected(thrown(() => openRawChunks(raw, body)))).toBe(true);
      // Length authentication through the final chunk fails unless the vector says it may pass.
      const finalIndex = Math.floor(body.length / SEALED_CHUNK_SIZE);
      const final = thrown(() => openChunkAt(raw, finalIndex, body.subarray(finalIndex * SEALED_CHUNK_SIZE), true));
      if (has(t, 'ValidFinalChunk')) expect(final).toBeUndefined();
      else expect(isExpected(final)).toBe(true);
    }
  });

  it('gives the TrailingData vectors dek\'s verdicts, one-shot, streamed and raw', () => {
    // #18: a full chunk, then 20 bytes and no final chunk; #19: the same with 12 bytes (less than a
    // tag); #35: a valid 17-byte final chunk followed by a 17-byte chunk sealed as the next one.
    const verdicts = new Map<number, new (...args: never[]) => DekError>([
      [18, AuthenticationError],
      [19, TruncatedError],
      [35, TrailingDataError],
    ]);
    for (const t of invalid.filter((x) => has(x, 'TrailingData'))) {
      const expected = verdicts.get(t.tcId);
      const raw = rawChunkKeys(SUITE, hex(t.aeadKey!), hex(t.baseNonce!));
      expect(thrown(() => openMessage(SUITE, hex(t.key), ct(t), hex(t.ctx))), `tcId ${t.tcId}`).toBeInstanceOf(expected!);
      expect(stream(t, ct(t), () => 1000).error, `tcId ${t.tcId}`).toBeInstanceOf(expected!);
      expect(thrown(() => openRawChunks(raw, ct(t).subarray(56))), `tcId ${t.tcId}`).toBeInstanceOf(expected!);
    }
    const t35 = invalid.find((t) => t.tcId === 35)!;
    expect((stream(t35, ct(t35), () => 7).error as TrailingDataError).details).toMatchObject({ chunkIndex: 1, trailingLength: 17 });
  });

  it('classifies the invalid vectors as expected', () => {
    const count = (f: (t: ChunkedTest) => boolean): number => invalid.filter(f).length;
    expect(count((t) => has(t, 'InvalidKeySize'))).toBe(2);
    expect(count((t) => has(t, 'HeaderFailure'))).toBe(10);
    expect(count((t) => has(t, 'PartialPlaintext'))).toBe(9);
    expect(count((t) => !has(t, 'HeaderFailure'))).toBe(15);
  });
});
