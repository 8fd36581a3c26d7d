/**
 * Where an encryptor gets its data key: {@link DataKeyProvider}. The default,
 * {@link kmsDataKeys}, asks the KMS for a fresh key per message; `CachingDataKeyProvider` reuses one
 * within limits.
 *
 * @module
 */
import { zeroize } from '@dek/core';
import type { EncryptionContext, KeySlot, Suite } from '@dek/core';
import type { ResolvedWrapKey } from './kms.js';
import { generateWrappedDataKey } from './wrap.js';

/** What one message needs a data key for. */
export interface DataKeyRequest {
  readonly suite: Suite;
  readonly context: EncryptionContext;
  /** CTX = encodeContext(suite, context): the chunk-key context and, hashed, the KMS Aad. */
  readonly encodedContext: Uint8Array;
  /** SHA-256(CTX), the Aad of every KMS call. */
  readonly aad: Uint8Array;
  /** The wrapping keys, first one generates (one slot each, in order). */
  readonly keys: readonly ResolvedWrapKey[];
}

/**
 * A data key lent to one message. The holder zeroes `dataKey` through {@link DataKeyLease.release}
 * when it has derived its keys, and reports plaintext bytes as it encrypts them.
 */
export interface DataKeyLease {
  /** This message's own copy of the data key. */
  readonly dataKey: Uint8Array;
  /** The header slots that unwrap it. */
  readonly slots: readonly KeySlot[];
  /** Counts `length` more plaintext bytes encrypted under this key. */
  countBytes(length: number): void;
  /** Zeroes this lease's copy of the key. Idempotent. */
  release(): void;
}

/** Source of data keys for messages. */
export interface DataKeyProvider {
  /** A data key and its slots for one message; KmsError when the KMS fails. */
  acquire(request: DataKeyRequest): Promise<DataKeyLease>;
}

/** A lease over a key the caller hands over (it is zeroed on release). */
export function leaseOf(dataKey: Uint8Array, slots: readonly KeySlot[], countBytes: (length: number) => void = () => {}): DataKeyLease {
  return {
    dataKey,
    slots,
    countBytes,
    release: () => zeroize(dataKey),
  };
}

/** The default provider: one `advanceGenerateDataKey` (plus one `advanceEncrypt` per extra key) per message. */
export const kmsDataKeys: DataKeyProvider = {
  async acquire(request) {
    const { dataKey, slots } = await generateWrappedDataKey(request.suite, request.aad, request.keys);
    return leaseOf(dataKey, slots);
  },
};
