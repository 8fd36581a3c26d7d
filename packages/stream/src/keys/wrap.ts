/**
 * Wrapping a data key: one `AdvanceGenerateDataKey` for the first key, one `AdvanceEncrypt` of the
 * same data key per further key, each with the message's Aad. The results become header slots.
 *
 * @module
 */
import { KmsError, zeroize } from '@dek/core';
import type { KeySlot, Suite } from '@dek/core';
import type { AdvanceEncryptResponse, AdvanceKms } from '@dek/kms-adapter';
import { describeKmsFailure } from './kms.js';
import type { ResolvedWrapKey } from './kms.js';

/** A data key with the header slots that can unwrap it. */
export interface WrappedDataKey {
  /** The data key. Whoever holds it zeroes it when done. */
  readonly dataKey: Uint8Array;
  /** One slot per wrapping key, in the order the keys were given. */
  readonly slots: readonly KeySlot[];
}

function failure(operation: string, key: ResolvedWrapKey, error: unknown): KmsError {
  const { code, message } = describeKmsFailure(error);
  return new KmsError(
    `${operation} failed for ${key.kms.provider} key ${key.keyId}: ${code}: ${message}`,
    // No `cause`: the KMS's own error may hold text the KMS echoed back.
    { field: key.field, kms: key.kms.provider, keyId: key.keyId, code },
  );
}

function slotOf(kms: AdvanceKms, key: ResolvedWrapKey, response: Pick<AdvanceEncryptResponse, 'keyId' | 'keyVersionId' | 'ciphertextBlob'>): KeySlot {
  const { keyId, keyVersionId, ciphertextBlob } = response;
  if (typeof keyId !== 'string' || keyId.length === 0 || !(ciphertextBlob instanceof Uint8Array) || ciphertextBlob.length === 0) {
    throw new KmsError(`${kms.provider} returned an incomplete response for key ${key.keyId}`, {
      field: key.field,
      kms: kms.provider,
      keyId: key.keyId,
      code: 'InvalidResponse',
    });
  }
  const slot: KeySlot = { kms: kms.provider, keyId, blob: ciphertextBlob };
  return typeof keyVersionId === 'string' && keyVersionId.length > 0 ? { ...slot, keyVersionId } : slot;
}

/**
 * Wraps `dataKey` under each key with `advanceEncrypt` (the key's primary version), all calls in
 * parallel. Throws the first failure as a KmsError once every call has settled.
 */
export async function wrapDataKey(dataKey: Uint8Array, aad: Uint8Array, keys: readonly ResolvedWrapKey[]): Promise<KeySlot[]> {
  const results = await Promise.allSettled(
    keys.map(async (key) => {
      let response: AdvanceEncryptResponse;
      try {
        response = await key.kms.advanceEncrypt({ keyId: key.keyId, plaintext: dataKey, aad });
      } catch (error) {
        throw failure('advanceEncrypt', key, error);
      }
      return slotOf(key.kms, key, response);
    }),
  );
  return results.map((result) => {
    if (result.status === 'rejected') throw result.reason;
    return result.value;
  });
}

/**
 * Asks the first key's KMS for a fresh data key of the suite's length (`advanceGenerateDataKey`),
 * then wraps it under the other keys. KmsError on any failure; the data key is zeroed then.
 */
export async function generateWrappedDataKey(suite: Suite, aad: Uint8Array, keys: readonly ResolvedWrapKey[]): Promise<WrappedDataKey> {
  const [first, ...rest] = keys;
  if (first === undefined) throw new KmsError('no key to generate a data key with', { field: 'keyId' });
  let response;
  try {
    response = await first.kms.advanceGenerateDataKey({ keyId: first.keyId, numberOfBytes: suite.keyLength, aad });
  } catch (error) {
    throw failure('advanceGenerateDataKey', first, error);
  }
  const dataKey: unknown = response.plaintext;
  try {
    if (!(dataKey instanceof Uint8Array) || dataKey.length !== suite.keyLength) {
      throw new KmsError(`${first.kms.provider} returned a data key of the wrong length for ${suite.name}`, {
        field: first.field,
        kms: first.kms.provider,
        keyId: first.keyId,
        code: 'InvalidDataKeyLength',
      });
    }
    const slot = slotOf(first.kms, first, response);
    return { dataKey, slots: [slot, ...(await wrapDataKey(dataKey, aad, rest))] };
  } catch (error) {
    if (dataKey instanceof Uint8Array) zeroize(dataKey);
    throw error;
  }
}
