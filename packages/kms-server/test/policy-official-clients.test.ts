/**
 * `policy`: a backup credential that may only wrap under `alias/backup`, on every plane, through
 * the official clients (`@alicloud/kms20160120` signature v1, `@alicloud/openapi-client` ACS3 and
 * v2, the instance API client, `@aws-sdk/client-kms`): it encrypts, and gets each cloud's
 * access-denied error for decrypt, for any other key and for key management. Every request is
 * in the audit trail, and no secret is.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KMSClient } from '@aws-sdk/client-kms';
import { KmsServiceError } from '@dek/kms-adapter';
import type { AlibabaInstanceKms } from '@dek/kms-alibaba';
import { PolicySet, type AuditEntry } from '@dek/kms-server';
import { AWS_ACCESS_KEY_ID, AWS_ACCOUNT_ID, AWS_REGION, AWS_SECRET_ACCESS_KEY, awsFailure, awsSdk } from './aws-support.js';
import { CLIENT_KEY_PASSWORD, startHarness, testPki, type Harness } from './support/harness.js';
import { $Kms, ACCESS_KEY_ID, ACCESS_KEY_SECRET, callApi, kmsClient, officialError, openApiClient, type KmsClient } from './support/official.js';

const { CreateKeyCommand, DecryptCommand, DisableKeyCommand, EncryptCommand, GenerateDataKeyCommand, KMSClient: AwsClient, ListKeysCommand, ReEncryptCommand } = awsSdk();

/** Not named in the policy file: denied everything. */
const OUTSIDER_ID = 'LTAI_OUTSIDER';
const OUTSIDER_SECRET = 'outsider-secret-0123456789';
const BACKUP_ACTIONS = ['kms:GenerateDataKey', 'kms:AdvanceGenerateDataKey', 'kms:Encrypt'];

function backupPolicy(): PolicySet {
  const ram = { Version: '1', Statement: [{ Effect: 'Allow', Action: BACKUP_ACTIONS, Resource: ['acs:kms:*:*:alias/backup'] }] };
  return PolicySet.parse(
    JSON.stringify({
      [ACCESS_KEY_ID]: ram,
      [testPki().clientKey.keyId]: ram,
      [AWS_ACCESS_KEY_ID]: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Encrypt'], Resource: `arn:aws:kms:${AWS_REGION}:${AWS_ACCOUNT_ID}:alias/backup` }],
      },
    }),
  );
}

let h: Harness;
let kms: KmsClient;
let instance: AlibabaInstanceKms;
let aws: KMSClient;
let backupKey: string;
let otherKey: string;
const audit: AuditEntry[] = [];
/** Everything secret the tests handle: none of it may reach the audit log. */
const secrets: Array<string | Uint8Array> = [ACCESS_KEY_SECRET, AWS_SECRET_ACCESS_KEY, OUTSIDER_SECRET, CLIENT_KEY_PASSWORD];

beforeAll(async () => {
  h = await startHarness({
    policy: backupPolicy(),
    audit: (entry) => audit.push(entry),
    accessKeys: { [ACCESS_KEY_ID]: ACCESS_KEY_SECRET, [OUTSIDER_ID]: OUTSIDER_SECRET },
    aws: { credentials: { [AWS_ACCESS_KEY_ID]: AWS_SECRET_ACCESS_KEY }, region: AWS_REGION, accountId: AWS_ACCOUNT_ID },
  });
  secrets.push(testPki().clientKey.content.PrivateKeyData);
  kms = kmsClient(h.endpoint);
  instance = h.instanceClient();
  aws = new AwsClient({
    endpoint: h.http.url,
    region: AWS_REGION,
    credentials: { accessKeyId: AWS_ACCESS_KEY_ID, secretAccessKey: AWS_SECRET_ACCESS_KEY },
    maxAttempts: 1,
  });
  backupKey = (await h.kms.createKey()).keyMetadata.keyId;
  await h.kms.createAlias({ aliasName: 'alias/backup', keyId: backupKey });
  otherKey = (await h.kms.createKey()).keyMetadata.keyId;
  await h.kms.createAlias({ aliasName: 'alias/other', keyId: otherKey });
});
afterAll(async () => {
  aws.destroy();
  await h.close();
});

/** A blob of the backup key, made without the server (so without the policy). */
async function backupBlob(): Promise<Uint8Array> {
  const g = await h.kms.advanceGenerateDataKey({ keyId: backupKey, numberOfBytes: 32 });
  secrets.push(g.plaintext.slice(), g.ciphertextBlob);
  return g.ciphertextBlob;
}

async function expectEnabled(keyId: string): Promise<void> {
  expect((await h.kms.describeKey({ keyId })).keyMetadata.keyState).toBe('Enabled');
}

describe('@alicloud/kms20160120 (signature v1) with the backup policy', () => {
  it('wraps under alias/backup, by alias or by key id', async () => {
    const g = await kms.generateDataKey(new $Kms.GenerateDataKeyRequest({ keyId: 'alias/backup', numberOfBytes: 32 }));
    expect(g.keyId).toBe(backupKey);
    const e = await kms.encrypt(new $Kms.EncryptRequest({ keyId: backupKey, plaintext: 'backup manifest' }));
    expect(e.keyId).toBe(backupKey);
    secrets.push(g.plaintext, g.ciphertextBlob, e.ciphertextBlob, 'backup manifest');
  });

  it('gets 403 Forbidden.RAM for decrypt, any other key, and key management', async () => {
    const g = await kms.generateDataKey(new $Kms.GenerateDataKeyRequest({ keyId: 'alias/backup' }));
    secrets.push(g.plaintext, g.ciphertextBlob);
    const calls: Array<() => Promise<unknown>> = [
      () => kms.decrypt(new $Kms.DecryptRequest({ ciphertextBlob: g.ciphertextBlob })),
      () => kms.generateDataKey(new $Kms.GenerateDataKeyRequest({ keyId: otherKey })),
      () => kms.encrypt(new $Kms.EncryptRequest({ keyId: 'alias/other', plaintext: 'x' })),
      () => kms.generateDataKeyWithoutPlaintext(new $Kms.GenerateDataKeyWithoutPlaintextRequest({ keyId: 'alias/backup' })),
      () => kms.disableKey(new $Kms.DisableKeyRequest({ keyId: backupKey })),
      () => kms.scheduleKeyDeletion(new $Kms.ScheduleKeyDeletionRequest({ keyId: 'alias/backup', pendingWindowInDays: 7 })),
      () => kms.deleteAlias(new $Kms.DeleteAliasRequest({ aliasName: 'alias/backup' })),
      () => kms.describeKey(new $Kms.DescribeKeyRequest({ keyId: backupKey })),
      () => kms.listKeys(new $Kms.ListKeysRequest({})),
      () => kms.createKey(new $Kms.CreateKeyRequest({})),
    ];
    for (const call of calls) {
      const e = await officialError(call);
      expect(e.code).toBe('Forbidden.RAMError');
      expect(e.message).toContain("code: 403, User not authorized to operate on the specified resource, or this API doesn't support RAM.");
    }
    await expectEnabled(backupKey);
    expect((await h.kms.describeKey({ keyId: 'alias/backup' })).keyMetadata.keyId).toBe(backupKey);
  });

  it('denies everything to a credential the policy file does not name', async () => {
    const outsider = kmsClient(h.endpoint, OUTSIDER_SECRET, OUTSIDER_ID);
    const e = await officialError(() => outsider.generateDataKey(new $Kms.GenerateDataKeyRequest({ keyId: 'alias/backup' })));
    expect(e.code).toBe('Forbidden.RAMError');
  });
});

describe('@alicloud/openapi-client with the backup policy', () => {
  for (const algorithm of [undefined, 'v2'] as const) {
    it(`${algorithm ?? 'ACS3'}: AdvanceGenerateDataKey works; AdvanceDecrypt, AdvanceEncrypt and other keys are 403 Forbidden.RAM`, async () => {
      const client = openApiClient(h.endpoint, algorithm);
      const g = await callApi(client, 'AdvanceGenerateDataKey', { KeyId: 'alias/backup', NumberOfBytes: '32' });
      expect(g['KeyId']).toBe(backupKey);
      secrets.push(String(g['Plaintext']), String(g['CiphertextBlob']));
      for (const [action, query] of [
        ['AdvanceDecrypt', { CiphertextBlob: String(g['CiphertextBlob']) }],
        ['AdvanceEncrypt', { KeyId: 'alias/backup', Plaintext: 'AAEC' }],
        ['AdvanceGenerateDataKey', { KeyId: otherKey, NumberOfBytes: '32' }],
        ['DisableKey', { KeyId: backupKey }],
      ] as const) {
        const e = await officialError(() => callApi(client, action, query));
        expect({ action, code: e.code, status: e.statusCode }).toEqual({ action, code: 'Forbidden.RAM', status: 403 });
        expect((e as unknown as { accessDeniedDetail: unknown }).accessDeniedDetail).toMatchObject({
          AuthAction: `kms:${action}`,
          AuthPrincipalDisplayName: ACCESS_KEY_ID,
          NoPermissionType: 'ImplicitDeny',
        });
      }
    });
  }
});

describe('the instance API client with the backup policy', () => {
  async function denied(call: Promise<unknown>): Promise<void> {
    const e = await call.then(
      () => new Error('expected a denial'),
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(KmsServiceError);
    expect({ code: (e as KmsServiceError).code, status: (e as KmsServiceError).httpStatus }).toEqual({ code: 'Forbidden.NoPermission', status: 403 });
  }

  it('generates and encrypts under alias/backup; decrypts, AdvanceEncrypt and other keys are 403 Forbidden.NoPermission', async () => {
    const g = await instance.advanceGenerateDataKey({ keyId: 'alias/backup', numberOfBytes: 32 });
    expect(g.keyId).toBe(backupKey);
    const basic = await instance.generateDataKey({ keyId: 'alias/backup' });
    const e = await instance.encrypt({ keyId: backupKey, plaintext: new Uint8Array([1, 2, 3, 4]) });
    secrets.push(g.plaintext, g.ciphertextBlob, basic.plaintext, basic.ciphertextBlob, e.ciphertextBlob);

    await denied(instance.advanceDecrypt({ ciphertextBlob: g.ciphertextBlob }));
    await denied(instance.advanceDecrypt({ ciphertextBlob: await backupBlob() }));
    await denied(instance.decrypt({ keyId: backupKey, ciphertextBlob: e.ciphertextBlob, iv: e.iv, algorithm: 'AES_GCM' }));
    await denied(instance.advanceEncrypt({ keyId: 'alias/backup', plaintext: new Uint8Array([5]) }));
    await denied(instance.advanceGenerateDataKey({ keyId: 'alias/other', numberOfBytes: 32 }));
  });
});

describe('@aws-sdk/client-kms with the backup policy', () => {
  const keyArn = (keyId: string): string => `arn:aws:kms:${AWS_REGION}:${AWS_ACCOUNT_ID}:key/${keyId}`;

  it('wraps under alias/backup, by alias or by key ARN', async () => {
    const g = await aws.send(new GenerateDataKeyCommand({ KeyId: 'alias/backup', KeySpec: 'AES_256' }));
    expect(g.KeyId).toBe(keyArn(backupKey));
    const e = await aws.send(new EncryptCommand({ KeyId: keyArn(backupKey), Plaintext: new Uint8Array([7, 7, 7]) }));
    expect(e.KeyId).toBe(keyArn(backupKey));
    secrets.push(g.Plaintext!, g.CiphertextBlob!, e.CiphertextBlob!);
  });

  it('gets AccessDeniedException in AWS wording for decrypt, other keys and key management', async () => {
    const g = await aws.send(new GenerateDataKeyCommand({ KeyId: 'alias/backup', NumberOfBytes: 32 }));
    secrets.push(g.Plaintext!, g.CiphertextBlob!);
    const decrypt = await awsFailure(aws.send(new DecryptCommand({ CiphertextBlob: g.CiphertextBlob })), 'AccessDeniedException');
    expect(decrypt.message).toBe(
      `User: arn:aws:iam::${AWS_ACCOUNT_ID}:user/${AWS_ACCESS_KEY_ID} is not authorized to perform: kms:Decrypt on resource: ${keyArn(backupKey)} ` +
        'because no identity-based policy allows the kms:Decrypt action',
    );
    const other = await awsFailure(aws.send(new EncryptCommand({ KeyId: 'alias/other', Plaintext: new Uint8Array([1]) })), 'AccessDeniedException');
    expect(other.message).toContain(`kms:Encrypt on resource: ${keyArn(otherKey)}`);
    await awsFailure(aws.send(new DisableKeyCommand({ KeyId: backupKey })), 'AccessDeniedException');
    const list = await awsFailure(aws.send(new ListKeysCommand({})), 'AccessDeniedException');
    expect(list.message).toContain('kms:ListKeys on resource: *');
    await awsFailure(aws.send(new CreateKeyCommand({})), 'AccessDeniedException');
    await expectEnabled(backupKey);
  });

  it('an explicit Deny wins over kms:* (policy swapped while serving)', async () => {
    const g = await aws.send(new GenerateDataKeyCommand({ KeyId: 'alias/backup', NumberOfBytes: 32 }));
    secrets.push(g.Plaintext!, g.CiphertextBlob!);
    h.http.setPolicy(
      PolicySet.parse(
        JSON.stringify({
          [AWS_ACCESS_KEY_ID]: {
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Action: 'kms:*', Resource: '*' },
              { Effect: 'Deny', Action: ['kms:Decrypt', 'kms:Disable*', 'kms:ScheduleKeyDeletion'], Resource: 'arn:aws:kms:*:*:alias/backup' },
            ],
          },
        }),
      ),
    );
    try {
      const other = await aws.send(new EncryptCommand({ KeyId: 'alias/other', Plaintext: new Uint8Array([1]) }));
      secrets.push(other.CiphertextBlob!);
      const back = await aws.send(new DecryptCommand({ CiphertextBlob: other.CiphertextBlob }));
      expect(back.Plaintext).toEqual(new Uint8Array([1]));
      const denied = await awsFailure(aws.send(new DecryptCommand({ CiphertextBlob: g.CiphertextBlob })), 'AccessDeniedException');
      expect(denied.message).toContain('with an explicit deny in an identity-based policy');
      // The OpenAPI credential is not in the new file: denied everything.
      expect((await officialError(() => kms.generateDataKey(new $Kms.GenerateDataKeyRequest({ keyId: 'alias/backup' })))).code).toBe('Forbidden.RAMError');
    } finally {
      h.http.setPolicy(backupPolicy());
    }
  });
});

describe('@aws-sdk/client-kms ReEncrypt', () => {
  it('needs kms:ReEncryptFrom on the source key and kms:ReEncryptTo on the destination', async () => {
    const g = await aws.send(new GenerateDataKeyCommand({ KeyId: 'alias/backup', NumberOfBytes: 32 }));
    secrets.push(g.Plaintext!, g.CiphertextBlob!);
    const statement = (action: string, alias: string) => ({ Effect: 'Allow', Action: action, Resource: `arn:aws:kms:*:*:${alias}` });
    h.http.setPolicy(
      PolicySet.parse(
        JSON.stringify({
          [AWS_ACCESS_KEY_ID]: { Version: '2012-10-17', Statement: [statement('kms:ReEncryptFrom', 'alias/backup'), statement('kms:ReEncryptTo', 'alias/other')] },
        }),
      ),
    );
    try {
      const moved = await aws.send(new ReEncryptCommand({ CiphertextBlob: g.CiphertextBlob, DestinationKeyId: 'alias/other' }));
      secrets.push(moved.CiphertextBlob!);
      expect(moved.KeyId).toContain(otherKey);
      const back = await awsFailure(aws.send(new ReEncryptCommand({ CiphertextBlob: moved.CiphertextBlob, DestinationKeyId: 'alias/backup' })), 'AccessDeniedException');
      expect(back.message).toContain(`kms:ReEncryptFrom on resource: arn:aws:kms:${AWS_REGION}:${AWS_ACCOUNT_ID}:key/${otherKey}`);
      const to = await awsFailure(aws.send(new ReEncryptCommand({ CiphertextBlob: g.CiphertextBlob, DestinationKeyId: backupKey })), 'AccessDeniedException');
      expect(to.message).toContain(`kms:ReEncryptTo on resource: arn:aws:kms:${AWS_REGION}:${AWS_ACCOUNT_ID}:key/${backupKey}`);
    } finally {
      h.http.setPolicy(backupPolicy());
    }
  });
});

describe('the audit trail of these requests', () => {
  it('has one entry per request, with credential, action, key and result, and no secret', async () => {
    const before = audit.length;
    const g = await kms.generateDataKey(new $Kms.GenerateDataKeyRequest({ keyId: 'alias/backup' }));
    secrets.push(g.plaintext, g.ciphertextBlob);
    await officialError(() => kms.decrypt(new $Kms.DecryptRequest({ ciphertextBlob: g.ciphertextBlob })));
    await officialError(() => kmsClient(h.endpoint, 'wrong-secret').listKeys(new $Kms.ListKeysRequest({})));
    await awsFailure(aws.send(new DecryptCommand({ CiphertextBlob: await backupBlob() })), 'AccessDeniedException');
    await instance.advanceDecrypt({ ciphertextBlob: await backupBlob() }).catch(() => undefined);
    const version = (await h.kms.describeKey({ keyId: backupKey })).keyMetadata.primaryKeyVersion;

    expect(audit.slice(before)).toEqual([
      expect.objectContaining({ dialect: 'openapi', credential: ACCESS_KEY_ID, action: 'GenerateDataKey', keyId: backupKey, keyVersionId: version, status: 200, code: 'OK' }),
      expect.objectContaining({ dialect: 'openapi', credential: ACCESS_KEY_ID, action: 'Decrypt', keyId: backupKey, keyVersionId: null, status: 403, code: 'Forbidden.RAM' }),
      expect.objectContaining({ dialect: 'openapi', credential: ACCESS_KEY_ID, action: 'ListKeys', keyId: null, status: 400, code: 'SignatureDoesNotMatch' }),
      expect.objectContaining({ dialect: 'aws', credential: AWS_ACCESS_KEY_ID, action: 'Decrypt', keyId: backupKey, status: 400, code: 'AccessDeniedException' }),
      expect.objectContaining({ dialect: 'instance', credential: testPki().clientKey.keyId, action: 'AdvanceDecrypt', keyId: backupKey, status: 403, code: 'Forbidden.NoPermission' }),
    ]);
    for (const entry of audit.slice(before)) {
      expect(entry.requestId).toMatch(/^[0-9A-F-]{36}$/);
      expect(entry.source).toMatch(/127\.0\.0\.1/);
      expect(Date.parse(entry.time)).not.toBeNaN();
    }
  });

  it('never holds a secret: keys, plaintexts, blobs (raw, hex, base64) or credentials', () => {
    expect(audit.length).toBeGreaterThan(30);
    assertNoSecret(audit.map((e) => JSON.stringify(e)).join('\n'), secrets);
  });
});

/** Fails when any of `secrets` appears in `text` as is, or as hex, base64 or base64url of its bytes. */
function assertNoSecret(text: string, all: ReadonlyArray<string | Uint8Array>): void {
  for (const secret of all) {
    const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
    const forms = [bytes.toString('hex'), bytes.toString('base64'), bytes.toString('base64url'), ...(typeof secret === 'string' ? [secret] : [])];
    for (const form of forms.filter((f) => f.length >= 8)) expect(text.includes(form), `a secret (${form.length} characters) is in the audit log`).toBe(false);
  }
}
