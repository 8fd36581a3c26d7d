/**
 * The fuzz machinery itself: mutations do what they say, length fields are found where they are,
 * the oracle flags what it must (and only that), the corpus format round-trips, the driver
 * reports and shrinks a planted bug, and every harness accepts its own valid inputs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { FormatError, encodeHeader } from '@dek/core';
import { KmsServiceError } from '@dek/kms-adapter';
import { concatBytes, pseudoRandomBytes, sameBytes, splitBy } from '../src/bytes.js';
import { judgeRelease, type Decryptable } from '../src/harnesses/common.js';
import { blobSeeds, envelopeSeeds, headerArb, headerSeeds, openApiBlobSeeds, payloadSeeds } from '../src/fixtures.js';
import {
  HARNESSES,
  applyMutations,
  formatEntry,
  fuzz,
  headerLengthFields,
  mutationsArb,
  parseEntry,
  readCorpus,
  saveEntry,
  type Harness,
  type Mutation,
} from '../src/index.js';
import { genericFindings, measure } from '../src/oracle.js';
import { blobHarness } from '../src/harnesses/blob.js';
import { chunkedHarness } from '../src/harnesses/chunked.js';
import { headerHarness } from '../src/harnesses/header.js';
import { randomAccessHarness } from '../src/harnesses/random-access.js';
import { streamHarness } from '../src/harnesses/stream.js';

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);

describe('mutations', () => {
  const base = bytes(0, 1, 2, 3, 4, 5, 6, 7);
  const other = bytes(0xa0, 0xa1, 0xa2);
  const apply = (m: Mutation): number[] => [...applyMutations(base, [m], other)];

  it('each operation changes the input as described', () => {
    expect(apply({ op: 'flip', at: 10, bit: 7 })).toEqual([0, 1, 0x82, 3, 4, 5, 6, 7]); // 10 mod 8 = 2
    expect(apply({ op: 'set', at: 0, value: 0xff })).toEqual([0xff, 1, 2, 3, 4, 5, 6, 7]);
    expect(apply({ op: 'insert', at: 8, bytes: bytes(9, 9) })).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 9, 9]);
    expect(apply({ op: 'delete', at: 6, length: 5 })).toEqual([0, 1, 2, 3, 4, 5]);
    expect(apply({ op: 'truncate', at: 3 })).toEqual([0, 1, 2]);
    expect(apply({ op: 'append', bytes: bytes(8) })).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(apply({ op: 'copy', from: 0, to: 6, length: 4 })).toEqual([0, 1, 2, 3, 4, 5, 0, 1]);
    expect(apply({ op: 'splice', at: 2, from: 1 })).toEqual([0, 1, 0xa1, 0xa2]);
    expect(apply({ op: 'resize', length: 10, fill: 0xee })).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 0xee, 0xee]);
    expect(apply({ op: 'resize', length: 2, fill: 0 })).toEqual([0, 1]);
  });

  it('split inputs into writes of the given sizes, at most maxParts of them', () => {
    const input = pseudoRandomBytes(3000, 5);
    expect(splitBy(input, [1000]).map((p) => p.length)).toEqual([1000, 1000, 1000]);
    const capped = splitBy(input, [1], 1000);
    expect(capped.length).toBe(1000);
    expect(capped.at(-1)!.length).toBe(2001);
    expect(sameBytes(concatBytes(capped), input)).toBe(true);
  });

  it('never modify the valid input they start from', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), mutationsArb({ lengths: [0, 3, 100] }), (input, mutations) => {
        const copy = input.slice();
        applyMutations(input, mutations, input);
        return sameBytes(input, copy);
      }),
      { numRuns: 100 },
    );
  });

  it('push a header length field to a limit, or re-encode it in a longer form', () => {
    const header = encodeHeader({ suite: 'cobblestone-256', context: { k: 'v' }, slots: [{ kms: 'local', keyId: 'key', blob: bytes(1, 2, 3) }] });
    const fields = headerLengthFields(header);
    const n = fields[0]!;
    expect(n).toMatchObject({ offset: 5, width: 4, value: header.length - 9 });
    const pushed = applyMutations(header, [{ op: 'length', field: 0, value: 0xffffffff }], header, fields);
    expect([...pushed.subarray(5, 9)]).toEqual([0xff, 0xff, 0xff, 0xff]);
    const suiteKey = fields.findIndex((f) => f.offset === 10); // fixstr "suite" right after the root fixmap at 9
    expect(fields[suiteKey]).toMatchObject({ width: 0, value: 5 });
    const widened = applyMutations(header, [{ op: 'widen', field: suiteKey }], header, fields);
    expect([...widened.subarray(10, 12)]).toEqual([0xd9, 5]); // str8 of length 5: not the shortest form
    expect(widened.length).toBe(header.length + 1);
  });

  it('header length fields hold the values found at their offsets', () => {
    fc.assert(
      fc.property(headerArb(), (header) => {
        const fields = headerLengthFields(header);
        expect(fields.length).toBeGreaterThan(5);
        for (const f of fields) {
          const read = f.width === 0 ? header[f.offset]! - f.fix!.base : header.subarray(f.offset, f.offset + f.width).reduce((v, b) => v * 256 + b, 0);
          expect(read).toBe(f.value);
        }
      }),
      { numRuns: 50 },
    );
  });
});

describe('oracle', () => {
  const CHUNK = 16384;
  const SEALED = 16400;
  const plaintext = pseudoRandomBytes(2 * CHUNK + 4, 1);
  const input = pseudoRandomBytes(10 + 2 * SEALED + 20, 2);
  const seed: Decryptable = { input, plaintext, chunksStart: 10 };
  const modifiedIn = (at: number): Uint8Array => {
    const m = input.slice();
    m[at]! ^= 1;
    return m;
  };

  it('accepts the valid input and a failure that released only chunks before the change', () => {
    expect(judgeRelease([seed], input, plaintext, true, 'x')).toBeUndefined();
    expect(judgeRelease([seed], modifiedIn(10 + SEALED + 5), plaintext.subarray(0, CHUNK), false, 'x')).toBeUndefined();
    expect(judgeRelease([seed], modifiedIn(3), new Uint8Array(0), false, 'x')).toBeUndefined();
  });

  it('flags success on a modified input, partial or unverified chunks, and a rejected valid input', () => {
    expect(judgeRelease([seed], modifiedIn(input.length - 1), plaintext, true, 'x')?.kind).toBe('plaintext-released');
    expect(judgeRelease([seed], modifiedIn(10 + SEALED + 5), plaintext.subarray(0, 100), false, 'x')?.kind).toBe('plaintext-released');
    expect(judgeRelease([seed], modifiedIn(10 + 5), plaintext.subarray(0, CHUNK), false, 'x')?.kind).toBe('plaintext-released');
    const wrong = plaintext.slice(0, CHUNK);
    wrong[0]! ^= 1;
    expect(judgeRelease([seed], modifiedIn(10 + SEALED + 5), wrong, false, 'x')?.kind).toBe('plaintext-released');
    expect(judgeRelease([seed], input, new Uint8Array(0), false, 'x')?.kind).toBe('wrong-verdict');
  });

  it('treats only DekError and KmsServiceError as typed, and flags hangs and allocations', async () => {
    const thrown = async (e: unknown) => genericFindings(await measure(() => { throw e; }, false), 'f', 1);
    expect(await thrown(new FormatError('bad'))).toBeUndefined();
    expect(await thrown(new KmsServiceError({ httpStatus: 400, code: 'X', message: 'x', requestId: 'r' }))).toBeUndefined();
    expect((await thrown(new TypeError('boom')))?.kind).toBe('untyped-exception');
    expect((await thrown(new RangeError('Invalid typed array length')))?.kind).toBe('untyped-exception');
    expect((await thrown('a string'))?.kind).toBe('untyped-exception');
    const ok = { outcome: { ok: true as const, value: 1 }, elapsedMs: 0, allocated: 0 };
    expect(genericFindings({ ...ok, elapsedMs: 1000 }, 'f', 1)?.kind).toBe('hang');
    expect(genericFindings({ ...ok, allocated: 64 * 1024 * 1024 }, 'f', 1024)?.kind).toBe('allocation');
    expect(genericFindings(ok, 'f', 1)).toBeUndefined();
  });
});

describe('corpus format', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dek-fuzz-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips hex and JSON entries and saves each input once', () => {
    const hex = { format: 'hex' as const, meta: { finding: 'hang', message: 'two\nlines' }, bytes: pseudoRandomBytes(100, 3) };
    const parsed = parseEntry(formatEntry(hex), 'hex');
    expect(parsed.format === 'hex' && sameBytes(parsed.bytes, hex.bytes)).toBe(true);
    expect(parsed.meta).toEqual({ finding: 'hang', message: 'two lines' });
    const json = { format: 'json' as const, meta: { a: 'b' }, value: { x: [1, 'y'] } };
    expect(parseEntry(formatEntry(json), 'json')).toEqual(json);
    const first = saveEntry('header', 'hang', hex, dir);
    expect(saveEntry('header', 'hang', { ...hex, meta: { other: 'meta' } }, dir)).toBe(first);
    expect(readCorpus('header', dir).map((f) => f.path)).toEqual([first]);
    expect(readCorpus('none', dir)).toEqual([]);
  });
});

describe('driver', () => {
  it('reports a planted bug as a finding and shrinks its input', async () => {
    const planted: Harness<Uint8Array> = {
      name: 'planted',
      summary: 'a decoder that throws a TypeError on inputs longer than 3 bytes',
      shortRuns: 100,
      cases: () => fc.uint8Array({ maxLength: 64 }),
      check: async (input) =>
        genericFindings(
          await measure(() => {
            if (input.length > 3) throw new TypeError('planted');
          }, false),
          'planted',
          input.length,
        ),
      toCorpus: (input) => ({ format: 'hex', meta: {}, bytes: input }),
      fromCorpus: () => new Uint8Array(0),
    };
    const result = await fuzz(planted, { numRuns: 100 });
    expect(result.failure?.finding.kind).toBe('untyped-exception');
    expect(result.failure?.case).toEqual(new Uint8Array(4));
  });
});

describe('harnesses accept their own valid inputs', () => {
  const unmodified = { other: 0, mutations: [] };
  it('header, blob, chunked, stream (every mode) and random-access', async () => {
    for (const [i, valid] of headerSeeds().entries()) {
      expect(await headerHarness.check({ ...unmodified, base: i, valid, bytes: valid })).toBeUndefined();
    }
    for (const [i, b] of blobSeeds().entries()) expect(await blobHarness.check({ ...unmodified, base: i, form: 'advance', bytes: b })).toBeUndefined();
    for (const [i, b] of openApiBlobSeeds().entries()) expect(await blobHarness.check({ ...unmodified, base: i, form: 'openapi', bytes: b })).toBeUndefined();
    for (const [i, s] of payloadSeeds().entries()) {
      for (const mode of ['message', 'opener'] as const) {
        expect(await chunkedHarness.check({ ...unmodified, base: i, mode, splits: [7919], bytes: s.payload })).toBeUndefined();
      }
    }
    for (const [i, s] of envelopeSeeds().entries()) {
      for (const mode of ['datakey', 'kms', 'node', 'web', 'oneshot'] as const) {
        expect(await streamHarness.check({ ...unmodified, base: i, mode, splits: [16401], bytes: s.envelope })).toBeUndefined();
      }
      expect(await randomAccessHarness.check({ ...unmodified, base: i, range: [5, 40000], bytes: s.envelope })).toBeUndefined();
    }
  });

  it('every harness is registered once', () => {
    expect(new Set(HARNESSES.map((h) => h.name)).size).toBe(HARNESSES.length);
  });
});
