import {
  computeHeaderMac,
  decodeHeader,
  encodeContext,
  encodeHeader,
  type EncryptionContext,
  type EnvelopeHeader,
  FormatError,
  HeaderMacError,
  type KeySlot,
  TruncatedError,
  verifyHeaderMac,
} from '@dek/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { array, bin, mapOf, type Part, str, thrown, utf8 } from './helpers/header-bytes.js';

// Strings of any Unicode code point (never lone surrogates), and keys that trip up JS objects.
const unicode = (maxLength: number): fc.Arbitrary<string> => fc.string({ unit: 'binary', minLength: 1, maxLength });
const trickyKey = fc.constantFrom('__proto__', '-0', '0', '00', '1e3', 'constructor', 'toString', 'hasOwnProperty', '\uFEFF', '\uFFFF', '\u{10000}', 'a\u0000b');

const contextArb: fc.Arbitrary<EncryptionContext> = fc
  .uniqueArray(fc.tuple(fc.oneof(trickyKey, unicode(12)), fc.oneof(fc.constant(''), unicode(24))), {
    maxLength: 10,
    selector: ([k]) => k,
  })
  .map((pairs) => Object.fromEntries(pairs)); // fromEntries makes `__proto__` an own key

const slotArb: fc.Arbitrary<KeySlot> = fc.record(
  {
    kms: fc.stringMatching(/^[a-z0-9-]{1,20}$/),
    keyId: unicode(300), // crosses the str8 and str16 boundaries
    keyVersionId: unicode(20),
    blob: fc.uint8Array({ minLength: 1, maxLength: 300 }),
    iv: fc.uint8Array({ minLength: 1, maxLength: 64 }),
    algorithm: fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 16 }),
  },
  { requiredKeys: ['kms', 'keyId', 'blob'] },
);

const headerArb: fc.Arbitrary<EnvelopeHeader> = fc.record({
  suite: fc.constantFrom('cobblestone-256' as const, 'cobblestone-128' as const),
  context: contextArb,
  slots: fc.array(slotArb, { minLength: 1, maxLength: 4 }),
});

const compareUtf8 = (a: string, b: string): number => Buffer.compare(Buffer.from(utf8(a)), Buffer.from(utf8(b)));

/** The body a header must encode to, built by hand (not by msgpackr) from the format rules. */
function expectedBody(h: EnvelopeHeader): Part {
  const context = Object.keys(h.context)
    .sort(compareUtf8)
    .map((k) => [k, str(h.context[k]!)] as const);
  const slots = h.slots.map((s) =>
    mapOf([
      ['kms', str(s.kms)],
      ['keyId', str(s.keyId)],
      ['keyVersionId', s.keyVersionId === undefined ? undefined : str(s.keyVersionId)],
      ['blob', bin([...s.blob])],
      ['iv', s.iv === undefined ? undefined : bin([...s.iv])],
      ['algorithm', s.algorithm === undefined ? undefined : str(s.algorithm)],
    ]),
  );
  return mapOf([
    ['suite', str(h.suite)],
    ['context', mapOf(context)],
    ['slots', array(slots)],
  ]);
}

const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(a, b) === 0;

/**
 * Decodes `bytes` with one byte changed: it must fail with FormatError/TruncatedError, or decode
 * to a header whose encoding is exactly the changed bytes (no silent change of meaning).
 */
function mutationHolds(full: Uint8Array, at: number, value: number): boolean {
  const mutated = full.slice();
  mutated[at] = value;
  let decoded: ReturnType<typeof decodeHeader>;
  try {
    decoded = decodeHeader(mutated);
  } catch (error) {
    return error instanceof FormatError || error instanceof TruncatedError;
  }
  return same(encodeHeader(decoded.header), mutated.subarray(0, decoded.macedLength));
}

const withMacAndPayload = (maced: Uint8Array, tail: Uint8Array): Uint8Array => new Uint8Array([...maced, ...tail]);

describe('header properties', () => {
  it('encodes to the hand-built layout and round-trips exactly, with a payload behind it', () => {
    fc.assert(
      fc.property(headerArb, fc.uint8Array({ minLength: 32, maxLength: 64 }), (header, tail) => {
        const maced = encodeHeader(header);
        expect([...maced.subarray(9)]).toEqual(expectedBody(header));
        const decoded = decodeHeader(withMacAndPayload(maced, tail));
        expect(decoded.header).toEqual(header);
        expect(Object.keys(decoded.header.context).sort()).toEqual(Object.keys(header.context).sort());
        expect(decoded.macedLength).toBe(maced.length);
        expect(decoded.headerLength).toBe(maced.length + 32);
        expect(same(decoded.mac, tail.subarray(0, 32))).toBe(true);
        expect(same(encodeHeader(decoded.header), maced)).toBe(true);
        expect(same(encodeContext(decoded.header.suite, decoded.header.context), encodeContext(header.suite, header.context))).toBe(true);
      }),
    );
  });

  it('tricky context keys (__proto__, -0, 0, ...) survive exactly and pollute nothing', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(trickyKey, fc.string()), { selector: ([k]) => k, minLength: 1 }), (pairs) => {
        const context = Object.fromEntries(pairs);
        const header: EnvelopeHeader = { suite: 'cobblestone-256', context, slots: [{ kms: 'local', keyId: 'k', blob: new Uint8Array([1]) }] };
        const decoded = decodeHeader(withMacAndPayload(encodeHeader(header), new Uint8Array(32))).header.context;
        for (const [k, v] of pairs) expect(Object.getOwnPropertyDescriptor(decoded, k)?.value).toBe(v);
        expect(Object.getOwnPropertyNames(decoded)).toHaveLength(pairs.length);
        expect(Object.getPrototypeOf({})).toBe(Object.prototype);
        expect(({} as Record<string, unknown>)['x']).toBeUndefined();
      }),
    );
  });

  it('a random single-byte change never changes meaning silently', () => {
    fc.assert(
      fc.property(headerArb, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 20 }), (header, changes) => {
        const maced = encodeHeader(header);
        const full = withMacAndPayload(maced, new Uint8Array(32));
        for (const [n, delta] of changes) {
          const at = n % maced.length;
          expect(mutationHolds(full, at, full[at]! ^ delta)).toBe(true);
        }
      }),
    );
  });

  it('every single-byte change of fixed headers: all positions, all values', () => {
    const headers: EnvelopeHeader[] = [
      { suite: 'cobblestone-128', context: {}, slots: [{ kms: 'l', keyId: 'k', blob: new Uint8Array([0]) }] },
      {
        suite: 'cobblestone-256',
        context: Object.fromEntries([['__proto__', 'x'], ['-0', ''], ['\u{10000}', 'é'], ['\uFFFF', 'y']]),
        slots: [
          { kms: 'alibaba-kms', keyId: 'key-abc', keyVersionId: 'v', blob: new Uint8Array(40).fill(0xa0), iv: new Uint8Array(12), algorithm: 'AES_256' },
          { kms: 'aws-kms', keyId: 'x'.repeat(32), blob: new Uint8Array(2).fill(0xc4) }, // smallest str8
        ],
      },
      {
        suite: 'cobblestone-256',
        context: Object.fromEntries(Array.from({ length: 16 }, (_, i) => [String.fromCharCode(0x61 + i), ''])), // smallest map16
        slots: [{ kms: 'local', keyId: 'k', blob: new Uint8Array([0xde]) }],
      },
    ];
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0; // ~100k rejected inputs: skip collecting their stacks
    try {
      for (const header of headers) {
        const maced = encodeHeader(header);
        const full = withMacAndPayload(maced, new Uint8Array(32).fill(0x81));
        for (let at = 0; at < maced.length; at++) {
          for (let value = 0; value < 256; value++) {
            if (value !== full[at] && !mutationHolds(full, at, value)) expect.fail(`byte ${at} := ${value} changed the meaning silently`);
          }
        }
      }
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
    }
  });

  it('any bit flip in the maced bytes or the MAC fails verifyHeaderMac with HeaderMacError', () => {
    const keyArb = fc.oneof(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.uint8Array({ minLength: 32, maxLength: 32 }));
    fc.assert(
      fc.property(headerArb, keyArb, fc.nat(), (header, dataKey, n) => {
        const maced = encodeHeader(header);
        const mac = computeHeaderMac(dataKey, maced);
        verifyHeaderMac(dataKey, maced, mac);
        const bit = n % ((maced.length + mac.length) * 8);
        const byte = bit >> 3;
        const flippedMaced = maced.slice();
        const flippedMac = mac.slice();
        if (byte < maced.length) flippedMaced[byte] = maced[byte]! ^ (1 << (bit & 7));
        else flippedMac[byte - maced.length] = mac[byte - maced.length]! ^ (1 << (bit & 7));
        expect(thrown(() => verifyHeaderMac(dataKey, flippedMaced, flippedMac))).toBeInstanceOf(HeaderMacError);
      }),
      { numRuns: 100 },
    );
  });
});
