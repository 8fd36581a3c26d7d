/**
 * The official `@aws-sdk/client-kms` against the server's AWS dialect: every action served, and
 * its error paths, arriving as the SDK's typed exceptions.
 */
import type { KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AWS_ACCOUNT_ID, AWS_REGION, awsFailure, awsSdk, startAwsHarness, type AwsHarness } from './aws-support.js';

const {
  AlreadyExistsException,
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  DisabledException,
  DisableKeyCommand,
  DisableKeyRotationCommand,
  EnableKeyCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  GetKeyRotationStatusCommand,
  IncorrectKeyException,
  InvalidAliasNameException,
  InvalidCiphertextException,
  InvalidKeyUsageException,
  InvalidMarkerException,
  KMSInvalidStateException,
  ListAliasesCommand,
  ListGrantsCommand,
  NotFoundException,
  ReEncryptCommand,
  UnsupportedOperationException,
} = awsSdk();

let h: AwsHarness;
let kms: KMSClient;
/** A symmetric key with alias `alias/main`. */
let keyId: string;
/** A second symmetric key. */
let otherKeyId: string;
/** An ECC_NIST_P256 signing key. */
let eccKeyId: string;

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

async function newKey(description = 'test'): Promise<string> {
  const r = await kms.send(new CreateKeyCommand({ Description: description }));
  return r.KeyMetadata!.KeyId!;
}

beforeAll(async () => {
  h = await startAwsHarness();
  kms = h.client();
  keyId = await newKey('main');
  otherKeyId = await newKey('other');
  eccKeyId = (await kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata!.KeyId!;
  await kms.send(new CreateAliasCommand({ AliasName: 'alias/main', TargetKeyId: keyId }));
});
afterAll(async () => h.close());

describe('CreateKey and DescribeKey', () => {
  it('creates a SYMMETRIC_DEFAULT key and describes it by id, ARN, alias and alias ARN', async () => {
    const created = (await kms.send(new CreateKeyCommand({ Description: 'described' }))).KeyMetadata!;
    expect(created).toMatchObject({
      AWSAccountId: AWS_ACCOUNT_ID,
      Arn: h.arn(created.KeyId!),
      Enabled: true,
      Description: 'described',
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeyState: 'Enabled',
      Origin: 'AWS_KMS',
      KeyManager: 'CUSTOMER',
      KeySpec: 'SYMMETRIC_DEFAULT',
      CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
      EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
      MultiRegion: false,
    });
    expect(created.CreationDate).toBeInstanceOf(Date);
    expect(Math.abs(created.CreationDate!.getTime() - Date.now())).toBeLessThan(60_000);
    expect(created.KeyId).toMatch(/^key-[0-9a-z]{21}$/);
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/described', TargetKeyId: created.Arn }));
    for (const name of [created.KeyId!, created.Arn!, 'alias/described', `arn:aws:kms:${AWS_REGION}:${AWS_ACCOUNT_ID}:alias/described`]) {
      const described = (await kms.send(new DescribeKeyCommand({ KeyId: name }))).KeyMetadata!;
      expect(described.KeyId).toBe(created.KeyId);
      expect(described.CreationDate).toEqual(created.CreationDate);
    }
  });

  it('creates an ECC_NIST_P256 signing key', async () => {
    const m = (await kms.send(new DescribeKeyCommand({ KeyId: eccKeyId }))).KeyMetadata!;
    expect(m).toMatchObject({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', SigningAlgorithms: ['ECDSA_SHA_256'] });
    expect(m.EncryptionAlgorithms).toBeUndefined();
  });

  it('refuses what it does not implement and what AWS would refuse', async () => {
    await awsFailure(kms.send(new CreateKeyCommand({ KeySpec: 'RSA_4096', KeyUsage: 'ENCRYPT_DECRYPT' })), 'UnsupportedOperationException');
    const e = await awsFailure(kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL' })), 'UnsupportedOperationException');
    expect(e).toBeInstanceOf(UnsupportedOperationException);
    await awsFailure(kms.send(new CreateKeyCommand({ Policy: '{}' })), 'UnsupportedOperationException');
    await awsFailure(kms.send(new CreateKeyCommand({ Tags: [{ TagKey: 'a', TagValue: 'b' }] })), 'UnsupportedOperationException');
    await awsFailure(kms.send(new CreateKeyCommand({ MultiRegion: true })), 'UnsupportedOperationException');
    await awsFailure(kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256' })), 'ValidationException');
    await awsFailure(kms.send(new CreateKeyCommand({ KeySpec: 'SYMMETRIC_DEFAULT', CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT' })), 'ValidationException');
    const bad = await awsFailure(kms.send(new CreateKeyCommand({ KeySpec: 'AES_999' as never })), 'ValidationException');
    expect(bad.message).toContain("'keySpec'");
    await awsFailure(kms.send(new CreateKeyCommand({ Description: 'x'.repeat(8193) })), 'ValidationException');
  });

  it('answers NotFoundException for unknown keys, aliases and ARNs of another region or account', async () => {
    const e = await awsFailure(kms.send(new DescribeKeyCommand({ KeyId: 'key-000000000000000000000' })), 'NotFoundException');
    expect(e).toBeInstanceOf(NotFoundException);
    await awsFailure(kms.send(new DescribeKeyCommand({ KeyId: 'alias/none' })), 'NotFoundException');
    await awsFailure(kms.send(new DescribeKeyCommand({ KeyId: `arn:aws:kms:eu-west-1:${AWS_ACCOUNT_ID}:key/${keyId}` })), 'NotFoundException');
    await awsFailure(kms.send(new DescribeKeyCommand({ KeyId: `arn:aws:kms:${AWS_REGION}:999999999999:key/${keyId}` })), 'NotFoundException');
    await awsFailure(kms.send(new DescribeKeyCommand({ KeyId: `acs:kms:local:0:key/${keyId}` })), 'NotFoundException');
    await awsFailure(kms.send(new DescribeKeyCommand({ KeyId: '' })), 'ValidationException');
  });
});

describe('CreateAlias and ListAliases', () => {
  it('lists aliases with their ARNs and targets, by key, and page by page', async () => {
    const k = await newKey();
    for (const n of ['a', 'b', 'c']) await kms.send(new CreateAliasCommand({ AliasName: `alias/page-${n}`, TargetKeyId: k }));
    const all = (await kms.send(new ListAliasesCommand({}))).Aliases!;
    expect(all.find((a) => a.AliasName === 'alias/main')).toEqual({
      AliasName: 'alias/main',
      AliasArn: `arn:aws:kms:${AWS_REGION}:${AWS_ACCOUNT_ID}:alias/main`,
      TargetKeyId: keyId,
    });
    const byKey = await kms.send(new ListAliasesCommand({ KeyId: h.arn(k) }));
    expect(byKey.Aliases!.map((a) => a.AliasName)).toEqual(['alias/page-a', 'alias/page-b', 'alias/page-c']);
    expect(byKey.Truncated).toBe(false);
    const first = await kms.send(new ListAliasesCommand({ KeyId: k, Limit: 2 }));
    expect(first.Aliases!.map((a) => a.AliasName)).toEqual(['alias/page-a', 'alias/page-b']);
    expect(first.Truncated).toBe(true);
    const second = await kms.send(new ListAliasesCommand({ KeyId: k, Limit: 2, Marker: first.NextMarker! }));
    expect(second.Aliases!.map((a) => a.AliasName)).toEqual(['alias/page-c']);
    expect(second).toMatchObject({ Truncated: false });
    expect(second.NextMarker).toBeUndefined();
  });

  it('refuses a taken name, a bad or reserved name, an alias as target and an unknown target', async () => {
    const e = await awsFailure(kms.send(new CreateAliasCommand({ AliasName: 'alias/main', TargetKeyId: otherKeyId })), 'AlreadyExistsException');
    expect(e).toBeInstanceOf(AlreadyExistsException);
    const bad = await awsFailure(kms.send(new CreateAliasCommand({ AliasName: 'main', TargetKeyId: keyId })), 'InvalidAliasNameException');
    expect(bad).toBeInstanceOf(InvalidAliasNameException);
    await awsFailure(kms.send(new CreateAliasCommand({ AliasName: 'alias/aws/reserved', TargetKeyId: keyId })), 'InvalidAliasNameException');
    await awsFailure(kms.send(new CreateAliasCommand({ AliasName: 'alias/x', TargetKeyId: 'alias/main' })), 'ValidationException');
    await awsFailure(kms.send(new CreateAliasCommand({ AliasName: 'alias/x', TargetKeyId: 'key-000000000000000000000' })), 'NotFoundException');
  });

  it('refuses a bad Limit or Marker and an unknown key', async () => {
    await awsFailure(kms.send(new ListAliasesCommand({ Limit: 0 })), 'ValidationException');
    await awsFailure(kms.send(new ListAliasesCommand({ Limit: 101 })), 'ValidationException');
    const e = await awsFailure(kms.send(new ListAliasesCommand({ Marker: 'nonsense' })), 'InvalidMarkerException');
    expect(e).toBeInstanceOf(InvalidMarkerException);
    await awsFailure(kms.send(new ListAliasesCommand({ KeyId: 'key-000000000000000000000' })), 'NotFoundException');
  });
});

describe('GenerateDataKey, Encrypt, Decrypt, ReEncrypt', () => {
  const context = { purpose: 'test', tenant: 'acme' };

  it('GenerateDataKey (KeySpec or NumberOfBytes) round-trips through Decrypt with the same context, in any member order', async () => {
    const g = await kms.send(new GenerateDataKeyCommand({ KeyId: 'alias/main', KeySpec: 'AES_256', EncryptionContext: context }));
    expect(g.Plaintext).toHaveLength(32);
    expect(g.KeyId).toBe(h.arn(keyId));
    const d = await kms.send(new DecryptCommand({ CiphertextBlob: g.CiphertextBlob, EncryptionContext: { tenant: 'acme', purpose: 'test' } }));
    expect(d).toMatchObject({ KeyId: h.arn(keyId), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
    expect(d.Plaintext).toEqual(g.Plaintext);
    const small = await kms.send(new GenerateDataKeyCommand({ KeyId: keyId, NumberOfBytes: 16 }));
    expect(small.Plaintext).toHaveLength(16);
    const aes128 = await kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_128' }));
    expect(aes128.Plaintext).toHaveLength(16);
    expect((await kms.send(new DecryptCommand({ CiphertextBlob: small.CiphertextBlob }))).Plaintext).toEqual(small.Plaintext);
  });

  it('GenerateDataKeyWithoutPlaintext returns only the blob', async () => {
    const g = await kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: h.arn(keyId), KeySpec: 'AES_256', EncryptionContext: context }));
    expect(g).not.toHaveProperty('Plaintext');
    expect(g.KeyId).toBe(h.arn(keyId));
    expect((await kms.send(new DecryptCommand({ CiphertextBlob: g.CiphertextBlob, EncryptionContext: context }))).Plaintext).toHaveLength(32);
  });

  it('Encrypt and Decrypt (with the key named) round-trip; ReEncrypt moves a blob to another key and context', async () => {
    const e = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: text('secret'), EncryptionContext: context }));
    expect(e).toMatchObject({ KeyId: h.arn(keyId), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
    const d = await kms.send(new DecryptCommand({ CiphertextBlob: e.CiphertextBlob, EncryptionContext: context, KeyId: 'alias/main' }));
    expect(new TextDecoder().decode(d.Plaintext)).toBe('secret');
    const r = await kms.send(
      new ReEncryptCommand({
        CiphertextBlob: e.CiphertextBlob,
        SourceEncryptionContext: context,
        DestinationKeyId: otherKeyId,
        DestinationEncryptionContext: { moved: 'yes' },
      }),
    );
    expect(r).toMatchObject({
      SourceKeyId: h.arn(keyId),
      KeyId: h.arn(otherKeyId),
      SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    });
    const moved = await kms.send(new DecryptCommand({ CiphertextBlob: r.CiphertextBlob, EncryptionContext: { moved: 'yes' } }));
    expect(new TextDecoder().decode(moved.Plaintext)).toBe('secret');
    expect(moved.KeyId).toBe(h.arn(otherKeyId));
  });

  it('a blob made before a rotation still decrypts; new blobs use the new version', async () => {
    const k = await newKey();
    const before = await kms.send(new EncryptCommand({ KeyId: k, Plaintext: text('old') }));
    await h.kms.createKeyVersion({ keyId: k });
    const after = await kms.send(new EncryptCommand({ KeyId: k, Plaintext: text('new') }));
    // The blob names its version (bytes 3..39), so the two differ there.
    expect(Buffer.from(before.CiphertextBlob!.subarray(3, 39)).equals(Buffer.from(after.CiphertextBlob!.subarray(3, 39)))).toBe(false);
    expect(new TextDecoder().decode((await kms.send(new DecryptCommand({ CiphertextBlob: before.CiphertextBlob }))).Plaintext)).toBe('old');
    expect(new TextDecoder().decode((await kms.send(new DecryptCommand({ CiphertextBlob: after.CiphertextBlob }))).Plaintext)).toBe('new');
  });

  it('GenerateDataKey refuses a bad size request, an unknown key, a signing key and Recipient/DryRun', async () => {
    await awsFailure(kms.send(new GenerateDataKeyCommand({ KeyId: keyId })), 'ValidationException');
    await awsFailure(kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256', NumberOfBytes: 32 })), 'ValidationException');
    await awsFailure(kms.send(new GenerateDataKeyCommand({ KeyId: keyId, NumberOfBytes: 1025 })), 'ValidationException');
    await awsFailure(kms.send(new GenerateDataKeyCommand({ KeyId: keyId, NumberOfBytes: 0 })), 'ValidationException');
    const nf = await awsFailure(kms.send(new GenerateDataKeyCommand({ KeyId: 'alias/none', KeySpec: 'AES_256' })), 'NotFoundException');
    expect(nf).toBeInstanceOf(NotFoundException);
    const usage = await awsFailure(kms.send(new GenerateDataKeyCommand({ KeyId: eccKeyId, KeySpec: 'AES_256' })), 'InvalidKeyUsageException');
    expect(usage).toBeInstanceOf(InvalidKeyUsageException);
    await awsFailure(kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256', DryRun: true })), 'UnsupportedOperationException');
    await awsFailure(
      kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256', Recipient: { AttestationDocument: new Uint8Array(1) } })),
      'UnsupportedOperationException',
    );
    await awsFailure(
      kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: 'key-000000000000000000000', KeySpec: 'AES_256' })),
      'NotFoundException',
    );
  });

  it('Encrypt refuses oversized plaintext, an asymmetric algorithm and an unknown key', async () => {
    await awsFailure(kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: new Uint8Array(4097) })), 'ValidationException');
    await awsFailure(
      kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: text('x'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' })),
      'InvalidKeyUsageException',
    );
    await awsFailure(kms.send(new EncryptCommand({ KeyId: 'alias/none', Plaintext: text('x') })), 'NotFoundException');
  });

  it('Decrypt refuses a wrong or missing context, a changed byte, garbage and the wrong key', async () => {
    const e = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: text('secret'), EncryptionContext: context }));
    const blob = e.CiphertextBlob!;
    const wrong = await awsFailure(
      kms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: { ...context, tenant: 'evil' } })),
      'InvalidCiphertextException',
    );
    expect(wrong).toBeInstanceOf(InvalidCiphertextException);
    await awsFailure(kms.send(new DecryptCommand({ CiphertextBlob: blob })), 'InvalidCiphertextException');
    const flipped = blob.slice();
    flipped[flipped.length - 1]! ^= 1;
    await awsFailure(kms.send(new DecryptCommand({ CiphertextBlob: flipped, EncryptionContext: context })), 'InvalidCiphertextException');
    await awsFailure(kms.send(new DecryptCommand({ CiphertextBlob: text('not a blob at all') })), 'InvalidCiphertextException');
    const incorrect = await awsFailure(
      kms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: context, KeyId: otherKeyId })),
      'IncorrectKeyException',
    );
    expect(incorrect).toBeInstanceOf(IncorrectKeyException);
    await awsFailure(kms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionAlgorithm: 'RSAES_OAEP_SHA_1' })), 'InvalidKeyUsageException');
    await awsFailure(kms.send(new DecryptCommand({ CiphertextBlob: new Uint8Array(6145) })), 'ValidationException');
  });

  it('ReEncrypt refuses a wrong source context, a wrong source key and an unknown destination', async () => {
    const e = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: text('secret'), EncryptionContext: context }));
    await awsFailure(
      kms.send(new ReEncryptCommand({ CiphertextBlob: e.CiphertextBlob, DestinationKeyId: otherKeyId })),
      'InvalidCiphertextException',
    );
    await awsFailure(
      kms.send(new ReEncryptCommand({ CiphertextBlob: e.CiphertextBlob, SourceEncryptionContext: context, SourceKeyId: otherKeyId, DestinationKeyId: otherKeyId })),
      'IncorrectKeyException',
    );
    await awsFailure(
      kms.send(new ReEncryptCommand({ CiphertextBlob: e.CiphertextBlob, SourceEncryptionContext: context, DestinationKeyId: 'alias/none' })),
      'NotFoundException',
    );
  });
});

describe('EnableKey, DisableKey', () => {
  it('a disabled key refuses crypto calls with DisabledException until enabled again', async () => {
    const k = await newKey();
    const blob = (await kms.send(new EncryptCommand({ KeyId: k, Plaintext: text('x') }))).CiphertextBlob;
    await kms.send(new DisableKeyCommand({ KeyId: h.arn(k) }));
    expect((await kms.send(new DescribeKeyCommand({ KeyId: k }))).KeyMetadata).toMatchObject({ Enabled: false, KeyState: 'Disabled' });
    const e = await awsFailure(kms.send(new GenerateDataKeyCommand({ KeyId: k, KeySpec: 'AES_256' })), 'DisabledException');
    expect(e).toBeInstanceOf(DisabledException);
    await awsFailure(kms.send(new EncryptCommand({ KeyId: k, Plaintext: text('x') })), 'DisabledException');
    await awsFailure(kms.send(new DecryptCommand({ CiphertextBlob: blob })), 'DisabledException');
    await kms.send(new EnableKeyCommand({ KeyId: k }));
    expect((await kms.send(new DescribeKeyCommand({ KeyId: k }))).KeyMetadata).toMatchObject({ Enabled: true, KeyState: 'Enabled' });
    expect((await kms.send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext).toEqual(text('x'));
  });

  it('refuses an unknown key, an alias, and a key pending deletion (KMSInvalidStateException)', async () => {
    await awsFailure(kms.send(new EnableKeyCommand({ KeyId: 'key-000000000000000000000' })), 'NotFoundException');
    await awsFailure(kms.send(new DisableKeyCommand({ KeyId: 'alias/main' })), 'ValidationException');
    const k = await newKey();
    await h.kms.scheduleKeyDeletion({ keyId: k, pendingWindowInDays: 7 });
    const m = (await kms.send(new DescribeKeyCommand({ KeyId: k }))).KeyMetadata!;
    expect(m.KeyState).toBe('PendingDeletion');
    expect(m.DeletionDate!.getTime()).toBeGreaterThan(Date.now() + 6 * 86_400_000);
    const e = await awsFailure(kms.send(new EnableKeyCommand({ KeyId: k })), 'KMSInvalidStateException');
    expect(e).toBeInstanceOf(KMSInvalidStateException);
    await awsFailure(kms.send(new EncryptCommand({ KeyId: k, Plaintext: text('x') })), 'KMSInvalidStateException');
  });
});

describe('EnableKeyRotation, DisableKeyRotation, GetKeyRotationStatus', () => {
  it('turns rotation on (default 365 days, or a given period) and off', async () => {
    const k = await newKey();
    expect(await kms.send(new GetKeyRotationStatusCommand({ KeyId: k }))).toMatchObject({ KeyRotationEnabled: false, KeyId: h.arn(k) });
    await kms.send(new EnableKeyRotationCommand({ KeyId: k }));
    const on = await kms.send(new GetKeyRotationStatusCommand({ KeyId: h.arn(k) }));
    expect(on).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 365 });
    expect(on.NextRotationDate!.getTime()).toBeGreaterThan(Date.now() + 364 * 86_400_000);
    await kms.send(new EnableKeyRotationCommand({ KeyId: k, RotationPeriodInDays: 90 }));
    expect(await kms.send(new GetKeyRotationStatusCommand({ KeyId: k }))).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 90 });
    await kms.send(new DisableKeyRotationCommand({ KeyId: k }));
    const off = await kms.send(new GetKeyRotationStatusCommand({ KeyId: k }));
    expect(off.KeyRotationEnabled).toBe(false);
    expect(off.RotationPeriodInDays).toBeUndefined();
  });

  it('refuses periods outside 90..2560 days, periods over 365, disabled keys, signing keys and unknown keys', async () => {
    const k = await newKey();
    await awsFailure(kms.send(new EnableKeyRotationCommand({ KeyId: k, RotationPeriodInDays: 89 })), 'ValidationException');
    await awsFailure(kms.send(new EnableKeyRotationCommand({ KeyId: k, RotationPeriodInDays: 2561 })), 'ValidationException');
    await awsFailure(kms.send(new EnableKeyRotationCommand({ KeyId: k, RotationPeriodInDays: 366 })), 'UnsupportedOperationException');
    await awsFailure(kms.send(new EnableKeyRotationCommand({ KeyId: eccKeyId })), 'UnsupportedOperationException');
    await awsFailure(kms.send(new GetKeyRotationStatusCommand({ KeyId: eccKeyId })), 'UnsupportedOperationException');
    await awsFailure(kms.send(new GetKeyRotationStatusCommand({ KeyId: 'key-000000000000000000000' })), 'NotFoundException');
    await kms.send(new DisableKeyCommand({ KeyId: k }));
    await awsFailure(kms.send(new EnableKeyRotationCommand({ KeyId: k })), 'DisabledException');
  });
});

describe('protocol and authentication errors through the official client', () => {
  it('an action not served is UnknownOperationException', async () => {
    await awsFailure(kms.send(new ListGrantsCommand({ KeyId: keyId })), 'UnknownOperationException');
  });

  it('a wrong secret is InvalidSignatureException, an unknown access key UnrecognizedClientException, a wrong region InvalidSignatureException', async () => {
    const bad = await awsFailure(h.client({ secretAccessKey: 'wrong' }).send(new DescribeKeyCommand({ KeyId: keyId })), 'InvalidSignatureException');
    expect(bad.message).toContain('signature we calculated does not match');
    await awsFailure(h.client({ accessKeyId: 'AKIAUNKNOWN' }).send(new DescribeKeyCommand({ KeyId: keyId })), 'UnrecognizedClientException');
    const region = await awsFailure(h.client({ region: 'eu-west-1' }).send(new DescribeKeyCommand({ KeyId: keyId })), 'InvalidSignatureException');
    expect(region.message).toContain("not 'eu-west-1'");
  });

  it('a request signed outside the time window is InvalidSignatureException', async () => {
    const skewed = await startAwsHarness({ now: () => Date.now() + 60 * 60 * 1000 });
    try {
      const e = await awsFailure(skewed.client().send(new DescribeKeyCommand({ KeyId: keyId })), 'InvalidSignatureException');
      expect(e.message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than/);
    } finally {
      await skewed.close();
    }
  });
});
