/**
 * The KMS action names policies may grant: every `kms:` action of Alibaba Cloud RAM and of AWS
 * IAM (so a policy copied from the cloud validates even where this server does not serve the
 * action), plus this server's `Advance*` calls. Also which policy action a served request needs.
 *
 * @module
 */
import { safeJson } from './json-source.js';

/** Alibaba Cloud KMS actions (RAM), with the Advance* calls of the instance API and this server. */
const RAM_ACTIONS = [
  'AdvanceDecrypt',
  'AdvanceEncrypt',
  'AdvanceGenerateDataKey',
  'AsymmetricDecrypt',
  'AsymmetricEncrypt',
  'AsymmetricSign',
  'AsymmetricVerify',
  'CancelKeyDeletion',
  'CreateAlias',
  'CreateKey',
  'CreateKeyVersion',
  'CreateSecret',
  'Decrypt',
  'DeleteAlias',
  'DeleteKeyMaterial',
  'DeleteSecret',
  'DescribeKey',
  'DescribeKeyVersion',
  'DescribeRegions',
  'DescribeSecret',
  'DescribeService',
  'DisableKey',
  'EnableKey',
  'Encrypt',
  'ExportDataKey',
  'GenerateAndExportDataKey',
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
  'GetKeyPolicy',
  'GetParametersForImport',
  'GetPublicKey',
  'GetRandomPassword',
  'GetSecretValue',
  'ImportKeyMaterial',
  'ListAliases',
  'ListAliasesByKeyId',
  'ListKeyVersions',
  'ListKeys',
  'ListResourceTags',
  'ListSecretVersionIds',
  'ListSecrets',
  'PutSecretValue',
  'ReEncrypt',
  'RestoreSecret',
  'ScheduleKeyDeletion',
  'SetKeyPolicy',
  'TagResource',
  'UntagResource',
  'UpdateAlias',
  'UpdateKeyDescription',
  'UpdateRotationPolicy',
  'UpdateSecret',
  'UpdateSecretVersionStage',
] as const;

/** AWS KMS actions (IAM). */
const IAM_ACTIONS = [
  'CancelKeyDeletion',
  'ConnectCustomKeyStore',
  'CreateAlias',
  'CreateCustomKeyStore',
  'CreateGrant',
  'CreateKey',
  'Decrypt',
  'DeleteAlias',
  'DeleteCustomKeyStore',
  'DeleteImportedKeyMaterial',
  'DeriveSharedSecret',
  'DescribeCustomKeyStores',
  'DescribeKey',
  'DisableKey',
  'DisableKeyRotation',
  'DisconnectCustomKeyStore',
  'EnableKey',
  'EnableKeyRotation',
  'Encrypt',
  'GenerateDataKey',
  'GenerateDataKeyPair',
  'GenerateDataKeyPairWithoutPlaintext',
  'GenerateDataKeyWithoutPlaintext',
  'GenerateMac',
  'GenerateRandom',
  'GetKeyPolicy',
  'GetKeyRotationStatus',
  'GetParametersForImport',
  'GetPublicKey',
  'ImportKeyMaterial',
  'ListAliases',
  'ListGrants',
  'ListKeyPolicies',
  'ListKeyRotations',
  'ListKeys',
  'ListResourceTags',
  'ListRetirableGrants',
  'PutKeyPolicy',
  'ReEncryptFrom',
  'ReEncryptTo',
  'ReplicateKey',
  'RetireGrant',
  'RevokeGrant',
  'RotateKeyOnDemand',
  'ScheduleKeyDeletion',
  'Sign',
  'SynchronizeMultiRegionKey',
  'TagResource',
  'UntagResource',
  'UpdateAlias',
  'UpdateCustomKeyStore',
  'UpdateKeyDescription',
  'UpdatePrimaryRegion',
  'Verify',
  'VerifyMac',
] as const;

/** The two policy grammars: Alibaba Cloud RAM (OpenAPI and instance credentials) and AWS IAM. */
export type PolicyGrammar = 'ram' | 'iam';

/** Every action name of a grammar, with its `kms:` prefix. */
export const KNOWN_ACTIONS: Readonly<Record<PolicyGrammar, readonly string[]>> = {
  ram: RAM_ACTIONS.map((a) => `kms:${a}`),
  iam: IAM_ACTIONS.map((a) => `kms:${a}`),
};

/**
 * A glob (`*` any run, `?` one character) as an anchored regular expression. Actions compare
 * without regard to case, as both clouds do; resources exactly.
 */
export function globPattern(glob: string, ignoreCase: boolean): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, ignoreCase ? 'is' : 's');
}

/**
 * Why an `Action` entry is not valid in `grammar`, or undefined when it is: `*`, or `kms:` and a
 * known action or a wildcard that matches at least one.
 */
export function actionProblem(action: string, grammar: PolicyGrammar): string | undefined {
  if (action === '*') return undefined;
  if (!/^kms:/i.test(action)) return `${safeJson(action)} is not a KMS action (they start with "kms:")`;
  const pattern = globPattern(action, true);
  if (KNOWN_ACTIONS[grammar].some((known) => pattern.test(known))) return undefined;
  return `${safeJson(action)} is not a KMS action of ${grammar === 'ram' ? 'Alibaba Cloud RAM' : 'AWS IAM'}`;
}

/**
 * Which policy actions AWS requires for a step of a request, where it is not `kms:<Action>`:
 * `ReEncrypt` unwraps under `kms:ReEncryptFrom` and wraps under `kms:ReEncryptTo`.
 */
const STEP_ACTIONS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  ReEncrypt: { advanceDecrypt: 'kms:ReEncryptFrom', describeKey: 'kms:ReEncryptFrom', advanceEncrypt: 'kms:ReEncryptTo' },
};

/** The policy action that backend call `method`, made while serving `action`, needs. */
export function policyAction(action: string, method: string): string {
  const steps = Object.hasOwn(STEP_ACTIONS, action) ? STEP_ACTIONS[action] : undefined;
  return steps !== undefined && Object.hasOwn(steps, method) ? steps[method]! : `kms:${action}`;
}
