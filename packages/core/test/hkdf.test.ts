import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArgumentError, hkdf, hkdfExpand, hkdfExtract, kmsAad } from '@dek/core';
// The hash backends are internal: each entry installs its own (the tests run the Node entry).
import { setDefaultHashes, type Hashes } from '../src/hashes/hashes.js';
import { nobleHashes } from '../src/hashes/noble.js';
import { nodeHashes } from '../src/hashes/node.js';
import { hex, loadVectors, toHex } from './helpers/crypto-vectors.js';

interface HkdfTest {
  tcId: number;
  ikm: string;
  salt: string;
  info: string;
  size: number;
  okm: string;
  result: 'valid' | 'invalid';
}

const vectors = loadVectors<{ testGroups: { tests: HkdfTest[] }[] }>('hkdf_sha512_test.json');
const tests = vectors.testGroups.flatMap((g) => g.tests);

const backends: readonly Hashes[] = [nodeHashes, nobleHashes];

describe.each(backends)('$name hash backend', (backend) => {
  beforeAll(() => setDefaultHashes(backend));
  afterAll(() => setDefaultHashes(nodeHashes));

  describe('HKDF-SHA-512 (Wycheproof)', () => {
    it('matches every valid vector through hkdf() and through extract + expand', () => {
      let passed = 0;
      for (const t of tests.filter((x) => x.result === 'valid')) {
        const [ikm, salt, info] = [hex(t.ikm), hex(t.salt), hex(t.info)];
        expect(toHex(hkdf('SHA-512', ikm, salt, info, t.size)), `tcId ${t.tcId}`).toBe(t.okm);
        const prk = hkdfExtract('SHA-512', salt, ikm);
        expect(toHex(hkdfExpand('SHA-512', prk, info, t.size)), `tcId ${t.tcId}`).toBe(t.okm);
        passed++;
      }
      expect(passed).toBe(80);
    });

    it('rejects every invalid (oversized) vector with ArgumentError', () => {
      let rejected = 0;
      for (const t of tests.filter((x) => x.result === 'invalid')) {
        const [ikm, salt, info] = [hex(t.ikm), hex(t.salt), hex(t.info)];
        expect(() => hkdf('SHA-512', ikm, salt, info, t.size), `tcId ${t.tcId}`).toThrow(ArgumentError);
        expect(() => hkdfExpand('SHA-512', hkdfExtract('SHA-512', salt, ikm), info, t.size)).toThrow(ArgumentError);
        rejected++;
      }
      expect(rejected).toBe(3);
      expect(tests.length).toBe(83);
    });
  });

  describe('HKDF-SHA-256 (RFC 5869 test case 1)', () => {
    const ikm = new Uint8Array(22).fill(0x0b);
    const salt = hex('000102030405060708090a0b0c');
    const info = hex('f0f1f2f3f4f5f6f7f8f9');
    const prk = '077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5';
    const okm = '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865';

    it('extracts, expands and does both', () => {
      expect(toHex(hkdfExtract('SHA-256', salt, ikm))).toBe(prk);
      expect(toHex(hkdfExpand('SHA-256', hex(prk), info, 42))).toBe(okm);
      expect(toHex(hkdf('SHA-256', ikm, salt, info, 42))).toBe(okm);
    });
  });

  it('computes SHA-256 (FIPS 180-2 "abc") for the KMS Aad', () => {
    expect(toHex(kmsAad(new TextEncoder().encode('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('hkdfExpand arguments', () => {
  const prk = new Uint8Array(32).fill(1);

  it('accepts a prk shorter than HashLen (c2sp expands from a 16-byte key)', () => {
    expect(hkdfExpand('SHA-512', new Uint8Array(16), 'x', 76)).toHaveLength(76);
  });

  it('encodes a string info as UTF-8', () => {
    expect(toHex(hkdfExpand('SHA-256', prk, 'dek/v1 é', 32))).toBe(toHex(hkdfExpand('SHA-256', prk, new TextEncoder().encode('dek/v1 é'), 32)));
  });

  it('returns 0 .. 255 * HashLen bytes and rejects the rest', () => {
    expect(hkdfExpand('SHA-256', prk, '', 0)).toHaveLength(0);
    expect(hkdfExpand('SHA-256', prk, '', 255 * 32)).toHaveLength(255 * 32);
    for (const bad of [-1, 1.5, Number.NaN, 255 * 32 + 1]) {
      expect(() => hkdfExpand('SHA-256', prk, '', bad)).toThrow(ArgumentError);
    }
  });

  it('rejects an unknown hash and non-byte inputs, naming the field', () => {
    const fieldOf = (f: () => unknown): unknown => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(ArgumentError);
        return (e as ArgumentError).details.field;
      }
      return 'no error';
    };
    expect(fieldOf(() => hkdfExpand('SHA-1' as 'SHA-256', prk, '', 16))).toBe('hash');
    expect(fieldOf(() => hkdfExpand('SHA-256', 'key' as unknown as Uint8Array, '', 16))).toBe('prk');
    expect(fieldOf(() => hkdfExpand('SHA-256', prk, 5 as unknown as string, 16))).toBe('info');
    expect(fieldOf(() => hkdfExtract('SHA-256', [] as unknown as Uint8Array, prk))).toBe('salt');
    expect(fieldOf(() => hkdf('SHA-256', null as unknown as Uint8Array, prk, '', 16))).toBe('ikm');
  });
});
