import { createHash, createHmac } from 'node:crypto';
import {
  ArgumentError,
  computeHeaderMac,
  decodeHeader,
  encodeContext,
  encodeHeader,
  ENVELOPE_MAGIC,
  type EnvelopeHeader,
  HEADER_MAC_LENGTH,
  HeaderMacError,
  headerMacKey,
  kmsAad,
  MAX_CONTEXT_BYTES,
  MAX_CONTEXT_PAIRS,
  MAX_HEADER_BODY_LENGTH,
  MAX_SLOT_BLOB_LENGTH,
  MAX_SLOTS,
  PRELUDE_LENGTH,
  readPrelude,
  verifyHeaderMac,
} from '@dek/core';
import { describe, expect, it } from 'vitest';
import {
  array,
  bin,
  envelope,
  expectFormatError,
  expectTruncated,
  map,
  mapOf,
  type Part,
  rootEntries,
  SLOT,
  str,
  strBytes,
  thrown,
  utf8,
  withEntries,
} from './helpers/header-bytes.js';

const u32 = (n: number): Part => [n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
const bytesOf = (text: string): Part => [...Buffer.from(text, 'latin1')];

const HEADER: EnvelopeHeader = {
  suite: 'cobblestone-256',
  context: { b: '2', a: '1' },
  slots: [{ kms: 'local', keyId: 'key-1', blob: new Uint8Array([1, 2, 3]) }],
};

/** HEADER's body, byte by byte from the MessagePack spec (fixmap 0x8N, fixstr 0xaN, fixarray 0x9N, bin8 0xc4). */
const HEADER_BODY: Part = [
  0x83,
  0xa5, ...bytesOf('suite'), 0xaf, ...bytesOf('cobblestone-256'),
  0xa7, ...bytesOf('context'), 0x82, 0xa1, 0x61, 0xa1, 0x31, 0xa1, 0x62, 0xa1, 0x32,
  0xa5, ...bytesOf('slots'), 0x91,
  0x83, 0xa3, ...bytesOf('kms'), 0xa5, ...bytesOf('local'),
  0xa5, ...bytesOf('keyId'), 0xa5, ...bytesOf('key-1'),
  0xa4, ...bytesOf('blob'), 0xc4, 0x03, 0x01, 0x02, 0x03,
];

describe('encodeHeader known answers', () => {
  it('writes prelude and body exactly as DESIGN lays them out', () => {
    const expected = [0x89, 0x44, 0x45, 0x4b, 0x01, ...u32(HEADER_BODY.length), ...HEADER_BODY];
    expect([...encodeHeader(HEADER)]).toEqual(expected);
    expect([...ENVELOPE_MAGIC]).toEqual([0x89, 0x44, 0x45, 0x4b]);
  });

  it('writes every optional slot field in order, str8/bin8 for longer values, two slots', () => {
    const keyId = 'acs:kms:cn-hangzhou:123456789:key/key-abc'; // 41 bytes: str8
    const header: EnvelopeHeader = {
      suite: 'cobblestone-128',
      context: {},
      slots: [
        { kms: 'aws-kms', keyId, blob: new Uint8Array(300).fill(7) },
        { algorithm: 'AES_256', iv: new Uint8Array([9, 9]), blob: new Uint8Array([5]), keyVersionId: 'v1', keyId: 'k', kms: 'alibaba-kms' },
      ],
    };
    const body: Part = [
      0x83,
      0xa5, ...bytesOf('suite'), 0xaf, ...bytesOf('cobblestone-128'),
      0xa7, ...bytesOf('context'), 0x80,
      0xa5, ...bytesOf('slots'), 0x92,
      0x83, 0xa3, ...bytesOf('kms'), 0xa7, ...bytesOf('aws-kms'),
      0xa5, ...bytesOf('keyId'), 0xd9, 41, ...bytesOf(keyId),
      0xa4, ...bytesOf('blob'), 0xc5, 0x01, 0x2c, ...new Array<number>(300).fill(7),
      0x86, 0xa3, ...bytesOf('kms'), 0xab, ...bytesOf('alibaba-kms'),
      0xa5, ...bytesOf('keyId'), 0xa1, ...bytesOf('k'),
      0xac, ...bytesOf('keyVersionId'), 0xa2, ...bytesOf('v1'),
      0xa4, ...bytesOf('blob'), 0xc4, 0x01, 0x05,
      0xa2, ...bytesOf('iv'), 0xc4, 0x02, 0x09, 0x09,
      0xa9, ...bytesOf('algorithm'), 0xa7, ...bytesOf('AES_256'),
    ];
    expect([...encodeHeader(header)]).toEqual([0x89, 0x44, 0x45, 0x4b, 0x01, ...u32(body.length), ...body]);
  });

  it('sorts context keys by UTF-8 bytes, not UTF-16 units', () => {
    // UTF-16 puts U+10000 (d800 dc00) before U+FFFF; UTF-8 puts ef bf bf before f0 90 80 80.
    const bytes = encodeHeader({ ...HEADER, context: { '\u{10000}': 'x', '\uFFFF': 'y' } });
    const expectedContext = map([
      [str('\uFFFF'), str('y')],
      [str('\u{10000}'), str('x')],
    ]);
    const at = Buffer.from(bytes).indexOf(Buffer.from([0xa7, ...utf8('context')])) + 8;
    expect([...bytes.subarray(at, at + expectedContext.length)]).toEqual(expectedContext);
  });
});

describe('decodeHeader', () => {
  it('decodes the known-answer bytes, also with a payload behind them', () => {
    const bytes = envelope(HEADER_BODY, new Array<number>(32).fill(0xab));
    const withPayload = new Uint8Array([...bytes, 1, 2, 3, 4]);
    for (const input of [bytes, withPayload]) {
      const decoded = decodeHeader(input);
      expect(decoded.header).toEqual(HEADER);
      expect(decoded.macedLength).toBe(PRELUDE_LENGTH + HEADER_BODY.length);
      expect(decoded.headerLength).toBe(PRELUDE_LENGTH + HEADER_BODY.length + HEADER_MAC_LENGTH);
      expect([...decoded.mac]).toEqual(new Array<number>(32).fill(0xab));
    }
  });

  it('returns copies that do not alias the input', () => {
    const bytes = envelope(HEADER_BODY);
    const { header, mac } = decodeHeader(bytes);
    bytes.fill(0);
    expect([...header.slots[0]!.blob]).toEqual([1, 2, 3]);
    expect(mac[0]).toBe(0xee);
  });

  it('keeps a __proto__ context key as an ordinary own key, and "-0" / "0" keys exactly', () => {
    const context = mapOf([
      ['-0', str('neg')],
      ['0', str('zero')],
      ['__proto__', str('{"polluted":true}')],
      ['constructor', str('')],
    ]);
    const { header } = decodeHeader(envelope(mapOf(rootEntries(undefined, context))));
    // (JavaScript lists the integer-like key '0' first; the encoding below restores byte order.)
    expect(Object.keys(header.context).sort()).toEqual(['-0', '0', '__proto__', 'constructor']);
    expect(Object.getOwnPropertyDescriptor(header.context, '__proto__')?.value).toBe('{"polluted":true}');
    expect(header.context['constructor']).toBe('');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    // ...and it encodes back to the same bytes.
    const encoded = encodeHeader(header);
    expect([...encoded.subarray(PRELUDE_LENGTH)]).toEqual(mapOf(rootEntries(undefined, context)));
  });

  it('keeps a leading byte-order mark in strings', () => {
    const slots = array([mapOf(withEntries(SLOT, { keyId: str('\uFEFFkey') }))]);
    const { header } = decodeHeader(envelope(mapOf(rootEntries(slots))));
    expect(header.slots[0]!.keyId).toBe('\uFEFFkey');
  });
});

describe('readPrelude', () => {
  const prelude = (n: number, version = 1): Uint8Array => new Uint8Array([0x89, 0x44, 0x45, 0x4b, version, ...u32(n)]);

  it('returns the body and header lengths for n = 1 and n = 65536', () => {
    expect(readPrelude(prelude(1))).toEqual({ bodyLength: 1, headerLength: 9 + 1 + 32 });
    expect(readPrelude(prelude(65536))).toEqual({ bodyLength: 65536, headerLength: 9 + 65536 + 32 });
  });

  it('rejects a wrong magic (field magic), even when short', () => {
    expectFormatError(() => readPrelude(new Uint8Array([0x89, 0x44, 0x45, 0x4c, 1, 0, 0, 0, 1])), 'magic');
    expectFormatError(() => readPrelude(new Uint8Array([0x50, 0x4b])), 'magic');
    expectFormatError(() => decodeHeader(new TextEncoder().encode('hello world, not an envelope at all')), 'magic');
  });

  it('rejects another version (field version)', () => {
    expectFormatError(() => readPrelude(prelude(1, 2)), 'version');
    expectFormatError(() => readPrelude(prelude(1, 0)), 'version');
  });

  it('rejects n outside 1..65536 (field length)', () => {
    expectFormatError(() => readPrelude(prelude(0)), 'length');
    expectFormatError(() => readPrelude(prelude(MAX_HEADER_BODY_LENGTH + 1)), 'length');
    expectFormatError(() => readPrelude(prelude(0xffffffff)), 'length');
  });

  it('throws TruncatedError below 9 bytes of a correct prefix', () => {
    for (let len = 0; len < PRELUDE_LENGTH; len++) expectTruncated(() => readPrelude(prelude(5).subarray(0, len)));
  });

  it('decodeHeader throws TruncatedError below 9 + n + 32 bytes', () => {
    const bytes = envelope(HEADER_BODY);
    for (const len of [0, 8, 9, 10, PRELUDE_LENGTH + HEADER_BODY.length, bytes.length - 1]) {
      const error = expectTruncated(() => decodeHeader(bytes.subarray(0, len)));
      expect(error.details.field).toBe('header');
    }
  });

  it('rejects a non-Uint8Array input with ArgumentError', () => {
    expect(thrown(() => readPrelude('abc' as unknown as Uint8Array))).toBeInstanceOf(ArgumentError);
  });
});

describe('decodeHeader rejects, naming the field', () => {
  const body = (entries = rootEntries()): Uint8Array => envelope(mapOf(entries));
  const slotsWith = (changes: Record<string, Part | undefined>, index = 0): Part =>
    array(Array.from({ length: index + 1 }, (_, i) => mapOf(i === index ? withEntries(SLOT, changes) : SLOT)));
  const bad = (changes: Record<string, Part | undefined>, index = 0): Uint8Array => body(rootEntries(slotsWith(changes, index)));
  const ctx = (entries: ReadonlyArray<readonly [Part, Part]>): Uint8Array => body(rootEntries(undefined, map(entries)));

  it('accepts the unmodified test body (so each case below fails for its own reason)', () => {
    expect(decodeHeader(body()).header.slots).toHaveLength(1);
    expect(decodeHeader(bad({ keyVersionId: str('v'), iv: bin([1]), algorithm: str('a') }, 2)).header.slots).toHaveLength(3);
  });

  it('a body that is not one map, or has bytes after it', () => {
    expectFormatError(() => decodeHeader(envelope(array([str('suite')]))), 'body');
    expectFormatError(() => decodeHeader(envelope([0xc0])), 'body');
    expectFormatError(() => decodeHeader(envelope([...mapOf(rootEntries()), 0x00])), 'body');
    expectFormatError(() => decodeHeader(envelope([...mapOf(rootEntries()), ...mapOf(rootEntries())])), 'body');
  });

  it('unknown, duplicate, out-of-order, missing and non-string root keys', () => {
    expectFormatError(() => decodeHeader(body([...rootEntries(), ['extra', str('x')]])), 'extra');
    expectFormatError(() => decodeHeader(body([['__proto__', str('x')], ...rootEntries()])), '__proto__');
    expectFormatError(() => decodeHeader(body([['suite', str('cobblestone-256')], ...rootEntries()])), 'suite');
    const [suite, context, slots] = rootEntries();
    expectFormatError(() => decodeHeader(body([context!, suite!, slots!])), 'suite');
    expectFormatError(() => decodeHeader(body([suite!, context!])), 'slots');
    expectFormatError(() => decodeHeader(body([suite!, slots!])), 'context');
    expectFormatError(() => decodeHeader(body([[[0x01], str('x')], ...rootEntries()])), 'body');
    expectFormatError(() => decodeHeader(body([[bin(utf8('suite')), str('cobblestone-256')], context!, slots!])), 'body');
    expectFormatError(() => decodeHeader(envelope([0x83])), 'body');
  });

  it('a map claiming 2^32-1 entries fails where the body ends, without allocating', () => {
    expectFormatError(() => decodeHeader(envelope([0xdf, 0xff, 0xff, 0xff, 0xff])), 'body');
  });

  it('suite: unknown, wrong type', () => {
    expectFormatError(() => decodeHeader(body(withEntries(rootEntries(), { suite: str('cobblestone-512') }))), 'suite');
    expectFormatError(() => decodeHeader(body(withEntries(rootEntries(), { suite: str('') }))), 'suite');
    expectFormatError(() => decodeHeader(body(withEntries(rootEntries(), { suite: bin(utf8('cobblestone-256')) }))), 'suite');
    expectFormatError(() => decodeHeader(body(withEntries(rootEntries(), { suite: str('x'.repeat(100)) }))), 'suite');
  });

  it('context: wrong type, key and value types, empty key, duplicates, order, limits, -0', () => {
    expectFormatError(() => decodeHeader(body(rootEntries(undefined, array([])))), 'context');
    expectFormatError(() => decodeHeader(ctx([[str('a'), [0x01]]])), 'context[0].value');
    expectFormatError(() => decodeHeader(ctx([[str('a'), [0xc0]]])), 'context[0].value');
    expectFormatError(() => decodeHeader(ctx([[str('a'), [0xcb, 0x80, 0, 0, 0, 0, 0, 0, 0]]])), 'context[0].value'); // -0.0
    expectFormatError(() => decodeHeader(ctx([[[0xcb, 0x80, 0, 0, 0, 0, 0, 0, 0], str('x')]])), 'context[0].key');
    expectFormatError(() => decodeHeader(ctx([[bin(utf8('a')), str('1')]])), 'context[0].key');
    expectFormatError(() => decodeHeader(ctx([[str(''), str('1')]])), 'context[0].key');
    expectFormatError(() => decodeHeader(ctx([[str('a'), str('1')], [str('a'), str('2')]])), 'context[1].key');
    expectFormatError(() => decodeHeader(ctx([[str('b'), str('1')], [str('a'), str('2')]])), 'context[1].key');
    expectFormatError(() => decodeHeader(ctx([[str('ab'), str('1')], [str('a'), str('2')]])), 'context[1].key');
    // JavaScript's (UTF-16) order is not the format's order.
    expectFormatError(() => decodeHeader(ctx([[str('\u{10000}'), str('1')], [str('\uFFFF'), str('2')]])), 'context[1].key');
    const pairs = (n: number): Array<readonly [Part, Part]> =>
      Array.from({ length: n }, (_, i) => [str(`k${String(i).padStart(3, '0')}`), str('v')] as const);
    expect(Object.keys(decodeHeader(ctx(pairs(MAX_CONTEXT_PAIRS))).header.context)).toHaveLength(MAX_CONTEXT_PAIRS);
    expectFormatError(() => decodeHeader(ctx(pairs(MAX_CONTEXT_PAIRS + 1))), 'context');
    const big = 'x'.repeat(MAX_CONTEXT_BYTES / 2 - 1);
    expect(decodeHeader(ctx([[str('a'), str(big)], [str('b'), str(big)]])).header.context['b']).toBe(big);
    expectFormatError(() => decodeHeader(ctx([[str('a'), str(big)], [str('b'), str(big + 'xx')]])), 'context');
  });

  it('context: strings that are not valid UTF-8', () => {
    expectFormatError(() => decodeHeader(ctx([[strBytes([0xc0, 0x80]), str('1')]])), 'context[0].key'); // overlong NUL
    expectFormatError(() => decodeHeader(ctx([[str('a'), strBytes([0xed, 0xa0, 0x80])]])), 'context[0].value'); // a surrogate
    expectFormatError(() => decodeHeader(ctx([[str('a'), strBytes([0x61, 0xff])]])), 'context[0].value');
    expectFormatError(() => decodeHeader(ctx([[str('a'), strBytes([0xe2, 0x82])]])), 'context[0].value'); // cut sequence
  });

  it('slots: wrong type, none, too many', () => {
    expectFormatError(() => decodeHeader(body(rootEntries(mapOf(SLOT)))), 'slots');
    expectFormatError(() => decodeHeader(body(rootEntries(array([])))), 'slots');
    expect(decodeHeader(body(rootEntries(array(new Array<Part>(MAX_SLOTS).fill(mapOf(SLOT)))))).header.slots).toHaveLength(MAX_SLOTS);
    expectFormatError(() => decodeHeader(body(rootEntries(array(new Array<Part>(MAX_SLOTS + 1).fill(mapOf(SLOT)))))), 'slots');
    expectFormatError(() => decodeHeader(body(rootEntries(array([array([])])))), 'slots[0]');
  });

  it('slot keys: unknown, __proto__, duplicate, out of order, missing, non-string', () => {
    expectFormatError(() => decodeHeader(bad({ extra: str('x') }, 2)), 'slots[2].extra');
    expectFormatError(() => decodeHeader(bad({ ['__proto__']: str('x') })), 'slots[0].__proto__');
    const slot = (entries: ReadonlyArray<readonly [string | Part, Part]>): Uint8Array => body(rootEntries(array([mapOf(entries)])));
    expectFormatError(() => decodeHeader(slot([...SLOT.slice(0, 2), ['keyId', str('k')], SLOT[2]!] as never)), 'slots[0].keyId');
    expectFormatError(() => decodeHeader(slot([SLOT[1]!, SLOT[0]!, SLOT[2]!] as never)), 'slots[0].kms');
    expectFormatError(() => decodeHeader(slot([['blob', bin([1])], ['iv', bin([1])], ['keyVersionId', str('v')]] as never)), 'slots[0].keyVersionId');
    for (const key of ['kms', 'keyId', 'blob']) expectFormatError(() => decodeHeader(bad({ [key]: undefined }, 1)), `slots[1].${key}`);
    expectFormatError(() => decodeHeader(slot([[[0x00], str('x')], ...SLOT] as never)), 'slots[0]');
  });

  it('slot values: wrong types', () => {
    expectFormatError(() => decodeHeader(bad({ blob: str('abc') }, 2)), 'slots[2].blob');
    expectFormatError(() => decodeHeader(bad({ keyId: bin(utf8('key-1')) })), 'slots[0].keyId');
    expectFormatError(() => decodeHeader(bad({ kms: [0xc3] })), 'slots[0].kms');
    expectFormatError(() => decodeHeader(bad({ keyVersionId: [0xc0] })), 'slots[0].keyVersionId');
    expectFormatError(() => decodeHeader(bad({ iv: [0x0c] })), 'slots[0].iv');
    expectFormatError(() => decodeHeader(bad({ algorithm: [0xd4, 0x01, 0x00] })), 'slots[0].algorithm');
    expectFormatError(() => decodeHeader(bad({ blob: [0xd6, 0xff, 0, 0, 0, 0] })), 'slots[0].blob');
  });

  it('slot values: empty, bad kms id, over the length limits', () => {
    for (const [key, value] of [
      ['kms', str('')],
      ['keyId', str('')],
      ['keyVersionId', str('')],
      ['algorithm', str('')],
      ['blob', bin([])],
      ['iv', bin([])],
      ['kms', str('Local')],
      ['kms', str('lo cal')],
      ['kms', str('lo_cal')],
      ['kms', str('a'.repeat(65))],
      ['keyId', str('k'.repeat(2049))],
      ['keyVersionId', str('v'.repeat(257))],
      ['algorithm', str('a'.repeat(33))],
      ['blob', bin(new Array<number>(MAX_SLOT_BLOB_LENGTH + 1).fill(1))],
      ['iv', bin(new Array<number>(65).fill(1))],
    ] as const) {
      expectFormatError(() => decodeHeader(bad({ [key]: value })), `slots[0].${key}`);
    }
    const atLimit = decodeHeader(
      bad({
        kms: str('a'.repeat(64)),
        keyId: str('é'.repeat(1024)),
        keyVersionId: str('v'.repeat(256)),
        blob: bin(new Array<number>(MAX_SLOT_BLOB_LENGTH).fill(1)),
        iv: bin(new Array<number>(64).fill(1)),
        algorithm: str('a'.repeat(32)),
      }),
    ).header.slots[0]!;
    expect(atLimit.keyId).toBe('é'.repeat(1024));
    expect(atLimit.blob).toHaveLength(MAX_SLOT_BLOB_LENGTH);
  });

  it('slot strings that are not valid UTF-8', () => {
    expectFormatError(() => decodeHeader(bad({ keyId: strBytes([0x6b, 0xff]) })), 'slots[0].keyId');
    expectFormatError(() => decodeHeader(bad({ keyVersionId: strBytes([0xf8, 0x88, 0x80, 0x80, 0x80]) })), 'slots[0].keyVersionId');
  });

  it('lengths not in their shortest form', () => {
    const long = (bytes: Part): Part => [0xd9, bytes.length, ...bytes]; // str8 for a fixstr-sized string
    expectFormatError(() => decodeHeader(body(withEntries(rootEntries(), { suite: long(utf8('cobblestone-256')) }))), 'suite');
    expectFormatError(() => decodeHeader(bad({ blob: [0xc5, 0x00, 0x03, 1, 2, 3] })), 'slots[0].blob');
    expectFormatError(() => decodeHeader(envelope([0xde, 0x00, 0x03, ...mapOf(rootEntries()).slice(1)])), 'body');
    expectFormatError(() => decodeHeader(body(rootEntries([0xdc, 0x00, 0x01, ...mapOf(SLOT)]))), 'slots');
    expectFormatError(() => decodeHeader(body([[long(utf8('suite')), str('cobblestone-256')], ...rootEntries().slice(1)])), 'body');
  });

  it('a body that ends inside a value (n too small for its content) is a FormatError, not truncation', () => {
    const full = mapOf(rootEntries());
    const cut = full.slice(0, full.length - 2); // inside the blob
    expectFormatError(() => decodeHeader(envelope(cut)), 'slots[0].blob');
    expectFormatError(() => decodeHeader(envelope(full.slice(0, full.length - 5))), 'slots[0].blob');
    expectFormatError(() => decodeHeader(envelope([0x81, 0xd9])), 'body');
  });
});

describe('encodeHeader rejects bad headers with ArgumentError naming the field', () => {
  const slot = { kms: 'local', keyId: 'key-1', blob: new Uint8Array([1]) };
  const expectArg = (header: unknown, field: string): void => {
    const error = thrown(() => encodeHeader(header as EnvelopeHeader));
    expect(error).toBeInstanceOf(ArgumentError);
    expect((error as ArgumentError).details.field).toBe(field);
  };
  const ok: EnvelopeHeader = { suite: 'cobblestone-256', context: {}, slots: [slot] };

  it('header, suite, context', () => {
    expect(decodeHeader(new Uint8Array([...encodeHeader(ok), ...new Array<number>(32).fill(0)])).header).toEqual(ok);
    expectArg(null, 'header');
    expectArg({ ...ok, suite: 'cobblestone-512' }, 'suite');
    expectArg({ ...ok, context: null }, 'context');
    expectArg({ ...ok, context: { a: 1 } }, 'context');
    expectArg({ ...ok, context: { '': 'x' } }, 'context');
    expectArg({ ...ok, context: { a: '\uD800' } }, 'context');
    expectArg({ ...ok, context: { '\uDC00x': 'v' } }, 'context');
    expectArg({ ...ok, context: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, ''])) }, 'context');
    expectArg({ ...ok, context: { a: 'x'.repeat(MAX_CONTEXT_BYTES) } }, 'context');
  });

  it('slots and slot fields', () => {
    expectArg({ ...ok, slots: [] }, 'slots');
    expectArg({ ...ok, slots: new Array(MAX_SLOTS + 1).fill(slot) }, 'slots');
    expectArg({ ...ok, slots: 'x' }, 'slots');
    expectArg({ ...ok, slots: [slot, null] }, 'slots[1]');
    expectArg({ ...ok, slots: [slot, , slot] }, 'slots[1]'); // a hole, not packed as nil
    expectArg({ ...ok, slots: [{ ...slot, blob: undefined }] }, 'slots[0].blob');
    expectArg({ ...ok, slots: [{ ...slot, blob: 'AQ==' }] }, 'slots[0].blob');
    expectArg({ ...ok, slots: [{ ...slot, blob: new Uint8Array(0) }] }, 'slots[0].blob');
    expectArg({ ...ok, slots: [{ ...slot, kms: 'AWS' }] }, 'slots[0].kms');
    expectArg({ ...ok, slots: [{ ...slot, keyId: new Uint8Array([1]) }] }, 'slots[0].keyId');
    expectArg({ ...ok, slots: [slot, { ...slot, keyId: 'k\uD800' }] }, 'slots[1].keyId');
    expectArg({ ...ok, slots: [{ ...slot, keyVersionId: 'v'.repeat(257) }] }, 'slots[0].keyVersionId');
    expectArg({ ...ok, slots: [{ ...slot, iv: [1, 2] }] }, 'slots[0].iv');
    expectArg({ ...ok, slots: [{ ...slot, algorithm: '' }] }, 'slots[0].algorithm');
    expectArg({ ...ok, slots: [{ ...slot, Iv: new Uint8Array(12) }] }, 'slots[0].Iv');
  });

  it('a body over 65536 bytes', () => {
    const big = { ...slot, blob: new Uint8Array(MAX_SLOT_BLOB_LENGTH) };
    expectArg({ ...ok, slots: new Array(MAX_SLOTS).fill(big) }, 'header');
  });
});

describe('encodeContext and kmsAad', () => {
  const ctxPrefix = (suite: string): Part => [...utf8('dek/v1'), 0, ...utf8(suite), 0];

  it('CTX known answer: label, suite, sorted length-prefixed pairs', () => {
    expect([...encodeContext('cobblestone-128', { b: '2', a: '1' })]).toEqual([
      ...ctxPrefix('cobblestone-128'),
      0, 0, 0, 1, 0x61, 0, 0, 0, 1, 0x31,
      0, 0, 0, 1, 0x62, 0, 0, 0, 1, 0x32,
    ]);
    expect([...encodeContext('cobblestone-256', {})]).toEqual(ctxPrefix('cobblestone-256'));
    expect(Buffer.from(encodeContext('cobblestone-256', {})).toString('hex')).toBe('64656b2f7631' + '00' + Buffer.from('cobblestone-256').toString('hex') + '00');
  });

  it('sorts by UTF-8 bytes, counts UTF-8 lengths, allows empty values and a __proto__ key', () => {
    const context = JSON.parse('{"\\uD800\\uDC00":"é","\\uFFFF":"","__proto__":"p"}') as Record<string, string>;
    expect([...encodeContext('cobblestone-256', context)]).toEqual([
      ...ctxPrefix('cobblestone-256'),
      ...u32(9), ...utf8('__proto__'), ...u32(1), ...utf8('p'),
      ...u32(3), 0xef, 0xbf, 0xbf, ...u32(0),
      ...u32(4), 0xf0, 0x90, 0x80, 0x80, ...u32(2), 0xc3, 0xa9,
    ]);
  });

  it('the same pairs in any insertion order give the same CTX; different suites do not', () => {
    const a = encodeContext('cobblestone-256', { x: '1', y: '2' });
    expect(encodeContext('cobblestone-256', { y: '2', x: '1' })).toEqual(a);
    expect(encodeContext('cobblestone-128', { x: '1', y: '2' })).not.toEqual(a);
    // Length prefixes keep ("ab","c") apart from ("a","bc").
    expect(encodeContext('cobblestone-256', { ab: 'c' })).not.toEqual(encodeContext('cobblestone-256', { a: 'bc' }));
  });

  it('rejects an unknown suite and a bad context with ArgumentError', () => {
    expect((thrown(() => encodeContext('aes' as never, {})) as ArgumentError).details.field).toBe('suite');
    expect((thrown(() => encodeContext('cobblestone-256', { a: 'x'.repeat(MAX_CONTEXT_BYTES) })) as ArgumentError).details.field).toBe('context');
  });

  it('kmsAad is SHA-256 of CTX', () => {
    const ctx = encodeContext('cobblestone-256', { tenant: 'acme', purpose: 'backup' });
    expect(Buffer.from(kmsAad(ctx))).toEqual(createHash('sha256').update(ctx).digest());
    expect(Buffer.from(kmsAad(new Uint8Array(0))).toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(thrown(() => kmsAad('x' as never))).toBeInstanceOf(ArgumentError);
  });
});

describe('header MAC', () => {
  const dk = new Uint8Array(32).map((_, i) => i);
  const maced = encodeHeader(HEADER);

  it('headerMacKey is HKDF-Expand-SHA-512(DK, "dek/v1 header-mac", 32) = first half of T(1)', () => {
    for (const key of [dk, dk.subarray(0, 16)]) {
      const t1 = createHmac('sha512', key).update(Buffer.concat([Buffer.from('dek/v1 header-mac'), Buffer.from([1])])).digest();
      expect(Buffer.from(headerMacKey(key))).toEqual(t1.subarray(0, 32));
    }
  });

  it('computeHeaderMac is HMAC-SHA-256 under that key', () => {
    const expected = createHmac('sha256', headerMacKey(dk)).update(maced).digest();
    expect(Buffer.from(computeHeaderMac(dk, maced))).toEqual(expected);
    expect(computeHeaderMac(dk, maced)).toHaveLength(HEADER_MAC_LENGTH);
  });

  it('verifyHeaderMac accepts the right MAC and rejects a wrong key, header, or MAC length', () => {
    const mac = computeHeaderMac(dk, maced);
    expect(() => verifyHeaderMac(dk, maced, mac)).not.toThrow();
    const otherKey = dk.slice();
    otherKey[31] = dk[31]! ^ 1;
    for (const [key, bytes, tag] of [
      [otherKey, maced, mac],
      [dk, maced.subarray(0, maced.length - 1), mac],
      [dk, maced, mac.subarray(0, 31)],
      [dk, maced, new Uint8Array([...mac, 0])],
      [dk.subarray(0, 16), maced, mac],
    ] as const) {
      const error = thrown(() => verifyHeaderMac(key, bytes, tag));
      expect(error).toBeInstanceOf(HeaderMacError);
      expect((error as HeaderMacError).details.field).toBe('mac');
    }
  });

  it('rejects data keys that are not 16 or 32 bytes, and non-byte inputs, with ArgumentError', () => {
    for (const key of [new Uint8Array(0), new Uint8Array(24), new Uint8Array(64)]) {
      const error = thrown(() => headerMacKey(key));
      expect(error).toBeInstanceOf(ArgumentError);
      expect((error as ArgumentError).details.field).toBe('key');
    }
    expect(thrown(() => computeHeaderMac(dk, 'x' as never))).toBeInstanceOf(ArgumentError);
    expect(thrown(() => verifyHeaderMac(dk, maced, 'x' as never))).toBeInstanceOf(ArgumentError);
  });
});
