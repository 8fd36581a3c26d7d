import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { KmsServiceError, LocalKms } from '@dek/kms-adapter';
import { FakeClock } from '../helpers.js';

const kms = new LocalKms();
const keyIdPromise = kms.createKey().then((r) => r.keyMetadata.keyId);

async function rejects(promise: Promise<unknown>): Promise<KmsServiceError> {
  const outcome: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(outcome).toBeInstanceOf(KmsServiceError);
  return outcome as KmsServiceError;
}

const aadArb = fc.uint8Array({ maxLength: 64 });

describe('LocalKms properties', () => {
  test('an advance blob decrypts with its own Aad and fails with any other Aad', async () => {
    const keyId = await keyIdPromise;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 64 }), aadArb, aadArb, async (n, aad, other) => {
        fc.pre(Buffer.compare(aad, other) !== 0);
        const r = await kms.advanceGenerateDataKey({ keyId, numberOfBytes: n, aad });
        expect((await kms.advanceDecrypt({ ciphertextBlob: r.ciphertextBlob, aad })).plaintext).toEqual(r.plaintext);
        const error = await rejects(kms.advanceDecrypt({ ciphertextBlob: r.ciphertextBlob, aad: other }));
        expect(error).toMatchObject({ httpStatus: 400, code: 'InvalidParameter' });
      }),
      { numRuns: 100 },
    );
  });

  test('any single-bit change of an advance blob makes it fail (never plaintext)', async () => {
    const keyId = await keyIdPromise;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 48 }), aadArb, fc.nat(), async (n, aad, bitSeed) => {
        const r = await kms.advanceGenerateDataKey({ keyId, numberOfBytes: n, aad });
        const blob = r.ciphertextBlob.slice();
        const bit = bitSeed % (blob.length * 8);
        blob[bit >> 3]! ^= 1 << (bit & 7);
        const error = await rejects(kms.advanceDecrypt({ ciphertextBlob: blob, aad }));
        expect(['InvalidParameter', 'Forbidden.KeyNotFound']).toContain(error.code);
      }),
    );
  });

  test('every one of the bit flips of one blob fails', async () => {
    const keyId = await keyIdPromise;
    const aad = new TextEncoder().encode('ctx');
    const r = await kms.advanceEncrypt({ keyId, plaintext: new Uint8Array(8), aad });
    for (let bit = 0; bit < r.ciphertextBlob.length * 8; bit++) {
      const blob = r.ciphertextBlob.slice();
      blob[bit >> 3]! ^= 1 << (bit & 7);
      const error = await rejects(kms.advanceDecrypt({ ciphertextBlob: blob, aad }));
      // a flip inside the version id may name no key (404); anywhere else the blob is invalid (400)
      const inVersionId = bit >= 3 * 8 && bit < 39 * 8;
      expect(inVersionId ? ['InvalidParameter', 'Forbidden.KeyNotFound'] : ['InvalidParameter']).toContain(error.code);
    }
  });

  test('rotation never makes an old blob undecryptable', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.constant('wrap' as const), fc.constant('rotate' as const), fc.integer({ min: 1, max: 20 })), { minLength: 1, maxLength: 12 }),
        async (steps) => {
          const clock = new FakeClock();
          const local = new LocalKms({ now: clock.now });
          const { keyMetadata } = await local.createKey({ enableAutomaticRotation: true, rotationInterval: '7d' });
          const keyId = keyMetadata.keyId;
          const wrapped: Array<{ blob: Uint8Array; plaintext: Uint8Array; version: string }> = [];
          for (const step of steps) {
            if (step === 'rotate') await local.createKeyVersion({ keyId });
            else if (step === 'wrap') {
              const r = await local.advanceGenerateDataKey({ keyId, numberOfBytes: 16 });
              wrapped.push({ blob: r.ciphertextBlob, plaintext: r.plaintext, version: r.keyVersionId });
            } else clock.advanceDays(step);
          }
          for (const w of wrapped) {
            const d = await local.advanceDecrypt({ ciphertextBlob: w.blob });
            expect(d.plaintext).toEqual(w.plaintext);
            expect(d.keyVersionId).toBe(w.version);
          }
        },
      ),
      { numRuns: 50 },
    );
  });
});
