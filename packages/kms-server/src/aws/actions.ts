/**
 * The actions of the AWS KMS dialect (`TrentService.<Action>`, JSON 1.1), over the backend's
 * advance calls and key administration.
 *
 * - `CiphertextBlob` is the backend's advance blob (`$ 0x00 0x02 | KeyVersionId | IV |
 *   ciphertext | tag`): opaque to AWS clients, and it names the key version that made it, so
 *   rotation needs nothing more.
 * - `EncryptionContext` binds as the backend `Aad` of encryption-context.ts.
 * - Key ids are the backend's; `KeyId` members accept them, key ARNs of this server's region and
 *   account, aliases and alias ARNs (only key ids and key ARNs where AWS takes no alias).
 *   Responses name keys by ARN where AWS does.
 * - Dates are epoch seconds, as the JSON 1.1 protocol writes timestamps.
 *
 * @module
 */
import { zeroize } from '@dek/core';
import { KmsServiceError, type KeyMetadata, type KeySpec } from '@dek/kms-adapter';
import type { KmsBackend } from '../backend.js';
import { blobKeyId } from '../blob-key.js';
import { AwsError, invalidCiphertext, unsupported } from './errors.js';
import { encryptionContextAad } from './encryption-context.js';
import { awsAliasArn, awsKeyArn, backendKeyRef, type AwsScope } from './ids.js';
import type { AwsInput } from './input.js';

/** A JSON response body; undefined for actions that answer with an empty body. */
export type AwsBody = Record<string, unknown> | undefined;

/** What an action works with. */
export interface AwsContext {
  readonly kms: KmsBackend;
  readonly scope: AwsScope;
}

/** One action: reads its members, calls the backend, shapes the answer. */
export type AwsAction = (input: AwsInput, context: AwsContext) => Promise<AwsBody>;

const MAX_KEY_ID = 2048;
const MAX_PLAINTEXT = 4096;
const MAX_CIPHERTEXT = 6144;
const MAX_DESCRIPTION = 8192;
const MAX_GRANT_TOKENS = 10;
const MIN_ROTATION_DAYS = 90;
const MAX_ROTATION_DAYS = 2560;
/** The backend rotates at most every 365 days. */
const MAX_BACKEND_ROTATION_DAYS = 365;
const DEFAULT_ROTATION_DAYS = 365;
const ALIAS_NAME = /^alias\/[a-zA-Z0-9/_-]{1,250}$/;
const DAY_SECONDS = 86_400;

const ENCRYPTION_ALGORITHMS = ['SYMMETRIC_DEFAULT', 'RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'SM2PKE'] as const;
const DATA_KEY_SPECS = ['AES_256', 'AES_128'] as const;
const AWS_KEY_SPECS = [
  'SYMMETRIC_DEFAULT',
  'RSA_2048',
  'RSA_3072',
  'RSA_4096',
  'ECC_NIST_P256',
  'ECC_NIST_P384',
  'ECC_NIST_P521',
  'ECC_SECG_P256K1',
  'HMAC_224',
  'HMAC_256',
  'HMAC_384',
  'HMAC_512',
  'SM2',
  'ML_DSA_44',
  'ML_DSA_65',
  'ML_DSA_87',
] as const;
const KEY_USAGES = ['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'GENERATE_VERIFY_MAC', 'KEY_AGREEMENT'] as const;
const ORIGINS = ['AWS_KMS', 'EXTERNAL', 'AWS_CLOUDHSM', 'EXTERNAL_KEY_STORE'] as const;

/** The AWS key spec of each backend spec; symmetric AES and SM4 keys are all `SYMMETRIC_DEFAULT`. */
const AWS_SPEC_OF: Readonly<Record<KeySpec, string>> = {
  Aliyun_AES_256: 'SYMMETRIC_DEFAULT',
  Aliyun_AES_128: 'SYMMETRIC_DEFAULT',
  Aliyun_AES_192: 'SYMMETRIC_DEFAULT',
  Aliyun_SM4: 'SYMMETRIC_DEFAULT',
  RSA_2048: 'RSA_2048',
  RSA_3072: 'RSA_3072',
  EC_P256: 'ECC_NIST_P256',
  EC_P256K: 'ECC_SECG_P256K1',
  EC_SM2: 'SM2',
};

/** Which AWS (spec, usages) CreateKey implements, and the backend spec each becomes. */
const CREATABLE: Readonly<Record<string, { readonly usages: readonly string[]; readonly spec: KeySpec }>> = {
  SYMMETRIC_DEFAULT: { usages: ['ENCRYPT_DECRYPT'], spec: 'Aliyun_AES_256' },
  RSA_2048: { usages: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'], spec: 'RSA_2048' },
  RSA_3072: { usages: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'], spec: 'RSA_3072' },
  ECC_NIST_P256: { usages: ['SIGN_VERIFY'], spec: 'EC_P256' },
  ECC_SECG_P256K1: { usages: ['SIGN_VERIFY'], spec: 'EC_P256K' },
};

const seconds = (iso: string): number => Math.floor(Date.parse(iso) / 1000);

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64');

function isSymmetric(m: KeyMetadata): boolean {
  return AWS_SPEC_OF[m.keySpec] === 'SYMMETRIC_DEFAULT';
}

function algorithmsOf(m: KeyMetadata): Record<string, string[]> {
  if (m.keyUsage === 'ENCRYPT/DECRYPT') {
    return { EncryptionAlgorithms: isSymmetric(m) ? ['SYMMETRIC_DEFAULT'] : ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] };
  }
  const spec = AWS_SPEC_OF[m.keySpec];
  return {
    SigningAlgorithms: spec.startsWith('RSA') ? ['RSASSA_PSS_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_256'] : spec === 'SM2' ? ['SM2DSA'] : ['ECDSA_SHA_256'],
  };
}

/** AWS's `KeyMetadata` of a backend key. */
function keyMetadata(m: KeyMetadata, scope: AwsScope): Record<string, unknown> {
  const spec = AWS_SPEC_OF[m.keySpec];
  return {
    AWSAccountId: scope.accountId,
    KeyId: m.keyId,
    Arn: awsKeyArn(scope, m.keyId),
    CreationDate: seconds(m.creationDate),
    Enabled: m.keyState === 'Enabled',
    Description: m.description,
    KeyUsage: m.keyUsage === 'ENCRYPT/DECRYPT' ? 'ENCRYPT_DECRYPT' : 'SIGN_VERIFY',
    KeyState: m.keyState,
    ...(m.deleteDate === undefined ? {} : { DeletionDate: seconds(m.deleteDate) }),
    Origin: m.origin === 'EXTERNAL' ? 'EXTERNAL' : 'AWS_KMS',
    KeyManager: 'CUSTOMER',
    CustomerMasterKeySpec: spec,
    KeySpec: spec,
    ...algorithmsOf(m),
    MultiRegion: false,
  };
}

/** A `KeyId`-like member, as the backend names it. */
function keyRef(input: AwsInput, context: AwsContext, name: string, aliases: boolean): string {
  const value = input.requiredString(name, 1, MAX_KEY_ID);
  return backendKeyRef(context.scope, value, name.charAt(0).toLowerCase() + name.slice(1), aliases);
}

/** Members AWS defines that this server cannot honour. */
function refuseDryRunAndRecipient(input: AwsInput): void {
  input.stringList('GrantTokens', MAX_GRANT_TOKENS); // grants do not exist here; valid tokens add nothing
  if (input.boolean('DryRun') === true) throw unsupported('DryRun is not supported by this KMS.');
  if (input.has('Recipient')) throw unsupported('Recipient (Nitro Enclaves attestation) is not supported by this KMS.');
}

/** `EncryptionAlgorithm`-like members: only `SYMMETRIC_DEFAULT` works on the symmetric keys served. */
function symmetricAlgorithm(input: AwsInput, name: string): void {
  const algorithm = input.oneOf(name, ENCRYPTION_ALGORITHMS);
  if (algorithm !== undefined && algorithm !== 'SYMMETRIC_DEFAULT') {
    throw new AwsError('InvalidKeyUsageException', `The encryption algorithm ${algorithm} is not valid for a symmetric key.`);
  }
}

function aadOf(input: AwsInput, name: string): { aad?: Uint8Array } {
  const aad = encryptionContextAad(input.stringMap(name), name.charAt(0).toLowerCase() + name.slice(1));
  return aad === undefined ? {} : { aad };
}

/**
 * Unwraps a blob with its context. A named key (`keyMember`) must be the blob's key
 * (`IncorrectKeyException`); a blob that does not parse or decrypt is `InvalidCiphertextException`.
 */
async function unwrap(input: AwsInput, context: AwsContext, blobMember: string, contextMember: string, keyMember: string) {
  const ciphertextBlob = input.requiredBlob(blobMember, 1, MAX_CIPHERTEXT);
  const aad = aadOf(input, contextMember);
  const named = input.has(keyMember) ? keyRef(input, context, keyMember, true) : undefined;
  const owner = blobKeyId(ciphertextBlob);
  if (owner === undefined) throw invalidCiphertext();
  if (named !== undefined && (await context.kms.describeKey({ keyId: named })).keyMetadata.keyId !== owner) {
    throw new AwsError('IncorrectKeyException', 'The key ID in the request does not identify a KMS key that can perform this operation.');
  }
  try {
    return await context.kms.advanceDecrypt({ ciphertextBlob, ...aad });
  } catch (error) {
    if (error instanceof KmsServiceError && error.code === 'InvalidParameter') throw invalidCiphertext();
    throw error;
  }
}

async function generateDataKey(input: AwsInput, context: AwsContext, withPlaintext: boolean): Promise<AwsBody> {
  const keyId = keyRef(input, context, 'KeyId', true);
  const aad = aadOf(input, 'EncryptionContext');
  const numberOfBytes = input.integer('NumberOfBytes', 1, 1024);
  const keySpec = input.oneOf('KeySpec', DATA_KEY_SPECS);
  if ((numberOfBytes === undefined) === (keySpec === undefined)) {
    throw new AwsError('ValidationException', 'Please specify either number of bytes or key spec.');
  }
  refuseDryRunAndRecipient(input);
  const r = await context.kms.advanceGenerateDataKey({ keyId, numberOfBytes: numberOfBytes ?? (keySpec === 'AES_128' ? 16 : 32), ...aad });
  try {
    return {
      CiphertextBlob: b64(r.ciphertextBlob),
      ...(withPlaintext ? { Plaintext: b64(r.plaintext) } : {}),
      KeyId: awsKeyArn(context.scope, r.keyId),
    };
  } finally {
    zeroize(r.plaintext);
  }
}

/** Every alias (or every alias of one key), sorted by name, read page by page from the backend. */
async function allAliases(kms: KmsBackend, keyId: string | undefined) {
  const aliases = [];
  for (let pageNumber = 1; ; pageNumber++) {
    const page = keyId === undefined ? await kms.listAliases({ pageNumber, pageSize: 100 }) : await kms.listAliasesByKeyId({ keyId, pageNumber, pageSize: 100 });
    aliases.push(...page.aliases);
    if (page.aliases.length === 0 || aliases.length >= page.totalCount) return aliases;
  }
}

/** Every key id, sorted (the marker of a page is the last id it holds), read page by page from the backend. */
async function allKeys(kms: KmsBackend): Promise<string[]> {
  const keyIds: string[] = [];
  for (let pageNumber = 1; ; pageNumber++) {
    const page = await kms.listKeys({ pageNumber, pageSize: 100 });
    keyIds.push(...page.keys.map((k) => k.keyId));
    if (page.keys.length === 0 || keyIds.length >= page.totalCount) return keyIds.sort();
  }
}

async function setRotation(input: AwsInput, context: AwsContext, enable: boolean): Promise<AwsBody> {
  const keyId = keyRef(input, context, 'KeyId', false);
  let days: number | undefined;
  if (enable) {
    days = input.integer('RotationPeriodInDays', MIN_ROTATION_DAYS, MAX_ROTATION_DAYS) ?? DEFAULT_ROTATION_DAYS;
    if (days > MAX_BACKEND_ROTATION_DAYS) throw unsupported(`This KMS rotates keys at most every ${MAX_BACKEND_ROTATION_DAYS} days.`);
  }
  await context.kms.updateRotationPolicy({
    keyId,
    enableAutomaticRotation: enable,
    ...(days === undefined ? {} : { rotationInterval: `${days}d` }),
  });
  return undefined;
}

/** The actions served, by name (the part of `X-Amz-Target` after `TrentService.`). */
export const AWS_ACTIONS: ReadonlyMap<string, AwsAction> = new Map<string, AwsAction>([
  [
    'CreateKey',
    async (input, context) => {
      const description = input.string('Description', 0, MAX_DESCRIPTION);
      const keySpecMember = input.oneOf('KeySpec', AWS_KEY_SPECS);
      const cmkSpec = input.oneOf('CustomerMasterKeySpec', AWS_KEY_SPECS);
      if (keySpecMember !== undefined && cmkSpec !== undefined) {
        throw new AwsError('ValidationException', 'You cannot specify KeySpec and CustomerMasterKeySpec in the same request.');
      }
      const awsSpec = keySpecMember ?? cmkSpec ?? 'SYMMETRIC_DEFAULT';
      const usage = input.oneOf('KeyUsage', KEY_USAGES) ?? 'ENCRYPT_DECRYPT';
      const origin = input.oneOf('Origin', ORIGINS) ?? 'AWS_KMS';
      if (origin !== 'AWS_KMS') throw unsupported(`Origin ${origin} is not supported by this KMS.`);
      if (input.has('CustomKeyStoreId') || input.has('XksKeyId')) throw unsupported('Custom key stores are not supported by this KMS.');
      if (input.boolean('MultiRegion') === true) throw unsupported('Multi-Region keys are not supported by this KMS.');
      if (input.has('Policy')) throw unsupported('Key policies are not supported by this KMS; leave Policy out.');
      if (input.has('Tags')) throw unsupported('Tags are not supported by this KMS; leave Tags out.');
      input.boolean('BypassPolicyLockoutSafetyCheck');
      const creatable = CREATABLE[awsSpec];
      if (creatable === undefined) throw unsupported(`KeySpec ${awsSpec} is not supported by this KMS.`);
      if (!creatable.usages.includes(usage)) {
        throw new AwsError('ValidationException', `KeyUsage ${usage} is not compatible with KeySpec ${awsSpec}.`);
      }
      const keyUsage = usage === 'SIGN_VERIFY' ? 'SIGN/VERIFY' : 'ENCRYPT/DECRYPT';
      const r = await context.kms.createKey({ keySpec: creatable.spec, keyUsage, ...(description === undefined ? {} : { description }) });
      return { KeyMetadata: keyMetadata(r.keyMetadata, context.scope) };
    },
  ],
  [
    'DescribeKey',
    async (input, context) => {
      const keyId = keyRef(input, context, 'KeyId', true);
      input.stringList('GrantTokens', MAX_GRANT_TOKENS);
      return { KeyMetadata: keyMetadata((await context.kms.describeKey({ keyId })).keyMetadata, context.scope) };
    },
  ],
  [
    'CreateAlias',
    async (input, context) => {
      const aliasName = input.requiredString('AliasName', 1, 256);
      if (!ALIAS_NAME.test(aliasName) || aliasName.startsWith('alias/aws/')) {
        throw new AwsError(
          'InvalidAliasNameException',
          "An alias name must be 'alias/' followed by letters, digits, '/', '_' or '-', at most 256 characters, and must not begin with 'alias/aws/'.",
        );
      }
      const keyId = keyRef(input, context, 'TargetKeyId', false);
      await context.kms.createAlias({ aliasName, keyId });
      return undefined;
    },
  ],
  [
    'ListAliases',
    async (input, context) => {
      const keyId = input.has('KeyId') ? keyRef(input, context, 'KeyId', false) : undefined;
      const limit = input.integer('Limit', 1, 100) ?? 50;
      const marker = input.string('Marker', 1, 1024);
      if (marker !== undefined && !marker.startsWith('alias/')) throw new AwsError('InvalidMarkerException', 'The marker is not valid.');
      const after = (await allAliases(context.kms, keyId)).filter((a) => marker === undefined || a.aliasName > marker);
      const page = after.slice(0, limit);
      const truncated = after.length > limit;
      return {
        Aliases: page.map((a) => ({ AliasName: a.aliasName, AliasArn: awsAliasArn(context.scope, a.aliasName), TargetKeyId: a.keyId })),
        Truncated: truncated,
        ...(truncated ? { NextMarker: page[page.length - 1]!.aliasName } : {}),
      };
    },
  ],
  [
    'ListKeys',
    async (input, context) => {
      const limit = input.integer('Limit', 1, 1000) ?? 100;
      const marker = input.string('Marker', 1, 1024);
      const after = (await allKeys(context.kms)).filter((keyId) => marker === undefined || keyId > marker);
      const page = after.slice(0, limit);
      const truncated = after.length > limit;
      return {
        Keys: page.map((keyId) => ({ KeyId: keyId, KeyArn: awsKeyArn(context.scope, keyId) })),
        Truncated: truncated,
        ...(truncated ? { NextMarker: page[page.length - 1]! } : {}),
      };
    },
  ],
  ['GenerateDataKey', (input, context) => generateDataKey(input, context, true)],
  ['GenerateDataKeyWithoutPlaintext', (input, context) => generateDataKey(input, context, false)],
  [
    'Encrypt',
    async (input, context) => {
      const keyId = keyRef(input, context, 'KeyId', true);
      const plaintext = input.requiredBlob('Plaintext', 1, MAX_PLAINTEXT);
      try {
        const aad = aadOf(input, 'EncryptionContext');
        symmetricAlgorithm(input, 'EncryptionAlgorithm');
        refuseDryRunAndRecipient(input);
        const r = await context.kms.advanceEncrypt({ keyId, plaintext, ...aad });
        return { CiphertextBlob: b64(r.ciphertextBlob), KeyId: awsKeyArn(context.scope, r.keyId), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
      } finally {
        zeroize(plaintext);
      }
    },
  ],
  [
    'Decrypt',
    async (input, context) => {
      symmetricAlgorithm(input, 'EncryptionAlgorithm');
      refuseDryRunAndRecipient(input);
      const r = await unwrap(input, context, 'CiphertextBlob', 'EncryptionContext', 'KeyId');
      try {
        return { KeyId: awsKeyArn(context.scope, r.keyId), Plaintext: b64(r.plaintext), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
      } finally {
        zeroize(r.plaintext);
      }
    },
  ],
  [
    'ReEncrypt',
    async (input, context) => {
      const destination = keyRef(input, context, 'DestinationKeyId', true);
      const aad = aadOf(input, 'DestinationEncryptionContext');
      symmetricAlgorithm(input, 'SourceEncryptionAlgorithm');
      symmetricAlgorithm(input, 'DestinationEncryptionAlgorithm');
      refuseDryRunAndRecipient(input);
      const source = await unwrap(input, context, 'CiphertextBlob', 'SourceEncryptionContext', 'SourceKeyId');
      try {
        const r = await context.kms.advanceEncrypt({ keyId: destination, plaintext: source.plaintext, ...aad });
        return {
          CiphertextBlob: b64(r.ciphertextBlob),
          SourceKeyId: awsKeyArn(context.scope, source.keyId),
          KeyId: awsKeyArn(context.scope, r.keyId),
          SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
          DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
        };
      } finally {
        zeroize(source.plaintext);
      }
    },
  ],
  ['EnableKey', async (input, context) => (await context.kms.enableKey({ keyId: keyRef(input, context, 'KeyId', false) }), undefined)],
  ['DisableKey', async (input, context) => (await context.kms.disableKey({ keyId: keyRef(input, context, 'KeyId', false) }), undefined)],
  ['EnableKeyRotation', (input, context) => setRotation(input, context, true)],
  ['DisableKeyRotation', (input, context) => setRotation(input, context, false)],
  [
    'GetKeyRotationStatus',
    async (input, context) => {
      const keyId = keyRef(input, context, 'KeyId', false);
      const m = (await context.kms.describeKey({ keyId })).keyMetadata;
      if (!isSymmetric(m)) throw unsupported(`Automatic rotation is only for symmetric keys; ${m.keyId} is not one.`);
      const on = m.automaticRotation !== 'Disabled';
      const intervalSeconds = m.rotationInterval === undefined ? undefined : Number.parseInt(m.rotationInterval, 10);
      return {
        KeyId: awsKeyArn(context.scope, m.keyId),
        KeyRotationEnabled: on,
        ...(on && intervalSeconds !== undefined ? { RotationPeriodInDays: Math.floor(intervalSeconds / DAY_SECONDS) } : {}),
        ...(on && m.nextRotationDate !== undefined ? { NextRotationDate: seconds(m.nextRotationDate) } : {}),
      };
    },
  ],
]);
