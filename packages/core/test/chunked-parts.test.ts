/**
 * Detached sealing (ciphertext and tag as two arrays, no join): the AES-GCM `sealDetached`
 * backend method, `sealChunkDetached` and `ChunkSealer.writeParts`, which the streams use to
 * avoid one copy per chunk. Their bytes must be exactly those of the joined forms.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ArgumentError,
  CHUNK_SIZE,
  ChunkSealer,
  SEALED_CHUNK_SIZE,
  StateError,
  TAG_LENGTH,
  deriveChunkKeys,
  nobleAesGcm,
  nodeAesGcm,
  sealChunk,
  sealChunkDetached,
  type AesGcm,
} from '@dek/core';

const SALT = new Uint8Array(24).fill(7);
const CTX = new TextEncoder().encode('parts');
const KEY = new Uint8Array(32).fill(0x42);

/** nobleAesGcm without its optional methods: exercises the fallbacks. */
const plainAead: AesGcm = { name: 'plain', seal: nobleAesGcm.seal, open: nobleAesGcm.open };

const bytes = (length: number, seed: number): Uint8Array => Uint8Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff);

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

describe('nodeAesGcm.sealDetached', () => {
  it('returns seal()s ciphertext and tag, with or without aad', () => {
    const key = bytes(32, 1);
    const nonce = bytes(12, 2);
    for (const aad of [undefined, bytes(20, 3)]) {
      for (const length of [0, 1, 15, 16, 1000]) {
        const plaintext = bytes(length, length);
        const { ciphertext, tag } = nodeAesGcm.sealDetached!(key, nonce, plaintext, aad);
        expect(ciphertext.length).toBe(length);
        expect(tag.length).toBe(TAG_LENGTH);
        expect(concat([ciphertext, tag])).toEqual(nodeAesGcm.seal(key, nonce, plaintext, aad));
      }
    }
  });

  it('checks its arguments like seal()', () => {
    expect(() => nodeAesGcm.sealDetached!(new Uint8Array(5), new Uint8Array(12), new Uint8Array(1))).toThrow(ArgumentError);
    expect(() => nodeAesGcm.sealDetached!(new Uint8Array(32), new Uint8Array(11), new Uint8Array(1))).toThrow(ArgumentError);
  });
});

describe('sealChunkDetached', () => {
  it('equals sealChunk split at the tag, with the node backend and with a backend lacking sealDetached', () => {
    for (const aead of [nodeAesGcm, plainAead]) {
      const keys = deriveChunkKeys('cobblestone-256', KEY, SALT, CTX, aead);
      for (const [index, length] of [[0, 0], [1, 100], [2 ** 38 - 2, CHUNK_SIZE]] as const) {
        const plaintext = bytes(length, index % 251);
        const { ciphertext, tag } = sealChunkDetached(keys, index, plaintext);
        expect(concat([ciphertext, tag])).toEqual(sealChunk(keys, index, plaintext));
      }
    }
  });

  it('refuses a plaintext over 16 KiB and a bad index', () => {
    const keys = deriveChunkKeys('cobblestone-128', KEY.subarray(0, 16), SALT, CTX);
    expect(() => sealChunkDetached(keys, 0, new Uint8Array(CHUNK_SIZE + 1))).toThrow(ArgumentError);
    expect(() => sealChunkDetached(keys, -1, new Uint8Array(1))).toThrow(ArgumentError);
    expect(() => sealChunkDetached(keys, 2 ** 38, new Uint8Array(1))).toThrow(ArgumentError);
  });
});

describe('ChunkSealer.writeParts', () => {
  it('gives ciphertext and tag per chunk, byte for byte what writeJoined gives, for any split', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 3 * CHUNK_SIZE }), { minLength: 1, maxLength: 6 }),
        fc.constantFrom(nodeAesGcm, plainAead),
        (sizes, aead) => {
          const parts = new ChunkSealer({ suite: 'cobblestone-256', key: KEY, context: CTX, salt: SALT, aead });
          const joined = new ChunkSealer({ suite: 'cobblestone-256', key: KEY, context: CTX, salt: SALT, aead });
          const a: Uint8Array[] = [];
          const b: Uint8Array[] = [];
          sizes.forEach((size, i) => {
            const data = bytes(size, i);
            const pieces = parts.writeParts(data);
            expect(pieces.length % 2).toBe(0);
            pieces.forEach((piece, k) => expect(piece.length).toBe(k % 2 === 0 ? CHUNK_SIZE : TAG_LENGTH));
            a.push(...pieces);
            b.push(joined.writeJoined(data));
          });
          a.push(parts.end());
          b.push(joined.end());
          expect(concat(a)).toEqual(concat(b));
          expect(parts.chunkIndex).toBe(joined.chunkIndex);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('counts plaintext and chunks, and fails for good on a bad write', () => {
    const sealer = new ChunkSealer({ suite: 'cobblestone-256', key: KEY, context: CTX });
    expect(sealer.writeParts(new Uint8Array(CHUNK_SIZE + 1))).toHaveLength(2);
    expect(sealer.plaintextLength).toBe(CHUNK_SIZE + 1);
    expect(sealer.chunkIndex).toBe(1);
    let error: unknown;
    try {
      sealer.writeParts('nope' as unknown as Uint8Array);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ArgumentError);
    expect(() => sealer.writeParts(new Uint8Array(1))).toThrow(error as Error);
    expect(() => sealer.end()).toThrow(error as Error);
  });

  it('refuses use after end()', () => {
    const sealer = new ChunkSealer({ suite: 'cobblestone-256', key: KEY, context: CTX });
    expect(sealer.end()).toHaveLength(TAG_LENGTH);
    expect(() => sealer.writeParts(new Uint8Array(SEALED_CHUNK_SIZE))).toThrow(StateError);
  });
});
