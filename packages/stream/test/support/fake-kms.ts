/**
 * A small in-memory {@link AdvanceKms} for tests: real AES-256-GCM wrapping with the Aad bound,
 * Alibaba-shaped ids and blobs, key versions and rotation, call counters, and hooks to make any
 * call fail (to simulate outages, refused versions or lying KMSs).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { decodeAdvanceBlob, encodeAdvanceBlob } from '@dek/core';
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

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

function randomId(length: number): string {
  let out = '';
  for (const b of randomBytes(length)) out += ALNUM[b % ALNUM.length];
  return out;
}

/** Which call a hook applies to. */
export type FakeKmsOperation = 'generate' | 'encrypt' | 'decrypt';

/** A hook may return (or throw) an error to fail the call; `undefined` lets it through. */
export type FakeKmsHook = (operation: FakeKmsOperation, detail: { keyId?: string; keyVersionId?: string }) => Error | undefined;

interface FakeKey {
  readonly keyId: string;
  readonly versions: Map<string, Uint8Array>;
  primary: string;
}

/** Builds a KmsServiceError shaped like Alibaba's. */
export function kmsError(httpStatus: number, code: string, message: string): KmsServiceError {
  return new KmsServiceError({ httpStatus, code, message, requestId: randomId(8) });
}

export class FakeKms implements AdvanceKms {
  readonly provider: string;
  /** Number of calls per operation. */
  readonly calls: Record<FakeKmsOperation, number> = { generate: 0, encrypt: 0, decrypt: 0 };
  /** Set to make calls fail. */
  hook: FakeKmsHook | undefined;
  readonly #keys = new Map<string, FakeKey>();
  readonly #aliases = new Map<string, string>();
  readonly #versionOwner = new Map<string, FakeKey>();

  constructor(provider = 'local') {
    this.provider = provider;
  }

  /** Creates a key with one version; returns its id. */
  createKey(alias?: string): string {
    const keyId = `key-${randomId(21)}`;
    const key: FakeKey = { keyId, versions: new Map(), primary: '' };
    this.#keys.set(keyId, key);
    this.rotate(keyId);
    if (alias !== undefined) this.#aliases.set(alias, keyId);
    return keyId;
  }

  /** Adds a new version and makes it primary; returns its id. */
  rotate(keyId: string): string {
    const key = this.#key(keyId);
    const versionId = `${key.keyId}-${randomId(10)}`;
    key.versions.set(versionId, new Uint8Array(randomBytes(32)));
    key.primary = versionId;
    this.#versionOwner.set(versionId, key);
    return versionId;
  }

  /** The current primary version of a key. */
  primaryVersion(keyId: string): string {
    return this.#key(keyId).primary;
  }

  #key(keyIdOrAlias: string): FakeKey {
    const key = this.#keys.get(this.#aliases.get(keyIdOrAlias) ?? keyIdOrAlias);
    if (key === undefined) throw kmsError(404, 'Forbidden.KeyNotFound', 'The specified Key is not found.');
    return key;
  }

  #check(operation: FakeKmsOperation, detail: { keyId?: string; keyVersionId?: string }): void {
    this.calls[operation]++;
    const error = this.hook?.(operation, detail);
    if (error !== undefined) throw error;
  }

  #wrap(key: FakeKey, plaintext: Uint8Array, aad: Uint8Array | undefined): { blob: Uint8Array; iv: Uint8Array } {
    const iv = new Uint8Array(randomBytes(12));
    const cipher = createCipheriv('aes-256-gcm', key.versions.get(key.primary)!, iv);
    if (aad !== undefined) cipher.setAAD(aad);
    const ct = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    return { blob: encodeAdvanceBlob({ keyVersionId: key.primary, iv, ciphertextAndTag: new Uint8Array(ct) }), iv };
  }

  async advanceGenerateDataKey(request: AdvanceGenerateDataKeyRequest): Promise<AdvanceGenerateDataKeyResponse> {
    const key = this.#key(request.keyId);
    this.#check('generate', { keyId: key.keyId });
    const plaintext = new Uint8Array(randomBytes(request.numberOfBytes));
    const { blob, iv } = this.#wrap(key, plaintext, request.aad);
    return { keyId: key.keyId, keyVersionId: key.primary, plaintext, ciphertextBlob: blob, iv, algorithm: 'AES_GCM', requestId: randomId(8) };
  }

  async advanceEncrypt(request: AdvanceEncryptRequest): Promise<AdvanceEncryptResponse> {
    const key = this.#key(request.keyId);
    this.#check('encrypt', { keyId: key.keyId });
    const { blob, iv } = this.#wrap(key, request.plaintext, request.aad);
    return { keyId: key.keyId, keyVersionId: key.primary, ciphertextBlob: blob, iv, algorithm: 'AES_GCM', requestId: randomId(8) };
  }

  async advanceDecrypt(request: AdvanceDecryptRequest): Promise<AdvanceDecryptResponse> {
    let parsed;
    try {
      parsed = decodeAdvanceBlob(request.ciphertextBlob);
    } catch {
      throw kmsError(400, 'InvalidParameter', 'The specified parameter CiphertextBlob is not valid.');
    }
    const key = this.#versionOwner.get(parsed.keyVersionId);
    if (key === undefined) throw kmsError(404, 'Forbidden.KeyNotFound', 'The specified Key is not found.');
    this.#check('decrypt', { keyId: key.keyId, keyVersionId: parsed.keyVersionId });
    const ct = parsed.ciphertextAndTag;
    const decipher = createDecipheriv('aes-256-gcm', key.versions.get(parsed.keyVersionId)!, parsed.iv);
    decipher.setAuthTag(ct.subarray(ct.length - 16));
    if (request.aad !== undefined) decipher.setAAD(request.aad);
    try {
      const plaintext = new Uint8Array(Buffer.concat([decipher.update(ct.subarray(0, ct.length - 16)), decipher.final()]));
      return { keyId: key.keyId, keyVersionId: parsed.keyVersionId, plaintext, algorithm: 'AES_GCM', requestId: randomId(8) };
    } catch {
      throw kmsError(400, 'InvalidParameter', 'The specified parameter CiphertextBlob is not valid.');
    }
  }
}
