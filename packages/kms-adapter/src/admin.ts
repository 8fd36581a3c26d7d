/**
 * Key administration, shaped like Alibaba Cloud KMS's OpenAPI key-management actions
 * (`CreateKey`, `DescribeKey`, aliases, key versions, rotation policy, enable/disable, deletion)
 * with camelCase fields. Every response carries the call's `requestId`; every failure is a
 * {@link KmsServiceError}.
 *
 * @module
 */
import type { KmsServiceError } from './errors.js';

/** Key specs of Alibaba Cloud KMS. Which ones an implementation supports is its own choice. */
export type KeySpec =
  | 'Aliyun_AES_256'
  | 'Aliyun_AES_128'
  | 'Aliyun_AES_192'
  | 'Aliyun_SM4'
  | 'RSA_2048'
  | 'RSA_3072'
  | 'EC_P256'
  | 'EC_P256K'
  | 'EC_SM2';

/** What a key is for. */
export type KeyUsage = 'ENCRYPT/DECRYPT' | 'SIGN/VERIFY';

/** Lifecycle state of a key. */
export type KeyState = 'Enabled' | 'Disabled' | 'PendingDeletion' | 'PendingImport';

/** State of automatic rotation: `Suspended` while the policy is on but the key is not Enabled. */
export type AutomaticRotation = 'Enabled' | 'Disabled' | 'Suspended';

/** Metadata of a key, as `CreateKey` / `DescribeKey` report it. Dates are ISO-8601 UTC without milliseconds. */
export interface KeyMetadata {
  readonly keyId: string;
  /** `acs:kms:<region>:<account>:key/<keyId>`. */
  readonly arn: string;
  readonly creationDate: string;
  readonly description: string;
  readonly keySpec: KeySpec;
  readonly keyState: KeyState;
  readonly keyUsage: KeyUsage;
  /** `Aliyun_KMS` for keys whose material the KMS generated. */
  readonly origin: 'Aliyun_KMS' | 'EXTERNAL';
  readonly protectionLevel: 'SOFTWARE' | 'HSM';
  /** Id of the version that the advance calls use. */
  readonly primaryKeyVersion: string;
  /** Time of the latest rotation; the creation date while the key has never rotated. */
  readonly lastRotationDate: string;
  readonly automaticRotation: AutomaticRotation;
  /** Rotation period in seconds, e.g. `"604800s"`; present while the rotation policy is on. */
  readonly rotationInterval?: string;
  /** When automatic rotation is next due; present while the rotation policy is on. */
  readonly nextRotationDate?: string;
  /** When the key will be deleted; present only in state `PendingDeletion`. */
  readonly deleteDate?: string;
}

/** One version of a key. */
export interface KeyVersion {
  readonly keyId: string;
  /** `<keyId>-` followed by 10 lowercase alphanumerics (36 characters) for KMS 3.0 keys. */
  readonly keyVersionId: string;
  readonly creationDate: string;
}

/** A response that carries only the request id. */
export interface KmsAckResponse {
  readonly requestId: string;
}

/** Paging of the list calls: `pageNumber` from 1 (default 1), `pageSize` 1..100 (default 10). */
export interface PageRequest {
  readonly pageNumber?: number;
  readonly pageSize?: number;
}

/** Paging facts of a list response. */
export interface PageResponse {
  readonly requestId: string;
  readonly totalCount: number;
  readonly pageNumber: number;
  readonly pageSize: number;
}

/** Request of `CreateKey`. */
export interface CreateKeyRequest {
  /** Default `Aliyun_AES_256`. */
  readonly keySpec?: KeySpec;
  /** Default `ENCRYPT/DECRYPT` for symmetric specs, `SIGN/VERIFY` for EC specs. */
  readonly keyUsage?: KeyUsage;
  /** At most 8192 characters. */
  readonly description?: string;
  readonly enableAutomaticRotation?: boolean;
  /** `<n>d|h|m|s`, 7 to 365 days; required when `enableAutomaticRotation` is true. */
  readonly rotationInterval?: string;
}

/** Response of `CreateKey` and `DescribeKey`. */
export interface KeyMetadataResponse {
  readonly requestId: string;
  readonly keyMetadata: KeyMetadata;
}

/** A request naming one key by id, alias (`alias/...`) or ARN. */
export interface KeyIdRequest {
  readonly keyId: string;
}

/** Response of `ListKeys`. */
export interface ListKeysResponse extends PageResponse {
  readonly keys: ReadonlyArray<{ readonly keyId: string; readonly keyArn: string }>;
}

/** Request of `CreateAlias` and `UpdateAlias`. */
export interface AliasRequest {
  /** `alias/` followed by 1..255 characters of `[a-zA-Z0-9:/_-]`. */
  readonly aliasName: string;
  readonly keyId: string;
}

/** Request of `DeleteAlias`. */
export interface DeleteAliasRequest {
  readonly aliasName: string;
}

/** One alias. */
export interface AliasEntry {
  readonly aliasName: string;
  /** `acs:kms:<region>:<account>:<aliasName>`. */
  readonly aliasArn: string;
  readonly keyId: string;
}

/** Response of `ListAliases` and `ListAliasesByKeyId`. */
export interface ListAliasesResponse extends PageResponse {
  readonly aliases: readonly AliasEntry[];
}

/** Response of `CreateKeyVersion` and `DescribeKeyVersion`. */
export interface KeyVersionResponse {
  readonly requestId: string;
  readonly keyVersion: KeyVersion;
}

/** Request of `DescribeKeyVersion`. */
export interface DescribeKeyVersionRequest {
  readonly keyId: string;
  readonly keyVersionId: string;
}

/** Response of `ListKeyVersions` (oldest first). */
export interface ListKeyVersionsResponse extends PageResponse {
  readonly keyVersions: readonly KeyVersion[];
}

/** Request of `UpdateRotationPolicy`. */
export interface UpdateRotationPolicyRequest {
  readonly keyId: string;
  readonly enableAutomaticRotation: boolean;
  /** `<n>d|h|m|s`, 7 to 365 days; required when enabling. */
  readonly rotationInterval?: string;
}

/** Request of `ScheduleKeyDeletion`. */
export interface ScheduleKeyDeletionRequest {
  readonly keyId: string;
  /** Days until the key is deleted, 7..30. */
  readonly pendingWindowInDays: number;
}

/**
 * The key-management actions of a KMS, named after Alibaba Cloud KMS's OpenAPI. Every method
 * rejects with a {@link KmsServiceError} (`httpStatus`, Alibaba `code`, `message`, `requestId`).
 */
export interface KeyAdministration {
  /** Creates a key with its initial version, which is also its primary version. */
  createKey(request?: CreateKeyRequest): Promise<KeyMetadataResponse>;
  describeKey(request: KeyIdRequest): Promise<KeyMetadataResponse>;
  listKeys(request?: PageRequest): Promise<ListKeysResponse>;

  createAlias(request: AliasRequest): Promise<KmsAckResponse>;
  /** Points an existing alias at another key. */
  updateAlias(request: AliasRequest): Promise<KmsAckResponse>;
  deleteAlias(request: DeleteAliasRequest): Promise<KmsAckResponse>;
  listAliases(request?: PageRequest): Promise<ListAliasesResponse>;
  listAliasesByKeyId(request: KeyIdRequest & PageRequest): Promise<ListAliasesResponse>;

  /** Rotates by hand: a new version becomes primary; older versions still decrypt. */
  createKeyVersion(request: KeyIdRequest): Promise<KeyVersionResponse>;
  listKeyVersions(request: KeyIdRequest & PageRequest): Promise<ListKeyVersionsResponse>;
  describeKeyVersion(request: DescribeKeyVersionRequest): Promise<KeyVersionResponse>;
  updateRotationPolicy(request: UpdateRotationPolicyRequest): Promise<KmsAckResponse>;

  enableKey(request: KeyIdRequest): Promise<KmsAckResponse>;
  disableKey(request: KeyIdRequest): Promise<KmsAckResponse>;
  scheduleKeyDeletion(request: ScheduleKeyDeletionRequest): Promise<KmsAckResponse>;
  cancelKeyDeletion(request: KeyIdRequest): Promise<KmsAckResponse>;
}
