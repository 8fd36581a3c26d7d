/** Shared fast-check arbitraries and fixtures for the stream tests. */
import fc from 'fast-check';

/** Plaintext lengths around the 16 KiB chunk boundaries, plus some anywhere below ~70 KB. */
export const plaintextLength = fc.oneof(
  fc.constantFrom(0, 1, 16383, 16384, 16385, 32767, 32768, 32769, 49152),
  fc.integer({ min: 0, max: 3 }).chain((k) => fc.integer({ min: -2, max: 2 }).map((d) => Math.max(0, k * 16384 + d))),
  fc.integer({ min: 0, max: 70000 }),
);

/** How input writes are cut: one byte at a time (small inputs only), odd sizes, or large writes. */
export const writeSizes = (length: number): fc.Arbitrary<readonly number[]> =>
  fc.oneof<fc.Arbitrary<readonly number[]>[]>(
    length <= 20000 ? fc.constant([1]) : fc.constant([7919]),
    fc.array(fc.integer({ min: 1, max: 40000 }), { minLength: 1, maxLength: 8 }),
    fc.array(fc.constantFrom(1, 3, 16383, 16384, 16385, 16400, 65536), { minLength: 1, maxLength: 5 }),
    fc.constant([1 << 20]),
  );
