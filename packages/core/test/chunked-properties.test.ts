import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ArgumentError,
  AuthenticationError,
  CHUNK_SIZE,
  ChunkOpener,
  ChunkSealer,
  CommitmentError,
  DekError,
  FormatError,
  MAX_CHUNKS,
  PAYLOAD_HEADER_LENGTH,
  SEALED_CHUNK_SIZE,
  StateError,
  SUITES,
  TruncatedError,
  chunkCount,
  chunkOffset,
  deriveChunkKeys,
  getSuite,
  nobleAesGcm,
  nodeAesGcm,
  openChunk,
  openChunkAt,
  openChunkKeys,
  openMessage,
  payloadPlaintextLength,
  rawChunkKeys,
  sealChunk,
  sealChunkInto,
  sealMessage,
  sealedPayloadLength,
  type AesGcm,
  type SuiteName,
} from '@dek/core';
import { concat, prng, sameBytes, seededBytes as bytes, split, thrown as caught, toHex } from './helpers/crypto-vectors.js';

const SUITE_NAMES: readonly SuiteName[] = ['cobblestone-256', 'cobblestone-128'];
const keyFor = (suite: SuiteName, fill = 0x42): Uint8Array => new Uint8Array(SUITES[suite].keyLength).fill(fill);
const CTX = new TextEncoder().encode('dek/v1\0test');
const SALT = new Uint8Array(24).fill(0x5a);

/** Streams `ct` through an opener in pieces of at most one sealed chunk; returns what was released. */
function streamOpen(suite: SuiteName, key: Uint8Array, ct: Uint8Array, seed: number, maxPiece = SEALED_CHUNK_SIZE) {
  const random = prng(seed);
  const opener = new ChunkOpener({ suite, key, context: CTX });
  const released: Uint8Array[] = [];
  let error: unknown;
  try {
    for (const piece of split(ct, () => random(1, maxPiece))) released.push(...opener.write(piece));
    released.push(opener.end());
  } catch (e) {
    error = e;
  }
  return { opener, released: concat(released), error };
}

/** A damaged ciphertext must fail one-shot (releasing nothing) and streamed (releasing only a verified prefix). */
function expectRejected(suite: SuiteName, key: Uint8Array, pt: Uint8Array, bad: Uint8Array, maxPrefix: number, seed: number): void {
  const oneShot = caught(() => openMessage(suite, key, bad, CTX));
  expect(oneShot).toBeInstanceOf(DekError);
  const { released, error } = streamOpen(suite, key, bad, seed);
  expect(error).toBeInstanceOf(DekError);
  expect(error!.constructor).toBe(oneShot!.constructor);
  expect(released.length).toBeLessThanOrEqual(maxPrefix);
  expect(released.length % CHUNK_SIZE).toBe(0);
  expect(sameBytes(released, pt.subarray(0, released.length))).toBe(true);
}

const SIZES = [0, 1, 16383, 16384, 16385, 3 * 16384, 3 * 16384 + 100, 40_000];

describe.each(SUITE_NAMES)('%s', (suite) => {
  const key = keyFor(suite);

  it.each(SIZES)('round-trips %i bytes; length helpers agree', (size) => {
    const pt = bytes(size, size);
    const ct = sealMessage(suite, key, pt, CTX);
    const count = Math.floor(size / CHUNK_SIZE) + 1;
    expect(ct.length).toBe(sealedPayloadLength(size));
    expect(ct.length).toBe(PAYLOAD_HEADER_LENGTH + size + 16 * count);
    expect(chunkCount(size)).toBe(count);
    expect(payloadPlaintextLength(ct.length)).toBe(size);
    expect(sameBytes(openMessage(suite, key, ct, CTX), pt)).toBe(true);
    // Chunk k sits at chunkOffset(k); the last one is short, and opening it authenticates the length.
    const keys = openChunkKeys(suite, key, ct.subarray(0, PAYLOAD_HEADER_LENGTH), CTX);
    for (let k = 0; k < count; k++) {
      const isFinal = k === count - 1;
      const sealed = ct.subarray(chunkOffset(k), isFinal ? ct.length : chunkOffset(k + 1));
      const chunk = openChunkAt(keys, k, sealed, isFinal);
      expect(sameBytes(chunk, pt.subarray(k * CHUNK_SIZE, k * CHUNK_SIZE + chunk.length))).toBe(true);
      expect(chunk.length).toBe(isFinal ? size % CHUNK_SIZE : CHUNK_SIZE);
    }
  });

  it('gives byte-identical output with either backend and opens across them', () => {
    for (const size of [0, 5, 16384, 20_000]) {
      const pt = bytes(size, 7 + size);
      const viaNode = sealMessage(suite, key, pt, CTX, { salt: SALT, aead: nodeAesGcm });
      const viaNoble = sealMessage(suite, key, pt, CTX, { salt: SALT, aead: nobleAesGcm });
      expect(toHex(viaNode)).toBe(toHex(viaNoble));
      expect(sameBytes(openMessage(suite, key, viaNode, CTX, { aead: nobleAesGcm }), pt)).toBe(true);
    }
  });

  it('seals and opens incrementally, in any split, exactly like the one-shot', () => {
    fc.assert(
      fc.property(fc.nat({ max: 3 * 16384 + 300 }), fc.integer(), fc.integer({ min: 1, max: 40_000 }), (size, seed, maxPiece) => {
        const pt = bytes(size, seed);
        const oneShot = sealMessage(suite, key, pt, CTX, { salt: SALT });
        const random = prng(seed);
        const sealer = new ChunkSealer({ suite, key, context: CTX, salt: SALT });
        const out = [sealer.header];
        for (const piece of split(pt, () => random(1, maxPiece))) out.push(...sealer.write(piece));
        out.push(sealer.end());
        expect(sealer.plaintextLength).toBe(size);
        expect(sameBytes(concat(out), oneShot)).toBe(true);
        const { released, error } = streamOpen(suite, key, oneShot, seed ^ 1, maxPiece);
        expect(error).toBeUndefined();
        expect(sameBytes(released, pt)).toBe(true);
      }),
      { numRuns: 40 },
    );
  });

  it('rejects every single-bit flip of a small message, releasing nothing', () => {
    const pt = bytes(40, 1);
    const ct = sealMessage(suite, key, pt, CTX);
    for (let bit = 0; bit < ct.length * 8; bit++) {
      const bad = ct.slice();
      bad[bit >> 3]! ^= 1 << (bit & 7);
      const error = caught(() => openMessage(suite, key, bad, CTX));
      expect(error).toBeInstanceOf(bit < PAYLOAD_HEADER_LENGTH * 8 ? CommitmentError : AuthenticationError);
      expect(streamOpen(suite, key, bad, bit).released.length).toBe(0);
    }
  });

  it('rejects sampled bit flips of a 4-chunk message, releasing only chunks before the flip', () => {
    const pt = bytes(3 * 16384 + 100, 2);
    const ct = sealMessage(suite, key, pt, CTX);
    const random = prng(3);
    const positions = new Set<number>();
    for (let i = 0; i < PAYLOAD_HEADER_LENGTH; i++) positions.add(i);
    for (let k = 0; k < 4; k++) for (const d of [0, 1, 16383, 16384, 16399]) if (chunkOffset(k) + d < ct.length) positions.add(chunkOffset(k) + d);
    positions.add(ct.length - 1);
    while (positions.size < 400) positions.add(random(0, ct.length - 1));
    for (const at of positions) {
      const bad = ct.slice();
      bad[at]! ^= 1 << random(0, 7);
      const chunk = at < PAYLOAD_HEADER_LENGTH ? 0 : Math.floor((at - PAYLOAD_HEADER_LENGTH) / SEALED_CHUNK_SIZE);
      expectRejected(suite, key, pt, bad, chunk * CHUNK_SIZE, at);
    }
  });

  it('rejects truncation at every length of a small message and sampled lengths of a large one', () => {
    const small = bytes(300, 4);
    const smallCt = sealMessage(suite, key, small, CTX);
    for (let length = 0; length < smallCt.length; length++) {
      const error = caught(() => openMessage(suite, key, smallCt.subarray(0, length), CTX));
      expect(error).toBeInstanceOf(length < 72 ? TruncatedError : AuthenticationError);
      expect(streamOpen(suite, key, smallCt.subarray(0, length), length).released.length).toBe(0);
    }
    const pt = bytes(3 * 16384 + 100, 5);
    const ct = sealMessage(suite, key, pt, CTX);
    const random = prng(6);
    const lengths = new Set<number>([0, 55, 56, 57, 71, 72]);
    for (let k = 1; k <= 3; k++) for (const d of [-17, -16, -15, -1, 0, 1, 15, 16, 17]) lengths.add(chunkOffset(k) + d);
    while (lengths.size < 150) lengths.add(random(0, ct.length - 1));
    for (const length of lengths) {
      const verified = Math.max(0, Math.floor((length - PAYLOAD_HEADER_LENGTH) / SEALED_CHUNK_SIZE));
      expectRejected(suite, key, pt, ct.subarray(0, length), Math.min(verified, 3) * CHUNK_SIZE, length);
      if ((length - PAYLOAD_HEADER_LENGTH) % SEALED_CHUNK_SIZE === 0) {
        expect(caught(() => openMessage(suite, key, ct.subarray(0, length), CTX))).toBeInstanceOf(TruncatedError);
      }
    }
  });

  it('rejects extension by bytes or by a whole chunk', () => {
    const pt = bytes(3 * 16384 + 100, 7);
    const ct = sealMessage(suite, key, pt, CTX);
    for (let extra = 1; extra <= 40; extra++) {
      expectRejected(suite, key, pt, concat([ct, bytes(extra, extra)]), 3 * CHUNK_SIZE, extra);
    }
    const chunk0 = ct.subarray(chunkOffset(0), chunkOffset(1));
    expectRejected(suite, key, pt, concat([ct, chunk0]), 3 * CHUNK_SIZE, 99);
    expectRejected(suite, key, pt, concat([ct, ct.subarray(chunkOffset(3))]), 3 * CHUNK_SIZE, 98);
  });

  it('rejects swapped, duplicated and dropped chunks', () => {
    const pt = bytes(3 * 16384 + 100, 8);
    const ct = sealMessage(suite, key, pt, CTX);
    const chunk = (k: number): Uint8Array => ct.subarray(chunkOffset(k), k === 3 ? ct.length : chunkOffset(k + 1));
    const header = ct.subarray(0, PAYLOAD_HEADER_LENGTH);
    const cases: Array<[Uint8Array, number]> = [
      [concat([header, chunk(1), chunk(0), chunk(2), chunk(3)]), 0],
      [concat([header, chunk(0), chunk(0), chunk(2), chunk(3)]), 1],
      [concat([header, chunk(0), chunk(2), chunk(3)]), 1],
      [concat([header, chunk(0), chunk(1), chunk(2)]), 3], // final chunk dropped: 3 genuine chunks, then truncation
    ];
    for (const [bad, failing] of cases) {
      const error = caught(() => openMessage(suite, key, bad, CTX));
      expect(error).toBeInstanceOf(DekError);
      // One write holding everything: the call fails as a whole and counts nothing as released.
      const whole = new ChunkOpener({ suite, key, context: CTX });
      expect(caught(() => [whole.write(bad), whole.end()])).toBeInstanceOf(DekError);
      expect(whole.plaintextLength).toBe(failing === 3 ? 3 * CHUNK_SIZE : 0);
      const streamed = streamOpen(suite, key, bad, failing);
      expect(streamed.released.length).toBe(failing * CHUNK_SIZE);
      expect(sameBytes(streamed.released, pt.subarray(0, failing * CHUNK_SIZE))).toBe(true);
    }
    expect(caught(() => openMessage(suite, key, cases[3]![0], CTX))).toBeInstanceOf(TruncatedError);
    const swapped = caught(() => openMessage(suite, key, cases[0]![0], CTX));
    expect(swapped).toBeInstanceOf(AuthenticationError);
    expect((swapped as AuthenticationError).details.chunkIndex).toBe(0);
  });

  it('binds key and context through the commitment', () => {
    const ct = sealMessage(suite, key, bytes(10, 9), CTX);
    expect(caught(() => openMessage(suite, keyFor(suite, 1), ct, CTX))).toBeInstanceOf(CommitmentError);
    expect(caught(() => openMessage(suite, key, ct, new Uint8Array(0)))).toBeInstanceOf(CommitmentError);
    const opener = new ChunkOpener({ suite, key: keyFor(suite, 1), context: CTX });
    expect(opener.write(ct.subarray(0, 55))).toEqual([]);
    expect(caught(() => opener.write(ct.subarray(55, 56)))).toBeInstanceOf(CommitmentError);
  });
});

describe('chunk nonces and limits', () => {
  const keys = rawChunkKeys('cobblestone-128', new Uint8Array(16).fill(3), Uint8Array.from([0xa0, 1, 2, 3, 4, 5, 6, 0xff, 0xff, 0xff, 0xff, 0xff]));

  it('uses base nonce XOR the big-endian chunk index', () => {
    const pt = new Uint8Array([1, 2, 3]);
    for (const index of [0, 1, 255, 256, 65_535, 2 ** 32 - 1, 2 ** 32, 2 ** 37 + 5, MAX_CHUNKS - 1]) {
      const nonce = keys.baseNonce.slice();
      let rest = index;
      for (let i = 11; i >= 0; i--) {
        nonce[i]! ^= rest % 256;
        rest = Math.floor(rest / 256);
      }
      expect(toHex(sealChunk(keys, index, pt)), `index ${index}`).toBe(toHex(nodeAesGcm.seal(keys.aeadKey, nonce, pt)));
    }
  });

  it('rejects chunk indices outside 0 .. 2^38 - 1', () => {
    for (const index of [-1, 1.5, Number.NaN, MAX_CHUNKS]) {
      expect(() => sealChunk(keys, index, new Uint8Array(1))).toThrow(ArgumentError);
      expect(() => openChunk(keys, index, new Uint8Array(16))).toThrow(ArgumentError);
      expect(() => chunkOffset(index)).toThrow(ArgumentError);
    }
  });

  it('checks chunk sizes', () => {
    expect(() => sealChunk(keys, 0, new Uint8Array(CHUNK_SIZE + 1))).toThrow(ArgumentError);
    expect(() => sealChunkInto(keys, 0, new Uint8Array(3), new Uint8Array(20))).toThrow(ArgumentError);
    expect(() => openChunk(keys, 0, new Uint8Array(SEALED_CHUNK_SIZE + 1))).toThrow(ArgumentError);
    expect(() => openChunk(keys, 0, new Uint8Array(15))).toThrow(TruncatedError);
    const full = sealChunk(keys, 4, new Uint8Array(CHUNK_SIZE));
    expect(openChunkAt(keys, 4, full, false)).toHaveLength(CHUNK_SIZE);
    expect(() => openChunkAt(keys, 4, full, true)).toThrow(TruncatedError);
    expect(() => openChunkAt(keys, 4, full.subarray(1), false)).toThrow(TruncatedError);
    const error = caught(() => openChunk(keys, 5, full));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).details.chunkIndex).toBe(5);
  });

  it('length helpers reject impossible lengths and enforce the 2^38-chunk limit', () => {
    for (const length of [0, 55, 56, 56 + 15, 56 + SEALED_CHUNK_SIZE, 56 + SEALED_CHUNK_SIZE + 15, 56 + 2 * SEALED_CHUNK_SIZE]) {
      expect(() => payloadPlaintextLength(length), `length ${length}`).toThrow(TruncatedError);
    }
    expect(payloadPlaintextLength(56 + 16)).toBe(0);
    expect(payloadPlaintextLength(56 + SEALED_CHUNK_SIZE + 16)).toBe(CHUNK_SIZE);
    for (const bad of [-1, 0.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1]) {
      expect(() => payloadPlaintextLength(bad)).toThrow(ArgumentError);
      expect(() => sealedPayloadLength(bad)).toThrow(ArgumentError);
    }
    expect(chunkCount(MAX_CHUNKS * CHUNK_SIZE - 1)).toBe(MAX_CHUNKS);
    expect(() => chunkCount(MAX_CHUNKS * CHUNK_SIZE)).toThrow(ArgumentError);
    expect(payloadPlaintextLength(56 + (MAX_CHUNKS - 1) * SEALED_CHUNK_SIZE + 16)).toBe((MAX_CHUNKS - 1) * CHUNK_SIZE);
    expect(() => payloadPlaintextLength(56 + MAX_CHUNKS * SEALED_CHUNK_SIZE + 16)).toThrow(FormatError);
    expect(chunkOffset(MAX_CHUNKS - 1)).toBe(56 + (MAX_CHUNKS - 1) * SEALED_CHUNK_SIZE);
  });
});

describe('arguments and suites', () => {
  const fieldOf = (f: () => unknown): unknown => (caught(f) as DekError | undefined)?.details.field;

  it('looks suites up by name', () => {
    expect(getSuite('cobblestone-128')).toBe(SUITES['cobblestone-128']);
    expect(SUITES['cobblestone-256'].keyLength).toBe(32);
    expect(caught(() => getSuite('cobblestone-512'))).toBeInstanceOf(FormatError);
    expect(fieldOf(() => getSuite('aes'))).toBe('suite');
  });

  it('names the bad argument', () => {
    const key = keyFor('cobblestone-256');
    expect(fieldOf(() => deriveChunkKeys('cobblestone-256', new Uint8Array(16), SALT, CTX))).toBe('key');
    expect(fieldOf(() => deriveChunkKeys('cobblestone-128', key, SALT, CTX))).toBe('key');
    expect(fieldOf(() => deriveChunkKeys('cobblestone-256', key, new Uint8Array(23), CTX))).toBe('salt');
    expect(fieldOf(() => deriveChunkKeys('cobblestone-256', key, SALT, 'ctx' as unknown as Uint8Array))).toBe('context');
    expect(fieldOf(() => rawChunkKeys('cobblestone-256', key, new Uint8Array(11)))).toBe('baseNonce');
    expect(fieldOf(() => openChunkKeys('cobblestone-256', key, new Uint8Array(55), CTX))).toBe('header');
    expect(fieldOf(() => sealMessage('cobblestone-256', key, new Uint8Array(1), CTX, { salt: new Uint8Array(8) }))).toBe('salt');
    expect(fieldOf(() => sealMessage('cobblestone-256', key, 'pt' as unknown as Uint8Array, CTX))).toBe('plaintext');
    expect(fieldOf(() => openMessage('cobblestone-256', key, [] as unknown as Uint8Array, CTX))).toBe('ciphertext');
    expect(fieldOf(() => openMessage('cobblestone-128', key, new Uint8Array(100), CTX))).toBe('key');
    expect(fieldOf(() => new ChunkOpener({ suite: 'cobblestone-256', key: new Uint8Array(31), context: CTX }))).toBe('key');
    expect(caught(() => openMessage('cobblestone-256', key, new Uint8Array(55), CTX))).toBeInstanceOf(TruncatedError);
  });

  it('uses a fresh random salt per message', () => {
    const key = keyFor('cobblestone-128');
    const a = sealMessage('cobblestone-128', key, new Uint8Array(10), CTX);
    const b = sealMessage('cobblestone-128', key, new Uint8Array(10), CTX);
    expect(toHex(a.subarray(0, 24))).not.toBe(toHex(b.subarray(0, 24)));
  });
});

/** An AES-GCM wrapper that records the key arrays it was handed and can fail on a chosen call. */
function spy(failOnCall = 0): { aead: AesGcm; keys: Uint8Array[] } {
  const keys: Uint8Array[] = [];
  let calls = 0;
  const step = (key: Uint8Array): void => {
    keys.push(key);
    if (++calls === failOnCall) throw new Error('backend failure');
  };
  return {
    keys,
    aead: {
      name: 'spy',
      seal: (k, n, p, a) => (step(k), nodeAesGcm.seal(k, n, p, a)),
      open: (k, n, c, a) => (step(k), nodeAesGcm.open(k, n, c, a)),
    },
  };
}
const allZero = (b: Uint8Array): boolean => b.length > 0 && b.every((x) => x === 0);

describe('ChunkSealer', () => {
  const suite = 'cobblestone-256';
  const key = keyFor(suite);

  it('seals a full chunk as soon as its bytes are in, holding at most one partial chunk', () => {
    const sealer = new ChunkSealer({ suite, key, context: CTX, salt: SALT });
    expect(sealer.header).toHaveLength(PAYLOAD_HEADER_LENGTH);
    expect(sealer.write(new Uint8Array(CHUNK_SIZE - 1))).toHaveLength(0);
    expect(sealer.write(new Uint8Array(1))).toHaveLength(1);
    const chunks = sealer.write(new Uint8Array(2 * CHUNK_SIZE + 5));
    expect(chunks.map((c) => c.length)).toEqual([SEALED_CHUNK_SIZE, SEALED_CHUNK_SIZE]);
    expect(sealer.chunkIndex).toBe(3);
    expect(sealer.writeJoined(new Uint8Array(CHUNK_SIZE))).toHaveLength(SEALED_CHUNK_SIZE);
    expect(sealer.end()).toHaveLength(5 + 16);
    expect(sealer.plaintextLength).toBe(4 * CHUNK_SIZE + 5);
  });

  it('zeroes its keys after end() and refuses further use', () => {
    const { aead, keys } = spy();
    const sealer = new ChunkSealer({ suite, key, context: CTX, aead });
    sealer.write(new Uint8Array(CHUNK_SIZE + 3));
    sealer.end();
    expect(keys.length).toBe(2);
    expect(keys.every(allZero)).toBe(true);
    expect(caught(() => sealer.write(new Uint8Array(1)))).toBeInstanceOf(StateError);
    expect(caught(() => sealer.end())).toBeInstanceOf(StateError);
    expect(key.every((x) => x === 0x42)).toBe(true);
  });

  it('keeps throwing the same error after a failure, with its keys zeroed', () => {
    const { aead, keys } = spy(2);
    const sealer = new ChunkSealer({ suite, key, context: CTX, aead });
    sealer.write(new Uint8Array(CHUNK_SIZE));
    const error = caught(() => sealer.write(new Uint8Array(CHUNK_SIZE)));
    expect(error).toBeInstanceOf(Error);
    expect(caught(() => sealer.write(new Uint8Array(1)))).toBe(error);
    expect(caught(() => sealer.end())).toBe(error);
    expect(keys.every(allZero)).toBe(true);
  });

  it('refuses use after dispose()', () => {
    const sealer = new ChunkSealer({ suite, key, context: CTX });
    sealer.dispose();
    expect(caught(() => sealer.write(new Uint8Array(1)))).toBeInstanceOf(StateError);
  });
});

describe('ChunkOpener', () => {
  const suite = 'cobblestone-128';
  const key = keyFor(suite);
  const pt = bytes(CHUNK_SIZE + 10, 11);
  const ct = sealMessage(suite, key, pt, CTX);

  it('reports a payload that ends inside the header or before the final chunk', () => {
    const early = new ChunkOpener({ suite, key, context: CTX });
    early.write(ct.subarray(0, 30));
    const error = caught(() => early.end());
    expect(error).toBeInstanceOf(TruncatedError);
    expect((error as TruncatedError).details.field).toBe('header');
    const noFinal = new ChunkOpener({ suite, key, context: CTX });
    expect(noFinal.write(ct.subarray(0, chunkOffset(1)))).toHaveLength(1);
    expect(caught(() => noFinal.end())).toBeInstanceOf(TruncatedError);
    expect(noFinal.chunkIndex).toBe(1);
  });

  it('zeroes its keys after end() or an error, and spares the caller\'s key buffer', () => {
    const callerKey = Buffer.from(key); // Buffer#slice is a view: the opener must copy for real.
    const ok = spy();
    const opener = new ChunkOpener({ suite, key: callerKey, context: CTX, aead: ok.aead });
    expect(opener.write(ct)).toHaveLength(1);
    expect(sameBytes(opener.end(), pt.subarray(CHUNK_SIZE))).toBe(true);
    expect(opener.plaintextLength).toBe(pt.length);
    expect(ok.keys.every(allZero)).toBe(true);
    expect(caught(() => opener.write(new Uint8Array(1)))).toBeInstanceOf(StateError);
    expect(sameBytes(callerKey, key)).toBe(true);

    const bad = ct.slice();
    bad[bad.length - 1]! ^= 1;
    const failing = spy();
    const opener2 = new ChunkOpener({ suite, key, context: CTX, aead: failing.aead });
    opener2.write(bad);
    const error = caught(() => opener2.end());
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(failing.keys.every(allZero)).toBe(true);
    expect(caught(() => opener2.write(new Uint8Array(0)))).toBe(error);
  });

  it('leaves caller buffers of raw keys untouched', () => {
    const aeadKey = Buffer.alloc(16, 9);
    const keys = rawChunkKeys('cobblestone-128', aeadKey, Buffer.alloc(12, 1));
    keys.aeadKey.fill(0);
    expect(aeadKey.every((x) => x === 9)).toBe(true);
  });
});
