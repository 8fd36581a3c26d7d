/**
 * The KMS interface of dek, named and shaped like Alibaba Cloud KMS's API (camelCase fields,
 * `Uint8Array` for binary values).
 *
 * Every adapter (LocalKms, Alibaba OpenAPI, Alibaba KMS instance, AWS) implements
 * {@link AdvanceKms}, which is all an envelope needs: a fresh data key wrapped under the key's
 * primary version, further wraps of the same data key, and unwrapping from the blob alone.
 *
 * @module
 */

/** The only wrapping algorithm of the advance calls. */
export type KmsAlgorithm = 'AES_GCM';

/** Request of `AdvanceGenerateDataKey`. */
export interface AdvanceGenerateDataKeyRequest {
  /** Key id, alias (`alias/...`) or ARN. */
  readonly keyId: string;
  /** Data key length, 1..1024. */
  readonly numberOfBytes: number;
  /** Additional authenticated data (at most 8192 bytes); the same bytes are needed to decrypt. */
  readonly aad?: Uint8Array;
}

/** Response of `AdvanceGenerateDataKey`. */
export interface AdvanceGenerateDataKeyResponse {
  /** The resolved key id (never an alias). */
  readonly keyId: string;
  /** The primary version that wrapped the data key. */
  readonly keyVersionId: string;
  /** The data key. Zero it when done. */
  readonly plaintext: Uint8Array;
  /** The wrapped data key, self-describing (advance layout for Alibaba-shaped KMSs). */
  readonly ciphertextBlob: Uint8Array;
  /** The GCM IV used (also inside the blob). */
  readonly iv: Uint8Array;
  readonly algorithm: KmsAlgorithm;
  readonly requestId: string;
}

/** Request of `AdvanceEncrypt`. */
export interface AdvanceEncryptRequest {
  readonly keyId: string;
  readonly plaintext: Uint8Array;
  readonly aad?: Uint8Array;
  /**
   * Leave it out: the KMS picks a random IV. LocalKms and `dek serve` refuse a caller's IV for
   * AES-GCM (400 `InvalidParameter` `Iv`), as it would turn encrypt permission into decrypt
   * permission; the field stays because Alibaba's instance API defines it.
   */
  readonly iv?: Uint8Array;
  readonly algorithm?: KmsAlgorithm;
}

/** Response of `AdvanceEncrypt`. */
export interface AdvanceEncryptResponse {
  readonly keyId: string;
  readonly keyVersionId: string;
  readonly ciphertextBlob: Uint8Array;
  readonly iv: Uint8Array;
  readonly algorithm: KmsAlgorithm;
  readonly requestId: string;
}

/** Request of `AdvanceDecrypt`: the blob and Aad suffice for advance blobs. */
export interface AdvanceDecryptRequest {
  readonly ciphertextBlob: Uint8Array;
  readonly aad?: Uint8Array;
  /** Only for blobs from the non-advance `Encrypt` / `GenerateDataKey`. */
  readonly keyId?: string;
  /** Only for blobs from the non-advance `Encrypt` / `GenerateDataKey`. */
  readonly iv?: Uint8Array;
  /** Only for blobs from the non-advance `Encrypt` / `GenerateDataKey`. */
  readonly algorithm?: KmsAlgorithm;
}

/** Response of `AdvanceDecrypt`. */
export interface AdvanceDecryptResponse {
  readonly keyId: string;
  readonly keyVersionId: string;
  readonly plaintext: Uint8Array;
  readonly algorithm: KmsAlgorithm;
  readonly requestId: string;
}

/** Request of the non-advance `GenerateDataKey` (initial key version). */
export interface GenerateDataKeyRequest {
  readonly keyId: string;
  /** Data key length, 1..1024; 32 when left out. */
  readonly numberOfBytes?: number;
  readonly aad?: Uint8Array;
}

/** Response of the non-advance `GenerateDataKey`: the caller keeps `iv` and `algorithm`. */
export interface GenerateDataKeyResponse {
  readonly keyId: string;
  readonly keyVersionId: string;
  readonly plaintext: Uint8Array;
  /** Ciphertext and tag only: no header, no key version id. */
  readonly ciphertextBlob: Uint8Array;
  readonly iv: Uint8Array;
  readonly algorithm: KmsAlgorithm;
  readonly requestId: string;
}

/** Request of the non-advance `Encrypt` (initial key version). */
export interface EncryptRequest {
  readonly keyId: string;
  readonly plaintext: Uint8Array;
  readonly aad?: Uint8Array;
}

/** Response of the non-advance `Encrypt`. */
export interface EncryptResponse {
  readonly keyId: string;
  readonly keyVersionId: string;
  readonly ciphertextBlob: Uint8Array;
  readonly iv: Uint8Array;
  readonly algorithm: KmsAlgorithm;
  readonly requestId: string;
}

/**
 * Request of the non-advance `Decrypt`: the key by `keyId` (its initial version), or the version
 * by `keyVersionId` (Alibaba's SDKs send it in the `x-kms-migrationkeyversionid` header, no `KeyId`).
 */
export interface DecryptRequest {
  readonly ciphertextBlob: Uint8Array;
  /** Required unless `keyVersionId` is given; then it must name the same key. */
  readonly keyId?: string;
  /** The key version whose material wrapped the blob. */
  readonly keyVersionId?: string;
  readonly iv: Uint8Array;
  readonly algorithm: KmsAlgorithm;
  readonly aad?: Uint8Array;
}

/** Response of the non-advance `Decrypt`. */
export interface DecryptResponse {
  readonly keyId: string;
  readonly keyVersionId: string;
  readonly plaintext: Uint8Array;
  readonly algorithm: KmsAlgorithm;
  readonly requestId: string;
}

/** Request of `resolveKey`. */
export interface ResolveKeyRequest {
  /** Key id, alias or ARN. */
  readonly keyId: string;
}

/** Response of `resolveKey`: the key a name stands for (as `DescribeKey` reports it). */
export interface ResolveKeyResponse {
  /** The key id (never an alias). */
  readonly keyId: string;
  /** The key's ARN, when the KMS has them. */
  readonly arn?: string;
  readonly requestId: string;
}

/**
 * What an envelope needs from a KMS. `provider` is the id recorded in each header slot
 * (`local`, `alibaba-kms`, `alibaba-openapi`, `aws-kms`, ...).
 */
export interface AdvanceKms {
  readonly provider: string;
  advanceGenerateDataKey(request: AdvanceGenerateDataKeyRequest): Promise<AdvanceGenerateDataKeyResponse>;
  advanceEncrypt(request: AdvanceEncryptRequest): Promise<AdvanceEncryptResponse>;
  advanceDecrypt(request: AdvanceDecryptRequest): Promise<AdvanceDecryptResponse>;
  /**
   * Optional: the key an id, alias or ARN names (`DescribeKey`), so that an allow-list of
   * aliases can be checked before anything is unwrapped. KMSs without key lookup leave it out.
   */
  resolveKey?(request: ResolveKeyRequest): Promise<ResolveKeyResponse>;
}

/** The crypto calls of a KMS, advance and non-advance. */
export interface KeyManagementService extends AdvanceKms {
  generateDataKey(request: GenerateDataKeyRequest): Promise<GenerateDataKeyResponse>;
  encrypt(request: EncryptRequest): Promise<EncryptResponse>;
  decrypt(request: DecryptRequest): Promise<DecryptResponse>;
}
