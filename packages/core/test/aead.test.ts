import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ArgumentError,
  AuthenticationError,
  defaultAesGcm,
  nobleAesGcm,
  nodeAesGcm,
  type AesGcm,
} from '@dek/core';
import { concat, hex, loadVectors, toHex } from './helpers/crypto-vectors.js';

interface AeadTest {
  tcId: number;
  key: string;
  iv: string;
  aad: string;
  msg: string;
  ct: string;
  tag: string;
  result: 'valid' | 'invalid' | 'acceptable';
}
interface AeadGroup {
  ivSize: number;
  keySize: number;
  tagSize: number;
  tests: AeadTest[];
}

const vectors = loadVectors<{ testGroups: AeadGroup[] }>('aes_gcm_test.json');
const supported = (g: AeadGroup): boolean => g.ivSize === 96 && g.tagSize === 128 && (g.keySize === 128 || g.keySize === 256);
const backends: readonly AesGcm[] = [nodeAesGcm, nobleAesGcm];

describe.each(backends)('$name AES-GCM', (aead) => {
  it('passes every Wycheproof test with a 96-bit IV, 128-bit tag and 128/256-bit key', () => {
    let valid = 0;
    let invalid = 0;
    for (const group of vectors.testGroups.filter(supported)) {
      for (const t of group.tests) {
        const [key, iv, aad, msg] = [hex(t.key), hex(t.iv), hex(t.aad), hex(t.msg)];
        const sealed = concat([hex(t.ct), hex(t.tag)]);
        if (t.result === 'valid') {
          expect(toHex(aead.seal(key, iv, msg, aad)), `tcId ${t.tcId}`).toBe(toHex(sealed));
          expect(toHex(aead.open(key, iv, sealed, aad)), `tcId ${t.tcId}`).toBe(t.msg);
          valid++;
        } else {
          expect(() => aead.open(key, iv, sealed, aad), `tcId ${t.tcId}`).toThrow(AuthenticationError);
          invalid++;
        }
      }
    }
    expect([valid, invalid]).toEqual([79, 54]);
  });

  it('rejects every Wycheproof group with another IV, tag or key size (ArgumentError)', () => {
    let rejected = 0;
    for (const group of vectors.testGroups.filter((g) => !supported(g))) {
      for (const t of group.tests) {
        const [key, iv, aad, msg] = [hex(t.key), hex(t.iv), hex(t.aad), hex(t.msg)];
        expect(() => aead.seal(key, iv, msg, aad), `tcId ${t.tcId}`).toThrow(ArgumentError);
        expect(() => aead.open(key, iv, concat([hex(t.ct), hex(t.tag)]), aad), `tcId ${t.tcId}`).toThrow(ArgumentError);
        rejected++;
      }
    }
    expect(rejected).toBe(183);
  });

  it('names the bad argument', () => {
    const key = new Uint8Array(32);
    const nonce = new Uint8Array(12);
    const field = (f: () => unknown): unknown => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(ArgumentError);
        return (e as ArgumentError).details.field;
      }
      return 'no error';
    };
    expect(field(() => aead.seal(new Uint8Array(24), nonce, new Uint8Array(1)))).toBe('key');
    expect(field(() => aead.seal(key, new Uint8Array(16), new Uint8Array(1)))).toBe('nonce');
    expect(field(() => aead.seal(key, nonce, 'text' as unknown as Uint8Array))).toBe('data');
    expect(field(() => aead.open(key, nonce, new Uint8Array(16), [1] as unknown as Uint8Array))).toBe('aad');
    expect(field(() => aead.sealInto!(key, nonce, new Uint8Array(4), new Uint8Array(19)))).toBe('output');
  });

  it('rejects input shorter than a tag as inauthentic', () => {
    expect(() => aead.open(new Uint8Array(16), new Uint8Array(12), new Uint8Array(15))).toThrow(AuthenticationError);
  });

  it('treats a missing aad like an empty one, and sealInto like seal', () => {
    const key = new Uint8Array(16).fill(7);
    const nonce = new Uint8Array(12).fill(9);
    const pt = new Uint8Array(40).fill(1);
    const sealed = aead.seal(key, nonce, pt);
    expect(toHex(aead.seal(key, nonce, pt, new Uint8Array(0)))).toBe(toHex(sealed));
    const into = new Uint8Array(56);
    aead.sealInto!(key, nonce, pt, into);
    expect(toHex(into)).toBe(toHex(sealed));
  });
});

describe('backend equivalence', () => {
  const key = fc.oneof(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.uint8Array({ minLength: 32, maxLength: 32 }));
  const nonce = fc.uint8Array({ minLength: 12, maxLength: 12 });
  const aad = fc.option(fc.uint8Array({ maxLength: 64 }), { nil: undefined });

  it('node and noble seal byte-identically and open each other', () => {
    fc.assert(
      fc.property(key, nonce, fc.uint8Array({ maxLength: 2000 }), aad, (k, n, pt, a) => {
        const fromNode = nodeAesGcm.seal(k, n, pt, a);
        const fromNoble = nobleAesGcm.seal(k, n, pt, a);
        expect(toHex(fromNode)).toBe(toHex(fromNoble));
        expect(toHex(nobleAesGcm.open(k, n, fromNode, a))).toBe(toHex(pt));
        expect(toHex(nodeAesGcm.open(k, n, fromNoble, a))).toBe(toHex(pt));
      }),
      { numRuns: 100 },
    );
  });

  it('both reject any single-bit change of ciphertext, tag or aad', () => {
    fc.assert(
      fc.property(key, nonce, fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ minLength: 1, maxLength: 32 }), fc.nat(), fc.boolean(), (k, n, pt, a, at, inAad) => {
        const sealed = nodeAesGcm.seal(k, n, pt, a);
        const target = inAad ? a : sealed;
        const bit = at % (target.length * 8);
        target[bit >> 3]! ^= 1 << (bit & 7);
        for (const aead of backends) expect(() => aead.open(k, n, sealed, a)).toThrow(AuthenticationError);
      }),
      { numRuns: 100 },
    );
  });

  it('node backend is the default under the node entry', () => {
    expect(defaultAesGcm()).toBe(nodeAesGcm);
  });
});
