/**
 * The actions of the OpenAPI 2016-01-20 dialect: parameters in, the JSON body the official
 * clients parse out (`RequestId` is added by the caller).
 *
 * Semantics of the shared gateway, built on the backend's advance calls:
 * - `GenerateDataKey` / `GenerateDataKeyWithoutPlaintext` / `Encrypt` wrap under the key's
 *   **primary** version; their `CiphertextBlob` is the OpenAPI form (the advance blob without
 *   its 3-byte header, base64).
 * - `GenerateDataKey` encrypts the UTF-8 text `base64(dataKey)`, `Encrypt` the UTF-8 bytes of
 *   `Plaintext`, and `Decrypt` returns that text.
 * - `EncryptionContext` (a JSON object of strings) binds as `Aad = SHA-256("k1=v1&k2=v2")`.
 *
 * Emulator extension (not on Alibaba's shared gateway): `AdvanceGenerateDataKey`,
 * `AdvanceEncrypt` and `AdvanceDecrypt`, with the field names of the instance API's protobuf
 * messages and every binary field (`Aad`, `Plaintext`, `CiphertextBlob`, `Iv`) as standard
 * base64. Their `CiphertextBlob` is the advance blob.
 *
 * @module
 */
import { advanceToOpenApiBlob, openApiToAdvanceBlob, randomBytes, zeroize } from '@dek/core';
import type { AliasEntry, KeyMetadata, KeySpec, KeyUsage, KeyVersion, PageRequest } from '@dek/kms-adapter';
import { ApiError, invalidParameter } from '../api-error.js';
import type { KmsBackend } from '../backend.js';
import type { Params } from './params.js';

/** A JSON response body, before `RequestId` is added. */
export type JsonBody = Record<string, unknown>;

/** One action: reads its parameters, calls the backend, shapes the answer. */
export type OpenApiAction = (params: Params, kms: KmsBackend) => Promise<JsonBody>;

const KEY_SPECS: readonly KeySpec[] = [
  'Aliyun_AES_256',
  'Aliyun_AES_128',
  'Aliyun_AES_192',
  'Aliyun_SM4',
  'RSA_2048',
  'RSA_3072',
  'EC_P256',
  'EC_P256K',
  'EC_SM2',
];
const KEY_USAGES: readonly KeyUsage[] = ['ENCRYPT/DECRYPT', 'SIGN/VERIFY'];

/** Largest `Plaintext` of `Encrypt`: 6 KiB of data, base64-encoded. */
const MAX_ENCRYPT_PLAINTEXT = 8192;
/** Bound on decoded base64 fields before the backend checks its own limits. */
const MAX_BINARY_FIELD = 3 * 1024 * 1024;
/** Upper bound when parsing counts the backend range-checks itself. */
const MAX_INT32 = 2 ** 31 - 1;

const unsupported = (): ApiError => new ApiError(400, 'Rejected.UnsupportedOperation', 'Unsupported operation.');

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64');

function openApiBlob(advanceBlob: Uint8Array): string {
  return advanceToOpenApiBlob(advanceBlob);
}

function advanceBlobOf(params: Params): Uint8Array {
  try {
    return openApiToAdvanceBlob(params.required('CiphertextBlob'));
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw invalidParameter('CiphertextBlob');
  }
}

function paging(params: Params): PageRequest {
  return { pageNumber: params.integer('PageNumber', 1, MAX_INT32, 1), pageSize: params.integer('PageSize', 1, 100, 10) };
}

/** The `Creator` of a key: the account in its ARN `acs:kms:<region>:<account>:key/<id>`. */
function creatorOf(arn: string): string {
  return arn.split(':')[3] ?? '';
}

function keyMetadata(m: KeyMetadata): JsonBody {
  return {
    KeyId: m.keyId,
    Arn: m.arn,
    CreationDate: m.creationDate,
    Creator: creatorOf(m.arn),
    Description: m.description,
    KeySpec: m.keySpec,
    KeyState: m.keyState,
    KeyUsage: m.keyUsage,
    Origin: m.origin,
    ProtectionLevel: m.protectionLevel,
    PrimaryKeyVersion: m.primaryKeyVersion,
    LastRotationDate: m.lastRotationDate,
    AutomaticRotation: m.automaticRotation,
    ...(m.rotationInterval === undefined ? {} : { RotationInterval: m.rotationInterval }),
    ...(m.nextRotationDate === undefined ? {} : { NextRotationDate: m.nextRotationDate }),
    ...(m.deleteDate === undefined ? {} : { DeleteDate: m.deleteDate }),
  };
}

const keyVersion = (v: KeyVersion): JsonBody => ({ KeyId: v.keyId, KeyVersionId: v.keyVersionId, CreationDate: v.creationDate });
const alias = (a: AliasEntry): JsonBody => ({ KeyId: a.keyId, AliasName: a.aliasName, AliasArn: a.aliasArn });

async function generateDataKey(params: Params, kms: KmsBackend, withPlaintext: boolean): Promise<JsonBody> {
  const keyId = params.required('KeyId');
  const keySpec = params.oneOf('KeySpec', ['AES_256', 'AES_128'], 'AES_256');
  const numberOfBytes = params.integer('NumberOfBytes', 1, 1024, keySpec === 'AES_128' ? 16 : 32);
  const aad = params.encryptionContextAad('EncryptionContext');
  const dataKey = randomBytes(numberOfBytes);
  const text = b64(dataKey);
  const plaintext = new TextEncoder().encode(text);
  try {
    const r = await kms.advanceEncrypt({ keyId, plaintext, ...(aad === undefined ? {} : { aad }) });
    return {
      KeyId: r.keyId,
      KeyVersionId: r.keyVersionId,
      CiphertextBlob: openApiBlob(r.ciphertextBlob),
      ...(withPlaintext ? { Plaintext: text } : {}),
    };
  } finally {
    zeroize(dataKey, plaintext);
  }
}

/** The actions served, by name. */
export const OPENAPI_ACTIONS: ReadonlyMap<string, OpenApiAction> = new Map<string, OpenApiAction>([
  ['GenerateDataKey', (p, kms) => generateDataKey(p, kms, true)],
  ['GenerateDataKeyWithoutPlaintext', (p, kms) => generateDataKey(p, kms, false)],
  [
    'Encrypt',
    async (p, kms) => {
      const keyId = p.required('KeyId');
      const plaintext = new TextEncoder().encode(p.required('Plaintext'));
      if (plaintext.length > MAX_ENCRYPT_PLAINTEXT) throw invalidParameter('Plaintext', `It is longer than ${MAX_ENCRYPT_PLAINTEXT} bytes.`);
      try {
        const aad = p.encryptionContextAad('EncryptionContext');
        const r = await kms.advanceEncrypt({ keyId, plaintext, ...(aad === undefined ? {} : { aad }) });
        return { KeyId: r.keyId, KeyVersionId: r.keyVersionId, CiphertextBlob: openApiBlob(r.ciphertextBlob) };
      } finally {
        zeroize(plaintext);
      }
    },
  ],
  [
    'Decrypt',
    async (p, kms) => {
      const ciphertextBlob = advanceBlobOf(p);
      const aad = p.encryptionContextAad('EncryptionContext');
      const r = await kms.advanceDecrypt({ ciphertextBlob, ...(aad === undefined ? {} : { aad }) });
      try {
        const text = new TextDecoder('utf-8', { fatal: true }).decode(r.plaintext);
        return { KeyId: r.keyId, KeyVersionId: r.keyVersionId, Plaintext: text };
      } catch {
        throw invalidParameter('CiphertextBlob', 'Its plaintext is binary, not text; decrypt it with AdvanceDecrypt.');
      } finally {
        zeroize(r.plaintext);
      }
    },
  ],
  [
    'CreateKey',
    async (p, kms) => {
      if (p.oneOf('Origin', ['Aliyun_KMS', 'EXTERNAL'], 'Aliyun_KMS') !== 'Aliyun_KMS') throw unsupported();
      if (p.oneOf('ProtectionLevel', ['SOFTWARE', 'HSM'], 'SOFTWARE') !== 'SOFTWARE') throw unsupported();
      const keySpec = p.oneOf('KeySpec', KEY_SPECS, 'Aliyun_AES_256');
      const keyUsage = p.optional('KeyUsage') === undefined ? undefined : p.oneOf('KeyUsage', KEY_USAGES);
      const description = p.optional('Description');
      const enableAutomaticRotation = p.boolean('EnableAutomaticRotation', false);
      const rotationInterval = p.optional('RotationInterval');
      const r = await kms.createKey({
        keySpec,
        ...(keyUsage === undefined ? {} : { keyUsage }),
        ...(description === undefined ? {} : { description }),
        enableAutomaticRotation,
        ...(rotationInterval === undefined ? {} : { rotationInterval }),
      });
      return { KeyMetadata: keyMetadata(r.keyMetadata) };
    },
  ],
  ['DescribeKey', async (p, kms) => ({ KeyMetadata: keyMetadata((await kms.describeKey({ keyId: p.required('KeyId') })).keyMetadata) })],
  [
    'ListKeys',
    async (p, kms) => {
      const r = await kms.listKeys(paging(p));
      return {
        Keys: { Key: r.keys.map((k) => ({ KeyId: k.keyId, KeyArn: k.keyArn })) },
        TotalCount: r.totalCount,
        PageNumber: r.pageNumber,
        PageSize: r.pageSize,
      };
    },
  ],
  ['CreateKeyVersion', async (p, kms) => ({ KeyVersion: keyVersion((await kms.createKeyVersion({ keyId: p.required('KeyId') })).keyVersion) })],
  [
    'ListKeyVersions',
    async (p, kms) => {
      const keyId = p.required('KeyId');
      const r = await kms.listKeyVersions({ keyId, ...paging(p) });
      return {
        KeyVersions: { KeyVersion: r.keyVersions.map(keyVersion) },
        TotalCount: r.totalCount,
        PageNumber: r.pageNumber,
        PageSize: r.pageSize,
      };
    },
  ],
  [
    'DescribeKeyVersion',
    async (p, kms) => {
      const keyId = p.required('KeyId');
      const keyVersionId = p.required('KeyVersionId');
      return { KeyVersion: keyVersion((await kms.describeKeyVersion({ keyId, keyVersionId })).keyVersion) };
    },
  ],
  [
    'CreateAlias',
    async (p, kms) => {
      const aliasName = p.required('AliasName');
      await kms.createAlias({ aliasName, keyId: p.required('KeyId') });
      return {};
    },
  ],
  [
    'UpdateAlias',
    async (p, kms) => {
      const aliasName = p.required('AliasName');
      await kms.updateAlias({ aliasName, keyId: p.required('KeyId') });
      return {};
    },
  ],
  ['DeleteAlias', async (p, kms) => (await kms.deleteAlias({ aliasName: p.required('AliasName') }), {})],
  [
    'ListAliases',
    async (p, kms) => {
      const r = await kms.listAliases(paging(p));
      return { Aliases: { Alias: r.aliases.map(alias) }, TotalCount: r.totalCount, PageNumber: r.pageNumber, PageSize: r.pageSize };
    },
  ],
  [
    'ListAliasesByKeyId',
    async (p, kms) => {
      const keyId = p.required('KeyId');
      const r = await kms.listAliasesByKeyId({ keyId, ...paging(p) });
      return { Aliases: { Alias: r.aliases.map(alias) }, TotalCount: r.totalCount, PageNumber: r.pageNumber, PageSize: r.pageSize };
    },
  ],
  [
    'UpdateRotationPolicy',
    async (p, kms) => {
      const keyId = p.required('KeyId');
      const enableAutomaticRotation = p.boolean('EnableAutomaticRotation');
      const rotationInterval = p.optional('RotationInterval');
      await kms.updateRotationPolicy({ keyId, enableAutomaticRotation, ...(rotationInterval === undefined ? {} : { rotationInterval }) });
      return {};
    },
  ],
  ['EnableKey', async (p, kms) => (await kms.enableKey({ keyId: p.required('KeyId') }), {})],
  ['DisableKey', async (p, kms) => (await kms.disableKey({ keyId: p.required('KeyId') }), {})],
  [
    'ScheduleKeyDeletion',
    async (p, kms) => {
      const keyId = p.required('KeyId');
      await kms.scheduleKeyDeletion({ keyId, pendingWindowInDays: p.integer('PendingWindowInDays', 0, MAX_INT32) });
      return {};
    },
  ],
  ['CancelKeyDeletion', async (p, kms) => (await kms.cancelKeyDeletion({ keyId: p.required('KeyId') }), {})],
  [
    'AdvanceGenerateDataKey',
    async (p, kms) => {
      const keyId = p.required('KeyId');
      const numberOfBytes = p.integer('NumberOfBytes', 0, MAX_INT32);
      const aad = p.base64('Aad', MAX_BINARY_FIELD);
      const r = await kms.advanceGenerateDataKey({ keyId, numberOfBytes, ...(aad === undefined ? {} : { aad }) });
      try {
        return {
          KeyId: r.keyId,
          KeyVersionId: r.keyVersionId,
          Plaintext: b64(r.plaintext),
          CiphertextBlob: b64(r.ciphertextBlob),
          Iv: b64(r.iv),
          Algorithm: r.algorithm,
        };
      } finally {
        zeroize(r.plaintext);
      }
    },
  ],
  [
    'AdvanceEncrypt',
    async (p, kms) => {
      const keyId = p.required('KeyId');
      const plaintext = p.base64('Plaintext', MAX_BINARY_FIELD);
      if (plaintext === undefined) throw invalidParameter('Plaintext', 'It is missing or empty.');
      const aad = p.base64('Aad', MAX_BINARY_FIELD);
      if (p.optional('Iv') !== undefined) throw invalidParameter('Iv', 'AdvanceEncrypt picks its own IV.');
      const algorithm = p.optional('Algorithm') === undefined ? undefined : p.oneOf('Algorithm', ['AES_GCM']);
      try {
        const r = await kms.advanceEncrypt({
          keyId,
          plaintext,
          ...(aad === undefined ? {} : { aad }),
          ...(algorithm === undefined ? {} : { algorithm }),
        });
        return {
          KeyId: r.keyId,
          KeyVersionId: r.keyVersionId,
          CiphertextBlob: b64(r.ciphertextBlob),
          Iv: b64(r.iv),
          Algorithm: r.algorithm,
          PaddingMode: '',
        };
      } finally {
        zeroize(plaintext);
      }
    },
  ],
  [
    'AdvanceDecrypt',
    async (p, kms) => {
      const ciphertextBlob = p.base64('CiphertextBlob', MAX_BINARY_FIELD);
      if (ciphertextBlob === undefined) throw invalidParameter('CiphertextBlob', 'It is missing or empty.');
      const aad = p.base64('Aad', MAX_BINARY_FIELD);
      const keyId = p.optional('KeyId');
      const iv = p.base64('Iv', MAX_BINARY_FIELD);
      const algorithm = p.optional('Algorithm') === undefined ? undefined : p.oneOf('Algorithm', ['AES_GCM']);
      const r = await kms.advanceDecrypt({
        ciphertextBlob,
        ...(aad === undefined ? {} : { aad }),
        ...(keyId === undefined ? {} : { keyId }),
        ...(iv === undefined ? {} : { iv }),
        ...(algorithm === undefined ? {} : { algorithm }),
      });
      try {
        return { KeyId: r.keyId, KeyVersionId: r.keyVersionId, Plaintext: b64(r.plaintext), Algorithm: r.algorithm, PaddingMode: '' };
      } finally {
        zeroize(r.plaintext);
      }
    },
  ],
]);
