/**
 * The official Node clients against the server's OpenAPI 2016-01-20 dialect:
 * `@alicloud/kms20160120` (rpc-client, signature v1) for the whole key lifecycle, and
 * `@alicloud/openapi-client` (ACS3-HMAC-SHA256 by default, and v1 with `signatureAlgorithm: 'v2'`)
 * for the Advance* extension.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './support/harness.js';
import { $Kms, $OpenApi, $Util, callApi, kmsClient, officialError, openApiClient, type KmsClient } from './support/official.js';

let h: Harness;
let kms: KmsClient;

beforeAll(async () => {
  h = await startHarness();
  kms = kmsClient(h.endpoint);
});
afterAll(async () => h.close());

/** EncryptionContext is typed as a map by the models but must travel as JSON text. */
const context = (c: Record<string, string>): Record<string, unknown> => JSON.stringify(c) as unknown as Record<string, unknown>;

async function createKey(alias?: string): Promise<string> {
  const created = await kms.createKey(new $Kms.CreateKeyRequest({ description: 'test key' }));
  const keyId = created.keyMetadata.keyId;
  if (alias !== undefined) await kms.createAlias(new $Kms.CreateAliasRequest({ aliasName: alias, keyId }));
  return keyId;
}

describe('@alicloud/kms20160120 (signature v1)', () => {
  it('creates a key and an alias, describes and lists them', async () => {
    const created = await kms.createKey(new $Kms.CreateKeyRequest({ description: 'demo', keySpec: 'Aliyun_AES_256' }));
    const m = created.keyMetadata;
    expect(created.requestId).toMatch(/^[0-9A-F-]{36}$/);
    expect(m.keyId).toMatch(/^key-[a-z0-9]{21}$/);
    expect(m).toMatchObject({ keyState: 'Enabled', keySpec: 'Aliyun_AES_256', keyUsage: 'ENCRYPT/DECRYPT', description: 'demo', automaticRotation: 'Disabled' });
    expect(m.primaryKeyVersion).toMatch(new RegExp(`^${m.keyId}-[a-z0-9]{10}$`));

    await kms.createAlias(new $Kms.CreateAliasRequest({ aliasName: 'alias/demo', keyId: m.keyId }));
    const described = await kms.describeKey(new $Kms.DescribeKeyRequest({ keyId: 'alias/demo' }));
    expect(described.keyMetadata.keyId).toBe(m.keyId);
    expect(described.keyMetadata.arn).toContain(`key/${m.keyId}`);

    const keys = await kms.listKeys(new $Kms.ListKeysRequest({ pageSize: 100 }));
    expect(keys.keys.key.map((k) => k.keyId)).toContain(m.keyId);
    expect(keys.totalCount).toBeGreaterThanOrEqual(1);
    const aliases = await kms.listAliases(new $Kms.ListAliasesRequest({}));
    expect(aliases.aliases.alias).toContainEqual(expect.objectContaining({ aliasName: 'alias/demo', keyId: m.keyId }));
  });

  it('generates a data key and decrypts it; the blob is the OpenAPI form of the primary version', async () => {
    const keyId = await createKey('alias/gdk');
    const gdk = await kms.generateDataKey(
      new $Kms.GenerateDataKeyRequest({ keyId: 'alias/gdk', numberOfBytes: 32, encryptionContext: context({ purpose: 'test', b: '2' }) }),
    );
    expect(gdk.keyId).toBe(keyId);
    expect(Buffer.from(gdk.plaintext, 'base64')).toHaveLength(32);
    const blob = Buffer.from(gdk.ciphertextBlob, 'base64');
    expect(blob.subarray(0, 36).toString('ascii')).toBe(gdk.keyVersionId);
    expect(blob).toHaveLength(36 + 12 + 44 + 16); // the wrapped text is base64(32 bytes) = 44 characters

    const dec = await kms.decrypt(new $Kms.DecryptRequest({ ciphertextBlob: gdk.ciphertextBlob, encryptionContext: context({ b: '2', purpose: 'test' }) }));
    expect(dec.plaintext).toBe(gdk.plaintext);
    expect(dec).toMatchObject({ keyId, keyVersionId: gdk.keyVersionId });

    const bad = await officialError(() => kms.decrypt(new $Kms.DecryptRequest({ ciphertextBlob: gdk.ciphertextBlob, encryptionContext: context({ purpose: 'other' }) })));
    expect(bad.code).toBe('InvalidParameterError');
    expect(bad.message).toContain('code: 400');

    const noPlain = await kms.generateDataKeyWithoutPlaintext(new $Kms.GenerateDataKeyWithoutPlaintextRequest({ keyId, keySpec: 'AES_128' }));
    expect(noPlain.plaintext).toBeUndefined();
    const dec128 = await kms.decrypt(new $Kms.DecryptRequest({ ciphertextBlob: noPlain.ciphertextBlob }));
    expect(Buffer.from(dec128.plaintext, 'base64')).toHaveLength(16);
  });

  it('encrypts and decrypts text, including characters that need escaping in the signature', async () => {
    const keyId = await createKey();
    const plaintext = "hello world !*()'~ +/= ünïcødé";
    const enc = await kms.encrypt(new $Kms.EncryptRequest({ keyId, plaintext }));
    const dec = await kms.decrypt(new $Kms.DecryptRequest({ ciphertextBlob: enc.ciphertextBlob }));
    expect(dec.plaintext).toBe(plaintext);
  });

  it('rotates: a new version becomes primary, new blobs use it, old blobs still decrypt', async () => {
    const keyId = await createKey('alias/rotating');
    const before = await kms.generateDataKey(new $Kms.GenerateDataKeyRequest({ keyId: 'alias/rotating' }));
    const created = await kms.createKeyVersion(new $Kms.CreateKeyVersionRequest({ keyId: 'alias/rotating' }));
    const v2 = created.keyVersion.keyVersionId;
    expect(created.keyVersion.keyId).toBe(keyId);
    expect(v2).not.toBe(before.keyVersionId);

    const described = await kms.describeKey(new $Kms.DescribeKeyRequest({ keyId }));
    expect(described.keyMetadata.primaryKeyVersion).toBe(v2);
    const after = await kms.generateDataKey(new $Kms.GenerateDataKeyRequest({ keyId }));
    expect(after.keyVersionId).toBe(v2);

    const versions = await kms.listKeyVersions(new $Kms.ListKeyVersionsRequest({ keyId }));
    expect(versions.totalCount).toBe(2);
    expect(versions.keyVersions.keyVersion.map((v) => v.keyVersionId)).toEqual([before.keyVersionId, v2]);
    const one = await kms.describeKeyVersion(new $Kms.DescribeKeyVersionRequest({ keyId, keyVersionId: v2 }));
    expect(one.keyVersion.keyVersionId).toBe(v2);

    const old = await kms.decrypt(new $Kms.DecryptRequest({ ciphertextBlob: before.ciphertextBlob }));
    expect(old).toMatchObject({ keyVersionId: before.keyVersionId, plaintext: before.plaintext });
  });

  it('sets a rotation policy, which DescribeKey reports', async () => {
    const keyId = await createKey();
    await kms.updateRotationPolicy(new $Kms.UpdateRotationPolicyRequest({ keyId, enableAutomaticRotation: true, rotationInterval: '7d' }));
    const m = (await kms.describeKey(new $Kms.DescribeKeyRequest({ keyId }))).keyMetadata;
    expect(m).toMatchObject({ automaticRotation: 'Enabled', rotationInterval: '604800s' });
    expect(m.nextRotationDate).toMatch(/Z$/);
    const bad = await officialError(() =>
      kms.updateRotationPolicy(new $Kms.UpdateRotationPolicyRequest({ keyId, enableAutomaticRotation: true, rotationInterval: '1d' })),
    );
    expect(bad.code).toBe('InvalidParameterError');
  });

  it('disables and enables; schedules and cancels deletion; crypto calls answer Rejected.*', async () => {
    const keyId = await createKey();
    await kms.disableKey(new $Kms.DisableKeyRequest({ keyId }));
    const disabled = await officialError(() => kms.generateDataKey(new $Kms.GenerateDataKeyRequest({ keyId })));
    expect(disabled.code).toBe('Rejected.DisabledError');
    expect(disabled.message).toContain('code: 409');
    await kms.enableKey(new $Kms.EnableKeyRequest({ keyId }));
    await kms.generateDataKey(new $Kms.GenerateDataKeyRequest({ keyId }));

    await kms.scheduleKeyDeletion(new $Kms.ScheduleKeyDeletionRequest({ keyId, pendingWindowInDays: 7 }));
    const pending = (await kms.describeKey(new $Kms.DescribeKeyRequest({ keyId }))).keyMetadata;
    expect(pending.keyState).toBe('PendingDeletion');
    expect(pending.deleteDate).toMatch(/Z$/);
    const rejected = await officialError(() => kms.encrypt(new $Kms.EncryptRequest({ keyId, plaintext: 'x' })));
    expect(rejected.code).toBe('Rejected.PendingDeletionError');
    await kms.cancelKeyDeletion(new $Kms.CancelKeyDeletionRequest({ keyId }));
    expect((await kms.describeKey(new $Kms.DescribeKeyRequest({ keyId }))).keyMetadata.keyState).toBe('Enabled');
    const window = await officialError(() => kms.scheduleKeyDeletion(new $Kms.ScheduleKeyDeletionRequest({ keyId, pendingWindowInDays: 3 })));
    expect(window.code).toBe('InvalidParameterError');
  });

  it('answers the service errors as coded errors (code + "Error", status and request id in the message)', async () => {
    const notFound = await officialError(() => kms.describeKey(new $Kms.DescribeKeyRequest({ keyId: 'key-doesnotexist000000000' })));
    expect(notFound.code).toBe('Forbidden.KeyNotFoundError');
    expect(notFound.message).toMatch(/code: 404, The specified Key is not found\. requestid: [0-9A-F-]{36}/);
    expect(notFound.data).toMatchObject({ Code: 'Forbidden.KeyNotFound', HostId: h.endpoint });

    const alias = await officialError(() => kms.generateDataKey(new $Kms.GenerateDataKeyRequest({ keyId: 'alias/none' })));
    expect(alias.code).toMatch(/^Forbidden\.(AliasNotFound|KeyNotFound)Error$/);

    const keyId = await createKey('alias/dup');
    const dup = await officialError(() => kms.createAlias(new $Kms.CreateAliasRequest({ aliasName: 'alias/dup', keyId })));
    expect(dup.code).toBe('AliasAlreadyExistsError');

    const range = await officialError(() => kms.generateDataKey(new $Kms.GenerateDataKeyRequest({ keyId, numberOfBytes: 1025 })));
    expect(range.code).toBe('InvalidParameterError');
    expect(range.message).toContain('NumberOfBytes');

    const blob = await officialError(() => kms.decrypt(new $Kms.DecryptRequest({ ciphertextBlob: 'bm90IGEgYmxvYg==' })));
    expect(blob.code).toBe('InvalidParameterError');
    expect(blob.message).toContain('CiphertextBlob');

    const notJson = 'not json' as unknown as Record<string, unknown>;
    const ctx = await officialError(() => kms.encrypt(new $Kms.EncryptRequest({ keyId, plaintext: 'x', encryptionContext: notJson })));
    expect(ctx.code).toBe('InvalidParameterError');

    const spec = await officialError(() => kms.createKey(new $Kms.CreateKeyRequest({ keySpec: 'Aliyun_AES_999' })));
    expect(spec.code).toBe('InvalidParameterError');
  });

  it('rejects an unknown AccessKey and a wrong secret', async () => {
    const unknown = await officialError(() => kmsClient(h.endpoint, 'x', 'LTAI_NOBODY').listKeys(new $Kms.ListKeysRequest({})));
    expect(unknown.code).toBe('InvalidAccessKeyId.NotFoundError');
    expect(unknown.message).toContain('code: 404, Specified access key is not found.');

    const wrong = await officialError(() => kmsClient(h.endpoint, 'not-the-secret').listKeys(new $Kms.ListKeysRequest({})));
    expect(wrong.code).toBe('SignatureDoesNotMatchError');
    expect(wrong.message).toContain('code: 400');
    expect(String(wrong.data['Message'])).toContain('server string to sign is:POST&%2F&AccessKeyId');
  });
});

describe('@alicloud/openapi-client (ACS3-HMAC-SHA256 and v2)', () => {
  for (const algorithm of [undefined, 'v2'] as const) {
    const label = algorithm ?? 'ACS3';

    it(`${label}: AdvanceGenerateDataKey / AdvanceEncrypt / AdvanceDecrypt, binary fields in base64`, async () => {
      const client = openApiClient(h.endpoint, algorithm);
      const keyId = await createKey();
      const aad = Buffer.from('aad!*()~ +/=').toString('base64');
      const g = await callApi(client, 'AdvanceGenerateDataKey', { KeyId: keyId, NumberOfBytes: '32', Aad: aad });
      expect(g).toMatchObject({ KeyId: keyId, Algorithm: 'AES_GCM' });
      const blob = Buffer.from(String(g['CiphertextBlob']), 'base64');
      expect([...blob.subarray(0, 3)]).toEqual([0x24, 0x00, 0x02]);
      expect(blob.subarray(3, 39).toString('ascii')).toBe(g['KeyVersionId']);
      expect(Buffer.from(String(g['Iv']), 'base64')).toEqual(blob.subarray(39, 51));

      const d = await callApi(client, 'AdvanceDecrypt', { CiphertextBlob: String(g['CiphertextBlob']), Aad: aad });
      expect(d).toMatchObject({ KeyId: keyId, KeyVersionId: g['KeyVersionId'], Plaintext: g['Plaintext'] });

      // Parameters in a form body are signed (v1) or hashed (ACS3) too.
      const e = await callApi(client, 'AdvanceEncrypt', { KeyId: keyId }, { body: { Plaintext: Buffer.from([0, 1, 254, 255]).toString('base64') } });
      const back = await callApi(client, 'AdvanceDecrypt', {}, { body: { CiphertextBlob: String(e['CiphertextBlob']) } });
      expect(Buffer.from(String(back['Plaintext']), 'base64')).toEqual(Buffer.from([0, 1, 254, 255]));

      const wrongAad = await officialError(() => callApi(client, 'AdvanceDecrypt', { CiphertextBlob: String(g['CiphertextBlob']) }));
      expect(wrongAad).toMatchObject({ code: 'InvalidParameter', statusCode: 400 });
    });

    it(`${label}: AdvanceEncrypt refuses a caller's Iv (it would reveal another blob's key stream)`, async () => {
      const client = openApiClient(h.endpoint, algorithm);
      const keyId = await createKey();
      const g = await callApi(client, 'AdvanceGenerateDataKey', { KeyId: keyId, NumberOfBytes: '32' });
      const zeros = Buffer.alloc(32).toString('base64');
      const refused = await officialError(() => callApi(client, 'AdvanceEncrypt', { KeyId: keyId, Plaintext: zeros, Iv: String(g['Iv']) }));
      expect(refused).toMatchObject({ code: 'InvalidParameter', statusCode: 400 });
      expect(refused.message).toContain('"Iv" is not valid');
    });

    it(`${label}: the standard actions too`, async () => {
      const client = openApiClient(h.endpoint, algorithm);
      const created = await callApi(client, 'CreateKey', { Description: `via ${label}` });
      const keyId = String((created['KeyMetadata'] as Record<string, unknown>)['KeyId']);
      const g = await callApi(client, 'GenerateDataKey', { KeyId: keyId, EncryptionContext: '{"k":"v"}' });
      const d = await callApi(client, 'Decrypt', { CiphertextBlob: String(g['CiphertextBlob']), EncryptionContext: '{"k":"v"}' });
      expect(d['Plaintext']).toBe(g['Plaintext']);
    });

    it(`${label}: every gateway error arrives as a coded error with its status`, async () => {
      const client = openApiClient(h.endpoint, algorithm);
      const keyId = await createKey();
      const cases: Array<[string, () => Promise<unknown>, string, number]> = [
        ['unknown action', () => callApi(client, 'NoSuchAction', {}), 'InvalidAction.NotFound', 404],
        ['missing parameter', () => callApi(client, 'DescribeKey', {}), 'MissingParameter', 400],
        ['invalid parameter', () => callApi(client, 'AdvanceGenerateDataKey', { KeyId: keyId, NumberOfBytes: 'many' }), 'InvalidParameter', 400],
        ['invalid base64', () => callApi(client, 'AdvanceDecrypt', { CiphertextBlob: 'not base64!' }), 'InvalidParameter', 400],
        ['unknown key', () => callApi(client, 'DescribeKey', { KeyId: 'key-doesnotexist000000000' }), 'Forbidden.KeyNotFound', 404],
        ['unknown AccessKey', () => callApi(openApiClient(h.endpoint, algorithm, 'x', 'LTAI_NOBODY'), 'ListKeys', {}), 'InvalidAccessKeyId.NotFound', 404],
        ['bad signature', () => callApi(openApiClient(h.endpoint, algorithm, 'wrong-secret'), 'ListKeys', {}), 'SignatureDoesNotMatch', 400],
      ];
      for (const [what, call, code, status] of cases) {
        const error = await officialError(call);
        expect({ what, code: error.code, status: error.statusCode }).toEqual({ what, code, status });
        expect(error.message).toMatch(new RegExp(`^${code.replace('.', '\\.')}: code: ${status}, .+ request id: [0-9A-F-]{36}$`, 's'));
      }
    });

    it(`${label}: a replayed nonce is refused (SignatureNonceUsed)`, async () => {
      const client = openApiClient(h.endpoint, algorithm);
      const nonce = `nonce-${label}-${Date.now()}`;
      const extra = algorithm === 'v2' ? {} : { headers: { 'x-acs-signature-nonce': nonce } };
      const query: Record<string, string> = algorithm === 'v2' ? { SignatureNonce: nonce } : {};
      await callApi(client, 'ListKeys', query, extra);
      const replay = await officialError(() => callApi(client, 'ListKeys', query, extra));
      expect(replay).toMatchObject({ code: 'SignatureNonceUsed', statusCode: 400 });
    });

    it(`${label}: a stale or malformed timestamp is refused`, async () => {
      const client = openApiClient(h.endpoint, algorithm);
      const stamp = (value: string) =>
        algorithm === 'v2' ? callApi(client, 'ListKeys', { Timestamp: value }) : callApi(client, 'ListKeys', {}, { headers: { 'x-acs-date': value } });
      const stale = await officialError(() => stamp(new Date(Date.now() - 20 * 60_000).toISOString().replace(/\.\d+Z$/, 'Z')));
      expect(stale).toMatchObject({ code: 'InvalidTimeStamp.Expired', statusCode: 400 });
      const future = await officialError(() => stamp(new Date(Date.now() + 20 * 60_000).toISOString().replace(/\.\d+Z$/, 'Z')));
      expect(future).toMatchObject({ code: 'InvalidTimeStamp.Expired', statusCode: 400 });
      const malformed = await officialError(() => stamp('yesterday'));
      expect(malformed).toMatchObject({ code: 'InvalidTimeStamp.Format', statusCode: 400 });
    });
  }

  it('rejects another API version', async () => {
    const client = openApiClient(h.endpoint);
    const params = new $OpenApi.Params({
      action: 'ListKeys',
      version: '2099-01-01',
      protocol: 'HTTPS',
      pathname: '/',
      method: 'POST',
      authType: 'AK',
      style: 'RPC',
      reqBodyType: 'formData',
      bodyType: 'json',
    });
    const error = await officialError(() => client.callApi(params, new $OpenApi.OpenApiRequest({ query: {} }), new $Util.RuntimeOptions({})));
    expect(error).toMatchObject({ code: 'InvalidVersion', statusCode: 400 });
  });
});
