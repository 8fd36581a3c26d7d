/**
 * dek's AwsKms (on the official SDK) against the server's AWS dialect, and envelopes of
 * @dek/stream with an `aws-kms` slot next to a `local` slot: either KMS alone opens them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KmsServiceError, LocalKms, type AdvanceKms } from '@dek/kms-adapter';
import { AwsKms } from '@dek/kms-aws';
import { KmsError } from '@dek/core';
// @dek/stream is not a dependency of this package: its sources are imported by path.
import { decrypt, encrypt, inspect } from '@dek/stream';
import { AWS_ACCESS_KEY_ID, AWS_REGION, awsSdk, startAwsHarness, type AwsHarness } from './aws-support.js';

let h: AwsHarness;
let aws: AwsKms;
/** Backend key behind `alias/aws-main`. */
let keyId: string;

const aad = new Uint8Array(32).map((_, i) => i);

async function kmsError(call: Promise<unknown>, code: string): Promise<KmsServiceError> {
  const error: unknown = await call.then(
    () => new Error(`expected ${code}`),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KmsServiceError);
  const e = error as KmsServiceError;
  expect({ code: e.code, httpStatus: e.httpStatus }).toEqual({ code, httpStatus: 400 });
  expect(e.requestId).toMatch(/^[0-9A-F-]{36}$/);
  return e;
}

beforeAll(async () => {
  h = await startAwsHarness();
  aws = h.awsKms();
  keyId = (await h.kms.createKey()).keyMetadata.keyId;
  await h.kms.createAlias({ aliasName: 'alias/aws-main', keyId });
});
afterAll(async () => h.close());

describe('AwsKms against the AWS dialect', () => {
  it('advanceGenerateDataKey (32 and 16 bytes): the key ARN, no version, the AWS blob; advanceDecrypt opens it with the same aad', async () => {
    for (const numberOfBytes of [32, 16]) {
      const g = await aws.advanceGenerateDataKey({ keyId: 'alias/aws-main', numberOfBytes, aad });
      expect(g).toMatchObject({ keyId: h.arn(keyId), keyVersionId: '', algorithm: 'AES_GCM' });
      expect(aws.provider).toBe('aws-kms');
      expect(g.plaintext).toHaveLength(numberOfBytes);
      expect(g.iv).toHaveLength(0);
      expect(g.requestId).toMatch(/^[0-9A-F-]{36}$/);
      const d = await aws.advanceDecrypt({ ciphertextBlob: g.ciphertextBlob, aad });
      expect(d.plaintext).toEqual(g.plaintext);
      expect(d).toMatchObject({ keyId: h.arn(keyId), keyVersionId: '' });
    }
  });

  it('sends the aad as EncryptionContext {"dek-aad": base64(aad)}: the official client opens the blob with that context', async () => {
    const e = await aws.advanceEncrypt({ keyId, plaintext: new Uint8Array([1, 2, 3]), aad });
    const client = h.client();
    const d = await client.send(
      new (awsSdk().DecryptCommand)({ CiphertextBlob: e.ciphertextBlob, EncryptionContext: { 'dek-aad': Buffer.from(aad).toString('base64') } }),
    );
    expect(d.Plaintext).toEqual(new Uint8Array([1, 2, 3]));
    expect(e.keyVersionId).toBe('');
  });

  it('AWS errors become KmsServiceError: code = the AWS error name, status, request id', async () => {
    const e = await aws.advanceEncrypt({ keyId, plaintext: new Uint8Array([9]), aad });
    const wrong = await kmsError(aws.advanceDecrypt({ ciphertextBlob: e.ciphertextBlob, aad: new Uint8Array(32) }), 'InvalidCiphertextException');
    expect(wrong.message).toContain('ciphertext is invalid');
    await kmsError(aws.advanceDecrypt({ ciphertextBlob: e.ciphertextBlob }), 'InvalidCiphertextException');
    await kmsError(aws.advanceGenerateDataKey({ keyId: 'alias/none', numberOfBytes: 32 }), 'NotFoundException');
    await kmsError(aws.advanceDecrypt({ ciphertextBlob: e.ciphertextBlob, aad, keyId: (await h.kms.createKey()).keyMetadata.keyId }), 'IncorrectKeyException');
    const k = (await h.kms.createKey()).keyMetadata.keyId;
    await h.kms.disableKey({ keyId: k });
    await kmsError(aws.advanceEncrypt({ keyId: k, plaintext: new Uint8Array([1]) }), 'DisabledException');
    const forged = new AwsKms({
      endpoint: h.server.url,
      region: AWS_REGION,
      credentials: { accessKeyId: AWS_ACCESS_KEY_ID, secretAccessKey: 'wrong' },
      maxAttempts: 1,
    });
    try {
      await kmsError(forged.advanceGenerateDataKey({ keyId, numberOfBytes: 32 }), 'InvalidSignatureException');
    } finally {
      forged.close();
    }
  });
});

describe('envelopes with an aws-kms slot and a local slot', () => {
  let local: LocalKms;
  let localKeyId: string;
  const plaintext = new TextEncoder().encode('envelope through AWS and local slots\n'.repeat(1000));
  const context = { app: 'dek-test' };

  beforeAll(async () => {
    local = new LocalKms();
    localKeyId = (await local.createKey()).keyMetadata.keyId;
  });

  async function envelope(first: 'aws' | 'local'): Promise<Uint8Array> {
    const awsKey = { kms: aws as AdvanceKms, keyId: 'alias/aws-main' };
    const localKey = { kms: local as AdvanceKms, keyId: localKeyId };
    const [a, b] = first === 'aws' ? [awsKey, localKey] : [localKey, awsKey];
    return encrypt(plaintext, { kms: a.kms, keyId: a.keyId, keys: [b], context });
  }

  for (const first of ['aws', 'local'] as const) {
    it(`${first} slot first: the header records the AWS slot without a version, and either KMS alone decrypts`, async () => {
      const sealed = await envelope(first);
      const info = await inspect(sealed);
      const awsSlot = info.slots.find((s) => s.kms === 'aws-kms')!;
      const localSlot = info.slots.find((s) => s.kms === 'local')!;
      expect(awsSlot.keyId).toBe(h.arn(keyId));
      expect(awsSlot).not.toHaveProperty('keyVersionId');
      expect(localSlot.keyVersionId).toMatch(/^key-[0-9a-z]{21}-[0-9a-z]{10}$/);
      expect(info.slots[0]!.kms).toBe(first === 'aws' ? 'aws-kms' : 'local');
      expect(await decrypt(sealed, { kms: aws })).toEqual(plaintext);
      expect(await decrypt(sealed, { kms: local })).toEqual(plaintext);
    });
  }

  it('still opens through AWS after the key rotated; a disabled key is reported per slot', async () => {
    const sealed = await envelope('aws');
    await h.kms.createKeyVersion({ keyId });
    expect(await decrypt(sealed, { kms: aws })).toEqual(plaintext);
    await h.kms.disableKey({ keyId });
    try {
      const error: unknown = await decrypt(sealed, { kmsByProvider: { 'aws-kms': aws } }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KmsError);
      const failures = (error as KmsError).details['failures'] as Array<{ kms: string; code: string }>;
      expect(failures.map((f) => [f.kms, f.code])).toEqual([
        ['aws-kms', 'DisabledException'],
        ['local', 'NoKmsForProvider'],
      ]);
      expect(await decrypt(sealed, { kms: local })).toEqual(plaintext);
    } finally {
      await h.kms.enableKey({ keyId });
    }
  });
});
