import {
  advanceToOpenApiBlob,
  decodeAdvanceBlob,
  decodeOpenApiBlob,
  encodeAdvanceBlob,
  encodeOpenApiBlob,
  FormatError,
  type KmsBlob,
  MAX_BLOB_LENGTH,
  MAX_OPENAPI_BLOB_LENGTH,
  MIN_ADVANCE_BLOB_LENGTH,
  MIN_OPENAPI_BLOB_LENGTH,
  openApiToAdvanceBlob,
} from '@dek/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { thrown } from './helpers/header-bytes.js';

// A version id as Alibaba makes them: key id ("key-" + 21) + "-" + 10 alphanumerics = 36 chars.
const VERSION_ID = 'key-hzz62f1cb66fa42qo3aam-0123456789';
const IV = Uint8Array.from({ length: 12 }, (_, i) => 0xa0 + i);
const CT = Uint8Array.from({ length: 32 + 16 }, (_, i) => i); // a 32-byte key and its tag
const BLOB: KmsBlob = { keyVersionId: VERSION_ID, iv: IV, ciphertextAndTag: CT };

/** The advance bytes, by hand from the documented layout. */
const ADVANCE = new Uint8Array([0x24, 0x00, 0x02, ...Buffer.from(VERSION_ID, 'ascii'), ...IV, ...CT]);
/** The OpenAPI form: base64 of the advance bytes without their 3-byte header. */
const OPENAPI = Buffer.from(ADVANCE.subarray(3)).toString('base64');

function expectBlobError(fn: () => unknown, field = 'CiphertextBlob'): void {
  const error = thrown(fn);
  expect(error).toBeInstanceOf(FormatError);
  expect((error as FormatError).details.field).toBe(field);
}

const withByte = (bytes: Uint8Array, at: number, value: number): Uint8Array => {
  const out = bytes.slice();
  out[at] = value;
  return out;
};

describe('KMS CiphertextBlob known answers and round trips', () => {
  it('encodes both forms exactly', () => {
    expect(ADVANCE).toHaveLength(3 + 36 + 12 + 48);
    expect([...encodeAdvanceBlob(BLOB)]).toEqual([...ADVANCE]);
    expect(encodeOpenApiBlob(BLOB)).toBe(OPENAPI);
  });

  it('decodes both forms to the parts, as copies', () => {
    const input = ADVANCE.slice();
    const fromAdvance = decodeAdvanceBlob(input);
    expect(fromAdvance).toEqual(BLOB);
    input.fill(0);
    expect(fromAdvance.iv).toEqual(IV);
    expect(decodeOpenApiBlob(OPENAPI)).toEqual(BLOB);
  });

  it('converts between the forms both ways', () => {
    expect(advanceToOpenApiBlob(ADVANCE)).toBe(OPENAPI);
    expect([...openApiToAdvanceBlob(OPENAPI)]).toEqual([...ADVANCE]);
  });

  it('accepts the shortest blob (empty ciphertext, tag only) and the longest', () => {
    const shortest = { ...BLOB, ciphertextAndTag: new Uint8Array(16) };
    expect(encodeAdvanceBlob(shortest)).toHaveLength(MIN_ADVANCE_BLOB_LENGTH);
    expect(decodeAdvanceBlob(encodeAdvanceBlob(shortest))).toEqual(shortest);
    expect(decodeOpenApiBlob(encodeOpenApiBlob(shortest))).toEqual(shortest);
    const longest = { ...BLOB, ciphertextAndTag: new Uint8Array(MAX_BLOB_LENGTH - 51).fill(7) };
    const sameCiphertext = (blob: KmsBlob): boolean => Buffer.from(blob.ciphertextAndTag).equals(longest.ciphertextAndTag);
    expect(encodeAdvanceBlob(longest)).toHaveLength(MAX_BLOB_LENGTH);
    expect(sameCiphertext(decodeAdvanceBlob(encodeAdvanceBlob(longest)))).toBe(true);
    expect(sameCiphertext(decodeOpenApiBlob(encodeOpenApiBlob(longest)))).toBe(true);
    expect(openApiToAdvanceBlob(encodeOpenApiBlob(longest))).toHaveLength(MAX_BLOB_LENGTH);
  });
});

describe('decodeAdvanceBlob rejects', () => {
  it('too short, too long, not bytes', () => {
    expectBlobError(() => decodeAdvanceBlob(ADVANCE.subarray(0, MIN_ADVANCE_BLOB_LENGTH - 1)));
    expectBlobError(() => decodeAdvanceBlob(new Uint8Array(0)));
    expectBlobError(() => decodeAdvanceBlob(new Uint8Array([...ADVANCE, ...new Uint8Array(MAX_BLOB_LENGTH)])));
    expectBlobError(() => decodeAdvanceBlob(OPENAPI as never));
  });

  it('a wrong magic, cipher version/padding or algorithm byte, with its offset', () => {
    for (const [at, value] of [
      [0, 0x25],
      [0, 0x00],
      [1, 0x10],
      [1, 0x01],
      [2, 0x01],
      [2, 0x03],
    ] as const) {
      const error = thrown(() => decodeAdvanceBlob(withByte(ADVANCE, at, value)));
      expect(error).toBeInstanceOf(FormatError);
      expect((error as FormatError).details).toMatchObject({ field: 'CiphertextBlob', offset: at });
    }
  });

  it('a version id that is not printable ASCII', () => {
    for (const value of [0x80, 0xff, 0x20, 0x7f, 0x00]) {
      expectBlobError(() => decodeAdvanceBlob(withByte(ADVANCE, 3, value)));
      expectBlobError(() => decodeAdvanceBlob(withByte(ADVANCE, 3 + 35, value)));
    }
  });
});

describe('decodeOpenApiBlob rejects', () => {
  it('too short, too long, not a string', () => {
    expectBlobError(() => decodeOpenApiBlob(''));
    expectBlobError(() => decodeOpenApiBlob(Buffer.from(ADVANCE.subarray(3, 3 + MIN_OPENAPI_BLOB_LENGTH - 1)).toString('base64')));
    expectBlobError(() => decodeOpenApiBlob(Buffer.alloc(MAX_OPENAPI_BLOB_LENGTH + 1, 0x41).toString('base64')));
    expectBlobError(() => decodeOpenApiBlob('A'.repeat(200_000)));
    expectBlobError(() => decodeOpenApiBlob(ADVANCE as never));
  });

  it('a version id that is not printable ASCII', () => {
    const bytes = withByte(ADVANCE.subarray(3), 0, 0xc3);
    expectBlobError(() => decodeOpenApiBlob(Buffer.from(bytes).toString('base64')));
  });

  it('base64 that is not canonical: non-zero pad bits, bad or missing padding, whitespace, other alphabets', () => {
    // 64 bytes: 64 % 3 = 1, so the text ends in "X==" where X carries 2 data bits and 4 zero bits.
    const shortest = encodeOpenApiBlob({ ...BLOB, ciphertextAndTag: new Uint8Array(16) });
    expect(shortest.endsWith('==')).toBe(true);
    const last = shortest.at(-3)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const nonCanonical = alphabet[alphabet.indexOf(last) + 1]!; // sets a low pad bit
    expect(Buffer.from(shortest.slice(0, -3) + nonCanonical + '==', 'base64')).toEqual(Buffer.from(shortest, 'base64')); // Node would accept it
    for (const text of [
      shortest.slice(0, -3) + nonCanonical + '==',
      shortest.slice(0, -2),
      shortest.slice(0, -1),
      shortest + '=',
      shortest + '\n',
      ' ' + shortest,
      shortest.slice(0, 8) + ' ' + shortest.slice(8),
      shortest.slice(0, 8) + '\r\n' + shortest.slice(8),
      shortest.replace(/\+/g, '-').replace(/\//g, '_').replace(/^./, '-'),
      shortest.replace(/^./, 'é'),
    ]) {
      expectBlobError(() => decodeOpenApiBlob(text));
    }
  });
});

describe('encoding rejects bad parts', () => {
  it('a version id that is not 36 printable ASCII characters', () => {
    for (const keyVersionId of [VERSION_ID.slice(1), VERSION_ID + 'x', 'é' + VERSION_ID.slice(1), ' ' + VERSION_ID.slice(1), '']) {
      expectBlobError(() => encodeAdvanceBlob({ ...BLOB, keyVersionId }), 'KeyVersionId');
      expectBlobError(() => encodeOpenApiBlob({ ...BLOB, keyVersionId }), 'KeyVersionId');
    }
  });

  it('an IV that is not 12 bytes', () => {
    for (const iv of [new Uint8Array(11), new Uint8Array(13), new Uint8Array(0)]) {
      expectBlobError(() => encodeAdvanceBlob({ ...BLOB, iv }), 'Iv');
    }
  });

  it('a ciphertext shorter than the tag or longer than a blob can be', () => {
    expectBlobError(() => encodeAdvanceBlob({ ...BLOB, ciphertextAndTag: new Uint8Array(15) }));
    expectBlobError(() => encodeAdvanceBlob({ ...BLOB, ciphertextAndTag: new Uint8Array(MAX_BLOB_LENGTH - 50) }));
  });
});

describe('KMS blob properties', () => {
  const blobArb: fc.Arbitrary<KmsBlob> = fc.record({
    keyVersionId: fc.stringMatching(/^[\x21-\x7e]{36}$/),
    iv: fc.uint8Array({ minLength: 12, maxLength: 12 }),
    ciphertextAndTag: fc.uint8Array({ minLength: 16, maxLength: 300 }),
  });

  it('random blobs round-trip through both forms and convert consistently', () => {
    fc.assert(
      fc.property(blobArb, (blob) => {
        const advance = encodeAdvanceBlob(blob);
        const openApi = encodeOpenApiBlob(blob);
        expect(decodeAdvanceBlob(advance)).toEqual(blob);
        expect(decodeOpenApiBlob(openApi)).toEqual(blob);
        expect([...advance.subarray(0, 3)]).toEqual([0x24, 0x00, 0x02]);
        expect(Buffer.from(openApi, 'base64')).toEqual(Buffer.from(advance.subarray(3)));
        expect(advanceToOpenApiBlob(advance)).toBe(openApi);
        expect(openApiToAdvanceBlob(openApi)).toEqual(advance);
      }),
    );
  });

  it('random bytes either fail with FormatError or decode to a blob that re-encodes to them', () => {
    const near = fc.uint8Array({ minLength: MIN_ADVANCE_BLOB_LENGTH - 2, maxLength: 120 }).map((b) => {
      const out = b.slice();
      out.set([0x24, 0x00, 0x02].slice(0, out.length));
      return out;
    });
    fc.assert(
      fc.property(fc.oneof(near, fc.uint8Array({ maxLength: 120 })), (bytes) => {
        let blob: KmsBlob;
        try {
          blob = decodeAdvanceBlob(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(FormatError);
          return;
        }
        expect(encodeAdvanceBlob(blob)).toEqual(bytes);
      }),
    );
  });
});
