/**
 * The valid inputs the harnesses mutate. Every fixture is deterministic (fixed keys, salts and
 * plaintexts), so a corpus file replays the same way in every run.
 *
 * @module
 */
import fc from 'fast-check';
import {
  advanceToOpenApiBlob,
  ArgumentError,
  computeHeaderMac,
  encodeAdvanceBlob,
  encodeContext,
  encodeHeader,
  kmsAad,
  MAX_BLOB_LENGTH,
  MIN_ADVANCE_BLOB_LENGTH,
  sealMessage,
  SUITES,
} from '@dek/core';
import type { EncryptionContext, EnvelopeHeader, KeySlot, SuiteName } from '@dek/core';
import { EnvelopeEncryptor, leaseOf } from '@dek/stream';
import { concatBytes, pseudoRandomBytes } from './bytes.js';
import { FIXED_KEY_ID, FIXED_KEY_VERSION_ID, FIXED_KMS_PROVIDER, fixedWrap } from './fixed-kms.js';

/** Bytes of a c2sp payload before its first chunk: salt (24) and commitment (32). */
export const PAYLOAD_HEADER = 56;
/** Plaintext bytes of a full chunk. */
export const CHUNK = 16384;
/** Ciphertext bytes of a full chunk. */
export const SEALED = 16400;

function memo<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}

// ---------------------------------------------------------------- envelopes (stream, random access)

/** A valid envelope and what decrypting it must give. */
export interface EnvelopeSeed {
  readonly suite: SuiteName;
  readonly context: EncryptionContext;
  /** The data key (the harness may unlock with it directly). */
  readonly dataKey: Uint8Array;
  readonly plaintext: Uint8Array;
  readonly envelope: Uint8Array;
  /** 9 + n + 32: where the c2sp payload starts. */
  readonly headerLength: number;
  /** Where chunk 0 starts. */
  readonly chunksStart: number;
}

interface EnvelopeSpec {
  readonly suite: SuiteName;
  readonly context: EncryptionContext;
  readonly length: number;
  /** Put a slot of an unavailable provider first (the decryptor must fall through to the next). */
  readonly foreignSlotFirst?: boolean;
}

const ENVELOPE_SPECS: readonly EnvelopeSpec[] = [
  { suite: 'cobblestone-256', context: {}, length: 0 },
  { suite: 'cobblestone-256', context: { purpose: 'fuzz' }, length: 1 },
  { suite: 'cobblestone-128', context: { a: '1', b: 'ü', empty: '' }, length: 16383 },
  { suite: 'cobblestone-256', context: {}, length: 16384 },
  { suite: 'cobblestone-256', context: { tenant: 't-42' }, length: 16385, foreignSlotFirst: true },
  { suite: 'cobblestone-128', context: {}, length: 40000 },
];

function makeEnvelope(spec: EnvelopeSpec, i: number): EnvelopeSeed {
  const dataKey = pseudoRandomBytes(SUITES[spec.suite].keyLength, 1000 + i);
  const blob = fixedWrap(dataKey, kmsAad(encodeContext(spec.suite, spec.context)));
  const slot: KeySlot = { kms: FIXED_KMS_PROVIDER, keyId: FIXED_KEY_ID, keyVersionId: FIXED_KEY_VERSION_ID, blob };
  const foreign: KeySlot = { kms: 'aws-kms', keyId: 'arn:aws:kms:eu-west-1:111122223333:key/fuzz', blob: pseudoRandomBytes(120, 77) };
  const slots = spec.foreignSlotFirst === true ? [foreign, slot] : [slot];
  const plaintext = pseudoRandomBytes(spec.length, 3000 + i);
  const encryptor = new EnvelopeEncryptor({
    suite: spec.suite,
    context: spec.context,
    lease: leaseOf(dataKey.slice(), slots),
    salt: pseudoRandomBytes(24, 2000 + i),
  });
  const envelope = concatBytes([...encryptor.write(plaintext), ...encryptor.end()]);
  const headerLength = encryptor.header.length;
  return { suite: spec.suite, context: spec.context, dataKey, plaintext, envelope, headerLength, chunksStart: headerLength + PAYLOAD_HEADER };
}

/** The envelope fixtures: both suites, empty to three-chunk plaintexts, one with a foreign first slot. */
export const envelopeSeeds: () => readonly EnvelopeSeed[] = memo(() => ENVELOPE_SPECS.map(makeEnvelope));

// ---------------------------------------------------------------- c2sp payloads (chunk opener)

/** A valid c2sp payload (salt || commitment || chunks) with its key and context. */
export interface PayloadSeed {
  readonly suite: SuiteName;
  readonly key: Uint8Array;
  readonly context: Uint8Array;
  readonly plaintext: Uint8Array;
  readonly payload: Uint8Array;
}

/** One key per suite and one context for every payload: payloads differ by salt and plaintext. */
const PAYLOAD_KEYS: Readonly<Record<SuiteName, Uint8Array>> = {
  'cobblestone-256': pseudoRandomBytes(32, 41),
  'cobblestone-128': pseudoRandomBytes(16, 42),
};
const PAYLOAD_CONTEXT = new TextEncoder().encode('dek/v1\0fuzz\0');

/** The payload fixtures: lengths around the chunk boundaries, both suites. */
export const payloadSeeds: () => readonly PayloadSeed[] = memo(() =>
  ([
    ['cobblestone-256', 0],
    ['cobblestone-256', 1],
    ['cobblestone-256', 100],
    ['cobblestone-128', 16383],
    ['cobblestone-256', 16384],
    ['cobblestone-256', 16385],
    ['cobblestone-128', 2 * CHUNK + 7],
  ] as const).map(([suite, length], i) => {
    const key = PAYLOAD_KEYS[suite];
    const plaintext = pseudoRandomBytes(length, 500 + i);
    const payload = sealMessage(suite, key, plaintext, PAYLOAD_CONTEXT, { salt: pseudoRandomBytes(24, 600 + i) });
    return { suite, key, context: PAYLOAD_CONTEXT, plaintext, payload };
  }),
);

// ---------------------------------------------------------------- KMS blobs

/** Advance blobs: empty plaintext, a 32-byte data key, odd sizes, and the longest accepted. */
export const blobSeeds: () => readonly Uint8Array[] = memo(() =>
  [0, 32, 44, 1024, MAX_BLOB_LENGTH - MIN_ADVANCE_BLOB_LENGTH].map((length, i) =>
    encodeAdvanceBlob({
      keyVersionId: FIXED_KEY_VERSION_ID,
      iv: pseudoRandomBytes(12, 700 + i),
      ciphertextAndTag: pseudoRandomBytes(length + 16, 800 + i),
    }),
  ),
);

/** The same blobs in the OpenAPI form (base64 text without the 3-byte header), as ASCII bytes. */
export const openApiBlobSeeds: () => readonly Uint8Array[] = memo(() =>
  blobSeeds().map((blob) => new TextEncoder().encode(advanceToOpenApiBlob(blob))),
);

// ---------------------------------------------------------------- headers

/** The data key of every header fixture (for the header MAC). */
export const HEADER_KEY = pseudoRandomBytes(32, 43);

/** Prelude, body and MAC of `header` under {@link HEADER_KEY}, then `tail` (payload bytes). */
export function sealedHeader(header: EnvelopeHeader, tail: Uint8Array = new Uint8Array(0)): Uint8Array {
  const maced = encodeHeader(header);
  return concatBytes([maced, computeHeaderMac(HEADER_KEY, maced), tail]);
}

const fullSlot = (i: number): KeySlot => ({
  kms: 'alibaba-kms',
  keyId: `key-${'x'.repeat(17)}${String(i).padStart(4, '0')}`,
  keyVersionId: `v-${i}`,
  blob: pseudoRandomBytes(100 + i, 900 + i),
  iv: pseudoRandomBytes(12, 950 + i),
  algorithm: 'AES_GCM',
});

/** Header fixtures near every limit: 16 slots, 64 context pairs, 8 KiB of context, the longest fields. */
export const headerSeeds: () => readonly Uint8Array[] = memo(() => {
  const bigContext: Record<string, string> = {};
  for (let i = 0; i < 64; i++) bigContext[`k${String(i).padStart(2, '0')}`] = 'v'.repeat(i === 63 ? 8192 - 64 * 3 - 63 * 60 : 60);
  return [
    sealedHeader({ suite: 'cobblestone-256', context: {}, slots: [{ kms: 'local', keyId: FIXED_KEY_ID, blob: pseudoRandomBytes(99, 1) }] }),
    sealedHeader(
      { suite: 'cobblestone-128', context: { a: '1', 'ключ': 'значение', empty: '' }, slots: [fullSlot(0), fullSlot(1)] },
      pseudoRandomBytes(20, 2),
    ),
    sealedHeader({ suite: 'cobblestone-256', context: bigContext, slots: Array.from({ length: 16 }, (_, i) => fullSlot(i)) }),
    sealedHeader({
      suite: 'cobblestone-256',
      context: { ['k'.repeat(40)]: 'v' },
      slots: [{ kms: 'a'.repeat(64), keyId: 'k'.repeat(2048), keyVersionId: 'v'.repeat(256), blob: pseudoRandomBytes(8192, 3), iv: pseudoRandomBytes(64, 4), algorithm: 'A'.repeat(32) }],
    }),
  ];
});

const text = (max: number): fc.Arbitrary<string> => fc.oneof(fc.string({ maxLength: max }), fc.string({ unit: 'grapheme', maxLength: max }));

const slotArb: fc.Arbitrary<KeySlot> = fc.record(
  {
    kms: fc.stringMatching(/^[a-z0-9-]{1,20}$/),
    keyId: text(80).filter((s) => s.length > 0),
    keyVersionId: text(40).filter((s) => s.length > 0),
    blob: fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 200 }), fc.integer({ min: 200, max: 8192 }).map((n) => pseudoRandomBytes(n, n))),
    iv: fc.uint8Array({ minLength: 1, maxLength: 64 }),
    algorithm: fc.string({ minLength: 1, maxLength: 32 }),
  },
  { requiredKeys: ['kms', 'keyId', 'blob'] },
);

/**
 * Random valid headers (sealed under {@link HEADER_KEY}, with 0..40 payload bytes after them).
 * A generated header the encoder refuses (over a limit) falls back to the first fixture.
 */
export function headerArb(): fc.Arbitrary<Uint8Array> {
  const header: fc.Arbitrary<EnvelopeHeader> = fc.record({
    suite: fc.constantFrom<SuiteName>('cobblestone-256', 'cobblestone-128'),
    context: fc.dictionary(text(30).filter((k) => k.length > 0), text(60), { maxKeys: 20 }),
    slots: fc.array(slotArb, { minLength: 1, maxLength: 5 }),
  });
  return fc.tuple(header, fc.uint8Array({ maxLength: 40 })).map(([h, tail]) => {
    try {
      return sealedHeader(h, tail);
    } catch (error) {
      if (error instanceof ArgumentError) return headerSeeds()[0]!;
      throw error;
    }
  });
}
