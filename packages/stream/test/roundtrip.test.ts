import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decrypt, decryptStream, decryptWebStream, encrypt, encryptStream, encryptWebStream } from '@dek/stream';
import { sealedPayloadLength } from '@dek/core';
import { FakeKms } from './support/fake-kms.js';
import { plaintextLength, writeSizes } from './support/fixtures.js';
import { pseudoRandomBytes, runNode, runWeb, splitBy, sameBytes } from './support/streams.js';

const kms = new FakeKms();
const keyId = kms.createKey();

const caseArb = plaintextLength.chain((length) =>
  fc.record({
    length: fc.constant(length),
    seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    encWrites: writeSizes(length),
    decWrites: writeSizes(length + 1000),
    suite: fc.constantFrom('cobblestone-256' as const, 'cobblestone-128' as const),
  }),
);

describe('round trip', () => {
  it('Node streams: decrypt(encrypt(x)) = x for any write splitting', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ length, seed, encWrites, decWrites, suite }) => {
        const plaintext = pseudoRandomBytes(length, seed);
        const enc = await runNode(encryptStream({ kms, keyId, suite, context: { n: String(length) } }), splitBy(plaintext, encWrites));
        expect(enc.error).toBeUndefined();
        expect(enc.ended).toBe(true);
        const dec = await runNode(decryptStream({ kms }), splitBy(enc.output, decWrites));
        expect(dec.error).toBeUndefined();
        expect(dec.ended).toBe(true);
        expect(sameBytes(dec.output, plaintext)).toBe(true);
        // Size: header + c2sp payload, nothing else.
        expect(enc.output.length - sealedPayloadLength(length)).toBeGreaterThan(41);
      }),
      { numRuns: 40 },
    );
  });

  it('Web streams: decrypt(encrypt(x)) = x for any write splitting', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ length, seed, encWrites, decWrites, suite }) => {
        const plaintext = pseudoRandomBytes(length, seed);
        const enc = await runWeb(encryptWebStream({ kms, keyId, suite }), splitBy(plaintext, encWrites));
        expect(enc.error).toBeUndefined();
        const dec = await runWeb(decryptWebStream({ kms }), splitBy(enc.output, decWrites));
        expect(dec.error).toBeUndefined();
        expect(dec.ended).toBe(true);
        expect(sameBytes(dec.output, plaintext)).toBe(true);
      }),
      { numRuns: 30 },
    );
  });

  it('Node and Web streams and one-shot helpers produce the same format', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ length, seed, encWrites, decWrites }) => {
        const plaintext = pseudoRandomBytes(length, seed);
        const fromNode = (await runNode(encryptStream({ kms, keyId }), splitBy(plaintext, encWrites))).output;
        const fromWeb = (await runWeb(encryptWebStream({ kms, keyId }), splitBy(plaintext, encWrites))).output;
        const fromOneShot = await encrypt(plaintext, { kms, keyId });
        expect(fromNode.length).toBe(fromOneShot.length);
        expect(fromWeb.length).toBe(fromOneShot.length);
        expect(sameBytes((await runWeb(decryptWebStream({ kms }), splitBy(fromNode, decWrites))).output, plaintext)).toBe(true);
        expect(sameBytes((await runNode(decryptStream({ kms }), splitBy(fromWeb, decWrites))).output, plaintext)).toBe(true);
        expect(sameBytes(await decrypt(fromNode, { kms }), plaintext)).toBe(true);
      }),
      { numRuns: 10 },
    );
  });

  it('empty input gives a valid envelope with an empty final chunk', async () => {
    const enc = await runNode(encryptStream({ kms, keyId }), []);
    expect(enc.error).toBeUndefined();
    expect(await decrypt(enc.output, { kms })).toEqual(new Uint8Array(0));
    const web = await runWeb(encryptWebStream({ kms, keyId }), []);
    expect(await decrypt(web.output, { kms })).toEqual(new Uint8Array(0));
  });

  it('makes exactly one advanceGenerateDataKey call per message and no advanceEncrypt for one key', async () => {
    const own = new FakeKms();
    const id = own.createKey();
    await runNode(encryptStream({ kms: own, keyId: id }), splitBy(pseudoRandomBytes(50000), [1000]));
    expect(own.calls).toEqual({ generate: 1, encrypt: 0, decrypt: 0 });
  });

  it('passes numberOfBytes = suite key length and the Aad = SHA-256(CTX) to the KMS', async () => {
    const seen: { numberOfBytes: number; aad?: Uint8Array }[] = [];
    const own = new FakeKms();
    const id = own.createKey();
    const spy = Object.assign(Object.create(own) as FakeKms, {
      provider: own.provider,
      advanceGenerateDataKey: (req: Parameters<FakeKms['advanceGenerateDataKey']>[0]) => {
        seen.push(req);
        return own.advanceGenerateDataKey(req);
      },
    });
    const { encodeContext, kmsAad } = await import('@dek/core');
    await encrypt(new Uint8Array(3), { kms: spy, keyId: id, suite: 'cobblestone-128', context: { b: '2', a: '1' } });
    expect(seen[0]!.numberOfBytes).toBe(16);
    expect(seen[0]!.aad).toEqual(kmsAad(encodeContext('cobblestone-128', { a: '1', b: '2' })));
  });
});
