/**
 * The calls of the KMS instance API (`dkms-gcs-0.2`): decoded protobuf request in, protobuf
 * response fields out. The advance calls use the key's primary version; `GenerateDataKey` and
 * `Encrypt` its initial one, whose id travels in the `x-kms-migrationkeyversionid` response
 * header (as Alibaba's transfer SDKs read it).
 *
 * @module
 */
import { zeroize } from '@dek/core';
import type { KmsAlgorithm } from '@dek/kms-adapter';
import { invalidParameter, missingParameter } from '../api-error.js';
import type { KmsBackend } from '../backend.js';
import type { Message } from './messages.js';

/** The header naming a call's key version, in requests (Decrypt) and responses. */
export const KEY_VERSION_HEADER = 'x-kms-migrationkeyversionid';

/** The answer of one call: response fields (`RequestId` is added by the caller) and the key version used. */
export interface InstanceAnswer {
  readonly fields: Message;
  readonly keyVersionId: string;
}

/** One call of the instance API; `header` reads a request header by lowercase name (`''` when absent). */
export type InstanceAction = (request: Message, kms: KmsBackend, header: (name: string) => string) => Promise<InstanceAnswer>;

const text = (m: Message, name: string): string => {
  const value = m[name];
  return typeof value === 'string' ? value : '';
};
const bytes = (m: Message, name: string): Uint8Array => {
  const value = m[name];
  return value instanceof Uint8Array ? value : new Uint8Array(0);
};
const count = (m: Message, name: string): number => {
  const value = m[name];
  return typeof value === 'number' ? value : 0;
};

/** A present, non-empty bytes field, or nothing. */
function optionalBytes<K extends string>(m: Message, name: string, key: K): { [P in K]?: Uint8Array } {
  const value = bytes(m, name);
  return (value.length === 0 ? {} : { [key]: value }) as { [P in K]?: Uint8Array };
}

function keyIdOf(m: Message): string {
  const keyId = text(m, 'KeyId');
  if (keyId === '') throw missingParameter('KeyId');
  return keyId;
}

function algorithmOf(m: Message): { algorithm?: KmsAlgorithm } {
  const algorithm = text(m, 'Algorithm');
  if (algorithm === '') return {};
  if (algorithm !== 'AES_GCM') throw invalidParameter('Algorithm', 'Only AES_GCM is supported.');
  return { algorithm };
}

function paddingOf(m: Message): void {
  const padding = text(m, 'PaddingMode');
  if (padding !== '' && padding !== 'NO_PADDING') throw invalidParameter('PaddingMode', 'AES_GCM takes no padding.');
}

/**
 * Refuses a caller's IV: sealing known bytes under a victim blob's IV (every blob shows its IV)
 * would give that blob's GCM key stream.
 */
function refuseIv(m: Message, call: string): void {
  if (bytes(m, 'Iv').length !== 0) throw invalidParameter('Iv', `${call} picks its own IV.`);
}

/** The calls served, by API name. */
export const INSTANCE_ACTIONS: ReadonlyMap<string, InstanceAction> = new Map<string, InstanceAction>([
  [
    'AdvanceGenerateDataKey',
    async (m, kms) => {
      const r = await kms.advanceGenerateDataKey({ keyId: keyIdOf(m), numberOfBytes: count(m, 'NumberOfBytes'), ...optionalBytes(m, 'Aad', 'aad') });
      return {
        fields: { KeyId: r.keyId, Iv: r.iv, Plaintext: r.plaintext, CiphertextBlob: r.ciphertextBlob, Algorithm: r.algorithm, KeyVersionId: r.keyVersionId },
        keyVersionId: r.keyVersionId,
      };
    },
  ],
  [
    'AdvanceEncrypt',
    async (m, kms) => {
      paddingOf(m);
      refuseIv(m, 'AdvanceEncrypt');
      const plaintext = bytes(m, 'Plaintext');
      if (plaintext.length === 0) throw invalidParameter('Plaintext', 'It is missing or empty.');
      try {
        const r = await kms.advanceEncrypt({
          keyId: keyIdOf(m),
          plaintext,
          ...optionalBytes(m, 'Aad', 'aad'),
          ...algorithmOf(m),
        });
        return {
          fields: { KeyId: r.keyId, CiphertextBlob: r.ciphertextBlob, Iv: r.iv, Algorithm: r.algorithm, PaddingMode: '', KeyVersionId: r.keyVersionId },
          keyVersionId: r.keyVersionId,
        };
      } finally {
        zeroize(plaintext);
      }
    },
  ],
  [
    'AdvanceDecrypt',
    async (m, kms) => {
      paddingOf(m);
      const keyId = text(m, 'KeyId');
      const r = await kms.advanceDecrypt({
        ciphertextBlob: bytes(m, 'CiphertextBlob'),
        ...optionalBytes(m, 'Aad', 'aad'),
        ...(keyId === '' ? {} : { keyId }),
        ...optionalBytes(m, 'Iv', 'iv'),
        ...algorithmOf(m),
      });
      return {
        fields: { KeyId: r.keyId, Plaintext: r.plaintext, Algorithm: r.algorithm, PaddingMode: '', KeyVersionId: r.keyVersionId },
        keyVersionId: r.keyVersionId,
      };
    },
  ],
  [
    'GenerateDataKey',
    async (m, kms) => {
      algorithmOf(m);
      const numberOfBytes = count(m, 'NumberOfBytes');
      const r = await kms.generateDataKey({
        keyId: keyIdOf(m),
        ...(numberOfBytes === 0 ? {} : { numberOfBytes }),
        ...optionalBytes(m, 'Aad', 'aad'),
      });
      return {
        fields: { KeyId: r.keyId, Iv: r.iv, Plaintext: r.plaintext, CiphertextBlob: r.ciphertextBlob, Algorithm: r.algorithm },
        keyVersionId: r.keyVersionId,
      };
    },
  ],
  [
    'Encrypt',
    async (m, kms) => {
      paddingOf(m);
      algorithmOf(m);
      refuseIv(m, 'Encrypt');
      const plaintext = bytes(m, 'Plaintext');
      if (plaintext.length === 0) throw invalidParameter('Plaintext', 'It is missing or empty.');
      try {
        const r = await kms.encrypt({ keyId: keyIdOf(m), plaintext, ...optionalBytes(m, 'Aad', 'aad') });
        return {
          fields: { KeyId: r.keyId, CiphertextBlob: r.ciphertextBlob, Iv: r.iv, Algorithm: r.algorithm, PaddingMode: '' },
          keyVersionId: r.keyVersionId,
        };
      } finally {
        zeroize(plaintext);
      }
    },
  ],
  [
    'Decrypt',
    async (m, kms, header) => {
      paddingOf(m);
      const algorithm = algorithmOf(m).algorithm ?? 'AES_GCM';
      // Alibaba's SDKs name the version in a signed request header and send no KeyId.
      const keyVersionId = header(KEY_VERSION_HEADER);
      const keyId = keyVersionId === '' ? keyIdOf(m) : text(m, 'KeyId');
      const r = await kms.decrypt({
        ciphertextBlob: bytes(m, 'CiphertextBlob'),
        ...(keyId === '' ? {} : { keyId }),
        ...(keyVersionId === '' ? {} : { keyVersionId }),
        iv: bytes(m, 'Iv'),
        algorithm,
        ...optionalBytes(m, 'Aad', 'aad'),
      });
      return { fields: { KeyId: r.keyId, Plaintext: r.plaintext, Algorithm: r.algorithm, PaddingMode: '' }, keyVersionId: r.keyVersionId };
    },
  ],
]);
