/**
 * A deterministic in-memory {@link AdvanceKms} for the harnesses: one key with one version and a
 * fixed key-encryption key, Alibaba-shaped advance blobs, and a synthetic IV derived from the
 * wrapped bytes. Deterministic so that a saved corpus input replays exactly (LocalKms draws its
 * key material at random). Fails like Alibaba's KMS: {@link KmsServiceError} with its codes.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { AuthenticationError, decodeAdvanceBlob, defaultAesGcm, encodeAdvanceBlob } from '@dek/core';
import { KmsServiceError } from '@dek/kms-adapter';
import type {
  AdvanceDecryptRequest,
  AdvanceDecryptResponse,
  AdvanceEncryptRequest,
  AdvanceEncryptResponse,
  AdvanceGenerateDataKeyRequest,
  AdvanceGenerateDataKeyResponse,
  AdvanceKms,
} from '@dek/kms-adapter';
import { concatBytes, pseudoRandomBytes } from './bytes.js';

/** The provider id of {@link FixedKms} (the one LocalKms uses). */
export const FIXED_KMS_PROVIDER = 'local';
/** The one key id of {@link FixedKms}. */
export const FIXED_KEY_ID = 'key-fuzz0fuzz1fuzz2fuzz3x';
/** Its one (primary) version id, 36 characters. */
export const FIXED_KEY_VERSION_ID = `${FIXED_KEY_ID}-fuzz4fuzz5`;

const KEK = pseudoRandomBytes(32, 0x6b656b);

function kmsError(httpStatus: number, code: string, message: string): KmsServiceError {
  return new KmsServiceError({ httpStatus, code, message, requestId: 'fuzz' });
}

/** Wraps `plaintext` under the fixed key: an advance blob (deterministic). */
export function fixedWrap(plaintext: Uint8Array, aad: Uint8Array = new Uint8Array(0)): Uint8Array {
  const iv = new Uint8Array(createHash('sha256').update(concatBytes([plaintext, aad])).digest().subarray(0, 12));
  const ciphertextAndTag = defaultAesGcm().seal(KEK, iv, plaintext, aad);
  return encodeAdvanceBlob({ keyVersionId: FIXED_KEY_VERSION_ID, iv, ciphertextAndTag });
}

/** Unwraps an advance blob of the fixed key; KmsServiceError like Alibaba's KMS otherwise. */
export function fixedUnwrap(blob: Uint8Array, aad: Uint8Array = new Uint8Array(0)): Uint8Array {
  const parsed = decodeAdvanceBlob(blob); // FormatError on a malformed blob
  if (parsed.keyVersionId !== FIXED_KEY_VERSION_ID) throw kmsError(404, 'Forbidden.KeyNotFound', 'The specified Key is not found.');
  try {
    return defaultAesGcm().open(KEK, parsed.iv, parsed.ciphertextAndTag, aad);
  } catch (error) {
    if (error instanceof AuthenticationError) throw kmsError(400, 'InvalidParameter', 'The specified parameter "CiphertextBlob" is not valid.');
    throw error;
  }
}

/** The deterministic KMS (see the module comment). */
export class FixedKms implements AdvanceKms {
  readonly provider = FIXED_KMS_PROVIDER;
  #generated = 0;

  #checkKey(keyId: string): void {
    if (keyId !== FIXED_KEY_ID) throw kmsError(404, 'Forbidden.KeyNotFound', 'The specified Key is not found.');
  }

  async advanceGenerateDataKey(request: AdvanceGenerateDataKeyRequest): Promise<AdvanceGenerateDataKeyResponse> {
    this.#checkKey(request.keyId);
    const plaintext = pseudoRandomBytes(request.numberOfBytes, 0x67656e + this.#generated++);
    const ciphertextBlob = fixedWrap(plaintext, request.aad);
    const iv = decodeAdvanceBlob(ciphertextBlob).iv;
    return { keyId: FIXED_KEY_ID, keyVersionId: FIXED_KEY_VERSION_ID, plaintext, ciphertextBlob, iv, algorithm: 'AES_GCM', requestId: 'fuzz' };
  }

  async advanceEncrypt(request: AdvanceEncryptRequest): Promise<AdvanceEncryptResponse> {
    this.#checkKey(request.keyId);
    const ciphertextBlob = fixedWrap(request.plaintext, request.aad);
    const iv = decodeAdvanceBlob(ciphertextBlob).iv;
    return { keyId: FIXED_KEY_ID, keyVersionId: FIXED_KEY_VERSION_ID, ciphertextBlob, iv, algorithm: 'AES_GCM', requestId: 'fuzz' };
  }

  async advanceDecrypt(request: AdvanceDecryptRequest): Promise<AdvanceDecryptResponse> {
    if (request.iv !== undefined) throw kmsError(400, 'InvalidParameter', 'The specified parameter "Iv" is not valid.');
    const plaintext = fixedUnwrap(request.ciphertextBlob, request.aad);
    return { keyId: FIXED_KEY_ID, keyVersionId: FIXED_KEY_VERSION_ID, plaintext, algorithm: 'AES_GCM', requestId: 'fuzz' };
  }
}
