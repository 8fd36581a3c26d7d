/**
 * `LocalKms`: an embedded KMS with Alibaba Cloud KMS semantics (keys with versions, aliases,
 * rotation, enable/disable, scheduled deletion), storing its keys in memory or in a keystore file.
 *
 * - the advance calls wrap under the key's **primary** version and emit the advance blob
 *   (`$ 0x00 0x02 | KeyVersionId | IV | ciphertext | tag`), GCM AAD = the caller's `Aad`;
 * - the non-advance `GenerateDataKey` / `Encrypt` use the **initial** version and return
 *   ciphertext || tag with a separate `iv`, decryptable by `Decrypt` or `AdvanceDecrypt`
 *   given `keyId`, `iv`, `algorithm`;
 * - every version stays usable for decryption for the key's life;
 * - time-driven changes (rotation, deletion) happen lazily at the start of each call, by the
 *   injectable clock `now` (see lifecycle.ts);
 * - every response has a fresh `requestId`; every failure is a {@link KmsServiceError} with
 *   Alibaba's HTTP status and code and that call's request id.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { decodeAdvanceBlob, encodeAdvanceBlob } from '@dek/core';
import type { KmsBlob } from '@dek/core';
import type {
  AliasRequest,
  CreateKeyRequest,
  DeleteAliasRequest,
  DescribeKeyVersionRequest,
  KeyAdministration,
  KeyIdRequest,
  KeyMetadataResponse,
  KeySpec,
  KeyUsage,
  KeyVersionResponse,
  KmsAckResponse,
  ListAliasesResponse,
  ListKeysResponse,
  ListKeyVersionsResponse,
  PageRequest,
  ScheduleKeyDeletionRequest,
  UpdateRotationPolicyRequest,
} from '../admin.js';
import type {
  AdvanceDecryptRequest,
  AdvanceDecryptResponse,
  AdvanceEncryptRequest,
  AdvanceEncryptResponse,
  AdvanceGenerateDataKeyRequest,
  AdvanceGenerateDataKeyResponse,
  DecryptRequest,
  DecryptResponse,
  EncryptRequest,
  EncryptResponse,
  GenerateDataKeyRequest,
  GenerateDataKeyResponse,
  KeyManagementService,
  ResolveKeyRequest,
  ResolveKeyResponse,
} from '../kms.js';
import { GCM_IV_LENGTH, gcmOpen, gcmSeal } from './aes-gcm.js';
import {
  aliasAlreadyExists,
  aliasNotFound,
  invalidParameter,
  keyNotFound,
  missingParameter,
  onlySymmetricKeySupported,
  rejectedState,
  stateModifiedFailed,
  unsupportedOperation,
  withRequestId,
} from './faults.js';
import { isAliasName, keyIdOfVersion } from './ids.js';
import { initialVersion, primaryVersion } from './key-record.js';
import type { KeyRecord, KeystoreState, KeyVersionRecord } from './key-record.js';
import { ALIBABA_KEY_SPECS, DEFAULT_KEY_SPEC, localKeySpec } from './key-spec.js';
import type { LocalKeySpec } from './key-spec.js';
import type { KeyStore, KeystoreSnapshot } from './key-store.js';
import { addKey, applyDueWork, hasDueWork, rotateKey } from './lifecycle.js';
import { MemoryKeyStore } from './memory-key-store.js';
import { aliasArn, keyArn, keyMetadata, keyVersion } from './metadata.js';
import type { ArnScope } from './metadata.js';
import {
  algorithm,
  integerInRange,
  MAX_AAD_BYTES,
  MAX_CIPHERTEXT_BLOB_BYTES,
  MAX_DESCRIPTION_LENGTH,
  MAX_NUMBER_OF_BYTES,
  MAX_PLAINTEXT_BYTES,
  MIN_NUMBER_OF_BYTES,
  optionalBoolean,
  optionalBytes,
  optionalString,
  page,
  params,
  requiredBytes,
  requiredString,
} from './params.js';
import type { Params } from './params.js';
import { resolveKey } from './resolve.js';
import { parseRotationInterval } from './rotation-interval.js';

/** Options of {@link LocalKms}. */
export interface LocalKmsOptions {
  /** Where keys live (default: a new {@link MemoryKeyStore}). */
  readonly store?: KeyStore;
  /** The clock that drives rotation and deletion (default: the system clock). */
  readonly now?: () => Date;
  /** Region in ARNs (default `local`). */
  readonly region?: string;
  /** Account id in ARNs (default `0`). */
  readonly accountId?: string;
}

/** Days of `ScheduleKeyDeletion`'s window. */
const MIN_PENDING_WINDOW_DAYS = 7;
const MAX_PENDING_WINDOW_DAYS = 30;
const DAY_MS = 86_400_000;

function specOf(key: Readonly<KeyRecord>): LocalKeySpec {
  const spec = localKeySpec(key.keySpec);
  if (spec === undefined) throw new Error(`key ${key.keyId} has an unknown spec`);
  return spec;
}

function bytes(length: number): Uint8Array {
  return new Uint8Array(randomBytes(length));
}

/** The crypto calls refuse keys not Enabled: 409 `Rejected.Disabled` / `Rejected.PendingDeletion`. */
function requireEnabled(key: Readonly<KeyRecord>): void {
  if (key.keyState !== 'Enabled') throw rejectedState(key.keyState);
}

/** Symmetric keys only: 404 `Forbidden.OnlySymmetricKeySupported`, for every symmetric crypto call. */
function requireSymmetric(key: Readonly<KeyRecord>): void {
  if (!specOf(key).symmetric) throw onlySymmetricKeySupported(key.keyId);
}

/** The parts of an advance blob (`$ 00 02` header), or undefined when `blob` is not one. */
function advanceParts(blob: Uint8Array): KmsBlob | undefined {
  try {
    return decodeAdvanceBlob(blob);
  } catch {
    return undefined;
  }
}

/** The key and version a key version id names, or undefined. */
function findVersion(state: KeystoreSnapshot, keyVersionId: string): { key: Readonly<KeyRecord>; version: KeyVersionRecord } | undefined {
  const key = state.keys.get(keyIdOfVersion(keyVersionId) ?? '');
  const version = key?.versions.find((v) => v.keyVersionId === keyVersionId);
  return key === undefined || version === undefined ? undefined : { key, version };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Seals under a fresh random IV: never a caller's (see `advanceEncrypt`). */
function wrap(version: KeyVersionRecord, plaintext: Uint8Array, aad: Uint8Array | undefined) {
  const iv = bytes(GCM_IV_LENGTH);
  const kek = version.material.reveal();
  try {
    return { iv, ciphertextAndTag: gcmSeal(kek, iv, plaintext, aad) };
  } finally {
    kek.fill(0);
  }
}

/** Opens ciphertext || tag; any failure (wrong Aad, changed byte) is 400 InvalidParameter `CiphertextBlob`. */
function unwrap(version: KeyVersionRecord, iv: Uint8Array, ciphertextAndTag: Uint8Array, aad: Uint8Array | undefined): Uint8Array {
  const kek = version.material.reveal();
  try {
    const plaintext = gcmOpen(kek, iv, ciphertextAndTag, aad);
    if (plaintext === undefined) throw invalidParameter('CiphertextBlob');
    return plaintext;
  } finally {
    kek.fill(0);
  }
}

function ivParam(p: Params): Uint8Array | undefined {
  const iv = optionalBytes(p, 'iv', GCM_IV_LENGTH);
  if (iv !== undefined && iv.length !== GCM_IV_LENGTH) throw invalidParameter('Iv');
  return iv;
}

/** LocalKms: an embedded, Alibaba-compatible KMS. Provider id `local`. */
export class LocalKms implements KeyManagementService, KeyAdministration {
  /** Provider id recorded in envelope slots. */
  readonly provider = 'local';
  readonly #store: KeyStore;
  readonly #now: () => Date;
  readonly #scope: ArnScope;

  constructor(options: LocalKmsOptions = {}) {
    this.#store = options.store ?? new MemoryKeyStore();
    this.#now = options.now ?? (() => new Date());
    this.#scope = { region: options.region ?? 'local', accountId: options.accountId ?? '0' };
  }

  // ---- plumbing ----

  /** Runs one call: fresh request id, the clock read once, errors made public. */
  #call<T>(fn: (requestId: string, now: number) => Promise<T>): Promise<T> {
    return withRequestId(async (requestId) => {
      const now = this.#now().getTime();
      if (!Number.isFinite(now)) throw new Error('the clock returned an invalid Date');
      return fn(requestId, now);
    });
  }

  /** The state as of `now`, after applying whatever rotation or deletion fell due. */
  async #snapshot(now: number): Promise<KeystoreSnapshot> {
    const state = await this.#store.read();
    if (!hasDueWork(state, now)) return state;
    return this.#store.update((s) => {
      applyDueWork(s, now, specOf);
      return s;
    });
  }

  /** Applies due work, then `change`, in one committed update. */
  #mutate<T>(now: number, change: (state: KeystoreState) => T): Promise<T> {
    return this.#store.update((s) => {
      applyDueWork(s, now, specOf);
      return change(s);
    });
  }

  #resolve<K>(state: { keys: ReadonlyMap<string, K>; aliases: ReadonlyMap<string, string> }, keyId: string): K {
    return resolveKey(state, keyId, this.#scope);
  }

  /** The key for a crypto call: found, Enabled and symmetric. */
  async #usableKey(now: number, keyId: string): Promise<Readonly<KeyRecord>> {
    const key = this.#resolve(await this.#snapshot(now), keyId);
    requireEnabled(key);
    requireSymmetric(key);
    return key;
  }

  // ---- KeyManagementService: advance calls (primary version) ----

  /** A fresh data key wrapped under the primary version; the blob is self-describing. */
  advanceGenerateDataKey(request: AdvanceGenerateDataKeyRequest): Promise<AdvanceGenerateDataKeyResponse> {
    return this.#call(async (requestId, now) => {
      const p = params(request);
      const keyId = requiredString(p, 'keyId');
      const numberOfBytes = integerInRange(p, 'numberOfBytes', MIN_NUMBER_OF_BYTES, MAX_NUMBER_OF_BYTES);
      const aad = optionalBytes(p, 'aad', MAX_AAD_BYTES);
      const key = await this.#usableKey(now, keyId);
      const version = primaryVersion(key);
      const plaintext = bytes(numberOfBytes);
      const { iv, ciphertextAndTag } = wrap(version, plaintext, aad);
      const ciphertextBlob = encodeAdvanceBlob({ keyVersionId: version.keyVersionId, iv, ciphertextAndTag });
      return { keyId: key.keyId, keyVersionId: version.keyVersionId, plaintext, ciphertextBlob, iv, algorithm: 'AES_GCM', requestId };
    });
  }

  /**
   * Wraps caller bytes under the primary version, with a random IV. A caller's `iv` is refused
   * (400 `InvalidParameter` `Iv`): every blob shows its IV, so sealing known bytes under a
   * victim blob's IV would give its GCM key stream, and encrypt permission would decrypt.
   */
  advanceEncrypt(request: AdvanceEncryptRequest): Promise<AdvanceEncryptResponse> {
    return this.#call(async (requestId, now) => {
      const p = params(request);
      const keyId = requiredString(p, 'keyId');
      const plaintext = requiredBytes(p, 'plaintext', MAX_PLAINTEXT_BYTES);
      const aad = optionalBytes(p, 'aad', MAX_AAD_BYTES);
      if (p['iv'] !== undefined && p['iv'] !== null) throw invalidParameter('Iv');
      algorithm(p);
      const key = await this.#usableKey(now, keyId);
      const version = primaryVersion(key);
      const { iv, ciphertextAndTag } = wrap(version, plaintext, aad);
      const ciphertextBlob = encodeAdvanceBlob({ keyVersionId: version.keyVersionId, iv, ciphertextAndTag });
      return { keyId: key.keyId, keyVersionId: version.keyVersionId, ciphertextBlob, iv, algorithm: 'AES_GCM', requestId };
    });
  }

  /**
   * Unwraps an advance blob (found by the version id inside it), or a non-advance blob of
   * `keyId`'s initial version given `iv`. The blob's `$ 00 02` header decides which: Alibaba's
   * SDKs send an advance blob together with its own `iv` and no `keyId` (that `iv` must then be
   * the one inside the blob).
   */
  advanceDecrypt(request: AdvanceDecryptRequest): Promise<AdvanceDecryptResponse> {
    return this.#call(async (requestId, now) => {
      const p = params(request);
      const blob = requiredBytes(p, 'ciphertextBlob', MAX_CIPHERTEXT_BLOB_BYTES);
      const aad = optionalBytes(p, 'aad', MAX_AAD_BYTES);
      const iv = ivParam(p);
      algorithm(p);
      const named = optionalString(p, 'keyId');
      const state = await this.#snapshot(now);
      const parts = advanceParts(blob);
      // A non-advance blob that happens to start like an advance one still opens as what its caller named.
      const advance = parts !== undefined && (iv === undefined || named === undefined || findVersion(state, parts.keyVersionId) !== undefined);
      if (!advance) {
        if (iv === undefined) throw invalidParameter('CiphertextBlob');
        const key = this.#resolve(state, requiredString(p, 'keyId'));
        requireEnabled(key);
        requireSymmetric(key);
        const version = initialVersion(key);
        const plaintext = unwrap(version, iv, blob, aad);
        return { keyId: key.keyId, keyVersionId: version.keyVersionId, plaintext, algorithm: 'AES_GCM', requestId };
      }
      if (iv !== undefined && !sameBytes(iv, parts.iv)) throw invalidParameter('Iv');
      const found = findVersion(state, parts.keyVersionId);
      if (found === undefined) throw keyNotFound();
      const { key, version } = found;
      if (named !== undefined && this.#resolve(state, named).keyId !== key.keyId) throw invalidParameter('KeyId');
      requireEnabled(key);
      requireSymmetric(key);
      const plaintext = unwrap(version, parts.iv, parts.ciphertextAndTag, aad);
      return { keyId: key.keyId, keyVersionId: version.keyVersionId, plaintext, algorithm: 'AES_GCM', requestId };
    });
  }

  // ---- KeyManagementService: non-advance calls (initial version) ----

  /** A fresh data key (32 bytes by default) wrapped under the initial version; keep `iv`. */
  generateDataKey(request: GenerateDataKeyRequest): Promise<GenerateDataKeyResponse> {
    return this.#call(async (requestId, now) => {
      const p = params(request);
      const keyId = requiredString(p, 'keyId');
      const numberOfBytes = integerInRange(p, 'numberOfBytes', MIN_NUMBER_OF_BYTES, MAX_NUMBER_OF_BYTES, 32);
      const aad = optionalBytes(p, 'aad', MAX_AAD_BYTES);
      const key = await this.#usableKey(now, keyId);
      const version = initialVersion(key);
      const plaintext = bytes(numberOfBytes);
      const { iv, ciphertextAndTag } = wrap(version, plaintext, aad);
      return { keyId: key.keyId, keyVersionId: version.keyVersionId, plaintext, ciphertextBlob: ciphertextAndTag, iv, algorithm: 'AES_GCM', requestId };
    });
  }

  /** Wraps caller bytes under the initial version; keep `iv`. */
  encrypt(request: EncryptRequest): Promise<EncryptResponse> {
    return this.#call(async (requestId, now) => {
      const p = params(request);
      const keyId = requiredString(p, 'keyId');
      const plaintext = requiredBytes(p, 'plaintext', MAX_PLAINTEXT_BYTES);
      const aad = optionalBytes(p, 'aad', MAX_AAD_BYTES);
      const key = await this.#usableKey(now, keyId);
      const version = initialVersion(key);
      const { iv, ciphertextAndTag } = wrap(version, plaintext, aad);
      return { keyId: key.keyId, keyVersionId: version.keyVersionId, ciphertextBlob: ciphertextAndTag, iv, algorithm: 'AES_GCM', requestId };
    });
  }

  /**
   * Unwraps a non-advance blob (ciphertext || tag) of `keyId`'s initial version, or of the
   * version `keyVersionId` names (then `keyId` may be left out, as Alibaba's SDKs send it).
   */
  decrypt(request: DecryptRequest): Promise<DecryptResponse> {
    return this.#call(async (requestId, now) => {
      const p = params(request);
      const blob = requiredBytes(p, 'ciphertextBlob', MAX_CIPHERTEXT_BLOB_BYTES);
      const keyVersionId = optionalString(p, 'keyVersionId');
      const keyId = keyVersionId === undefined ? requiredString(p, 'keyId') : optionalString(p, 'keyId');
      const iv = requiredBytes(p, 'iv', GCM_IV_LENGTH);
      if (iv.length !== GCM_IV_LENGTH) throw invalidParameter('Iv');
      algorithm(p);
      const aad = optionalBytes(p, 'aad', MAX_AAD_BYTES);
      let key: Readonly<KeyRecord>;
      let version: KeyVersionRecord;
      if (keyVersionId === undefined) {
        key = await this.#usableKey(now, keyId!);
        version = initialVersion(key);
      } else {
        const state = await this.#snapshot(now);
        const found = findVersion(state, keyVersionId);
        if (found === undefined) throw keyNotFound();
        ({ key, version } = found);
        if (keyId !== undefined && this.#resolve(state, keyId).keyId !== key.keyId) throw invalidParameter('KeyId');
        requireEnabled(key);
        requireSymmetric(key);
      }
      const plaintext = unwrap(version, iv, blob, aad);
      return { keyId: key.keyId, keyVersionId: version.keyVersionId, plaintext, algorithm: 'AES_GCM', requestId };
    });
  }

  // ---- KeyAdministration: keys ----

  /** Creates an Enabled key (default spec `Aliyun_AES_256`) with one version. */
  createKey(request?: CreateKeyRequest): Promise<KeyMetadataResponse> {
    return this.#call(async (requestId, now) => {
      const p = params(request);
      const keySpec = (optionalString(p, 'keySpec') ?? DEFAULT_KEY_SPEC) as KeySpec;
      if (!ALIBABA_KEY_SPECS.includes(keySpec)) throw invalidParameter('KeySpec');
      const spec = localKeySpec(keySpec);
      if (spec === undefined) throw unsupportedOperation(`LocalKms does not implement the key spec ${keySpec}.`);
      const keyUsage = (optionalString(p, 'keyUsage') ?? spec.usages[0]) as KeyUsage;
      if (!spec.usages.includes(keyUsage)) throw invalidParameter('KeyUsage');
      const description = optionalString(p, 'description') ?? '';
      if (description.length > MAX_DESCRIPTION_LENGTH) throw invalidParameter('Description');
      const rotate = optionalBoolean(p, 'enableAutomaticRotation') ?? false;
      const givenInterval = optionalString(p, 'rotationInterval');
      const interval = givenInterval === undefined ? undefined : parseRotationInterval(givenInterval);
      if (rotate && interval === undefined) throw missingParameter('RotationInterval');
      if (rotate && !spec.symmetric) throw unsupportedOperation('Automatic rotation needs a symmetric key.');
      const key = await this.#mutate(now, (s) =>
        addKey(s, { keySpec, spec, keyUsage, description, rotationInterval: rotate ? interval : undefined }, now),
      );
      return { requestId, keyMetadata: keyMetadata(this.#scope, key) };
    });
  }

  /** The key an id, alias or ARN names (for allow-lists). */
  resolveKey(request: ResolveKeyRequest): Promise<ResolveKeyResponse> {
    return this.#call(async (requestId, now) => {
      const key = this.#resolve(await this.#snapshot(now), requiredString(params(request), 'keyId'));
      return { keyId: key.keyId, arn: keyArn(this.#scope, key.keyId), requestId };
    });
  }

  describeKey(request: KeyIdRequest): Promise<KeyMetadataResponse> {
    return this.#call(async (requestId, now) => {
      const keyId = requiredString(params(request), 'keyId');
      const key = this.#resolve(await this.#snapshot(now), keyId);
      return { requestId, keyMetadata: keyMetadata(this.#scope, key) };
    });
  }

  /** Keys in creation order. */
  listKeys(request?: PageRequest): Promise<ListKeysResponse> {
    return this.#call(async (requestId, now) => {
      const p = params(request);
      const all = [...(await this.#snapshot(now)).keys.values()];
      const { items, ...paging } = page(p, all);
      return { requestId, ...paging, keys: items.map((k) => ({ keyId: k.keyId, keyArn: keyArn(this.#scope, k.keyId) })) };
    });
  }

  // ---- KeyAdministration: aliases ----

  createAlias(request: AliasRequest): Promise<KmsAckResponse> {
    return this.#call(async (requestId, now) => {
      const p = params(request);
      const aliasName = this.#aliasName(p);
      const keyId = requiredString(p, 'keyId');
      await this.#mutate(now, (s) => {
        if (s.aliases.has(aliasName)) throw aliasAlreadyExists();
        s.aliases.set(aliasName, this.#aliasTarget(s, keyId).keyId);
      });
      return { requestId };
    });
  }

  updateAlias(request: AliasRequest): Promise<KmsAckResponse> {
    return this.#call(async (requestId, now) => {
      const p = params(request);
      const aliasName = this.#aliasName(p);
      const keyId = requiredString(p, 'keyId');
      await this.#mutate(now, (s) => {
        if (!s.aliases.has(aliasName)) throw aliasNotFound();
        s.aliases.set(aliasName, this.#aliasTarget(s, keyId).keyId);
      });
      return { requestId };
    });
  }

  deleteAlias(request: DeleteAliasRequest): Promise<KmsAckResponse> {
    return this.#call(async (requestId, now) => {
      const aliasName = this.#aliasName(params(request));
      await this.#mutate(now, (s) => {
        if (!s.aliases.delete(aliasName)) throw aliasNotFound();
      });
      return { requestId };
    });
  }

  /** Aliases sorted by name. */
  listAliases(request?: PageRequest): Promise<ListAliasesResponse> {
    return this.#call(async (requestId, now) => this.#aliasPage(requestId, params(request), await this.#snapshot(now), undefined));
  }

  /** The aliases of one key, sorted by name. */
  listAliasesByKeyId(request: KeyIdRequest & PageRequest): Promise<ListAliasesResponse> {
    return this.#call(async (requestId, now) => {
      const p = params(request);
      const keyId = requiredString(p, 'keyId');
      const state = await this.#snapshot(now);
      return this.#aliasPage(requestId, p, state, this.#resolve(state, keyId).keyId);
    });
  }

  #aliasName(p: Params): string {
    const aliasName = requiredString(p, 'aliasName');
    if (!isAliasName(aliasName)) throw invalidParameter('AliasName');
    return aliasName;
  }

  /** The key an alias may point at: not PendingDeletion (409 `Rejected.StateModifiedFailed`). */
  #aliasTarget(state: KeystoreState, keyId: string): KeyRecord {
    const key = this.#resolve(state, keyId);
    if (key.keyState === 'PendingDeletion') throw stateModifiedFailed(key.keyState);
    return key;
  }

  #aliasPage(requestId: string, p: Params, state: KeystoreSnapshot, keyId: string | undefined): ListAliasesResponse {
    const all = [...state.aliases]
      .filter(([, target]) => keyId === undefined || target === keyId)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([aliasName, target]) => ({ aliasName, aliasArn: aliasArn(this.#scope, aliasName), keyId: target }));
    const { items, ...paging } = page(p, all);
    return { requestId, ...paging, aliases: items };
  }

  // ---- KeyAdministration: versions and rotation ----

  /** Rotates now: a new version becomes primary (Enabled symmetric keys only). */
  createKeyVersion(request: KeyIdRequest): Promise<KeyVersionResponse> {
    return this.#call(async (requestId, now) => {
      const keyId = requiredString(params(request), 'keyId');
      const version = await this.#mutate(now, (s) => {
        const key = this.#resolve(s, keyId);
        if (!specOf(key).symmetric) throw unsupportedOperation(`Key versions need a symmetric key; ${key.keyId} is not one.`);
        requireEnabled(key);
        return { keyId: key.keyId, version: rotateKey(key, specOf(key), now) };
      });
      return { requestId, keyVersion: keyVersion(version.keyId, version.version) };
    });
  }

  /** Versions oldest first. */
  listKeyVersions(request: KeyIdRequest & PageRequest): Promise<ListKeyVersionsResponse> {
    return this.#call(async (requestId, now) => {
      const p = params(request);
      const key = this.#resolve(await this.#snapshot(now), requiredString(p, 'keyId'));
      const { items, ...paging } = page(p, key.versions);
      return { requestId, ...paging, keyVersions: items.map((v) => keyVersion(key.keyId, v)) };
    });
  }

  describeKeyVersion(request: DescribeKeyVersionRequest): Promise<KeyVersionResponse> {
    return this.#call(async (requestId, now) => {
      const p = params(request);
      const keyId = requiredString(p, 'keyId');
      const keyVersionId = requiredString(p, 'keyVersionId');
      const key = this.#resolve(await this.#snapshot(now), keyId);
      const version = key.versions.find((v) => v.keyVersionId === keyVersionId);
      if (version === undefined) throw keyNotFound();
      return { requestId, keyVersion: keyVersion(key.keyId, version) };
    });
  }

  /** Turns automatic rotation on (with an interval of 7..365 days) or off (Enabled symmetric keys only). */
  updateRotationPolicy(request: UpdateRotationPolicyRequest): Promise<KmsAckResponse> {
    return this.#call(async (requestId, now) => {
      const p = params(request);
      const keyId = requiredString(p, 'keyId');
      const enable = optionalBoolean(p, 'enableAutomaticRotation');
      if (enable === undefined) throw missingParameter('EnableAutomaticRotation');
      const interval = enable === true ? parseRotationInterval(requiredString(p, 'rotationInterval')) : undefined;
      await this.#mutate(now, (s) => {
        const key = this.#resolve(s, keyId);
        if (!specOf(key).symmetric) throw unsupportedOperation(`Automatic rotation needs a symmetric key; ${key.keyId} is not one.`);
        requireEnabled(key);
        key.automaticRotation = enable === true;
        if (interval !== undefined) key.rotationInterval = interval;
      });
      return { requestId };
    });
  }

  // ---- KeyAdministration: state ----

  enableKey(request: KeyIdRequest): Promise<KmsAckResponse> {
    return this.#setState(request, 'Enabled');
  }

  disableKey(request: KeyIdRequest): Promise<KmsAckResponse> {
    return this.#setState(request, 'Disabled');
  }

  #setState(request: KeyIdRequest, target: 'Enabled' | 'Disabled'): Promise<KmsAckResponse> {
    return this.#call(async (requestId, now) => {
      const keyId = requiredString(params(request), 'keyId');
      await this.#mutate(now, (s) => {
        const key = this.#resolve(s, keyId);
        if (key.keyState === 'PendingDeletion') throw stateModifiedFailed(key.keyState);
        key.keyState = target;
      });
      return { requestId };
    });
  }

  /** Schedules deletion in 7..30 days; crypto calls then fail with 409 `Rejected.PendingDeletion`. */
  scheduleKeyDeletion(request: ScheduleKeyDeletionRequest): Promise<KmsAckResponse> {
    return this.#call(async (requestId, now) => {
      const p = params(request);
      const keyId = requiredString(p, 'keyId');
      const days = integerInRange(p, 'pendingWindowInDays', MIN_PENDING_WINDOW_DAYS, MAX_PENDING_WINDOW_DAYS);
      await this.#mutate(now, (s) => {
        const key = this.#resolve(s, keyId);
        if (key.keyState === 'PendingDeletion') throw stateModifiedFailed(key.keyState);
        key.keyState = 'PendingDeletion';
        key.deleteDate = now + days * DAY_MS;
      });
      return { requestId };
    });
  }

  /** Cancels a scheduled deletion; the key is Enabled again. */
  cancelKeyDeletion(request: KeyIdRequest): Promise<KmsAckResponse> {
    return this.#call(async (requestId, now) => {
      const keyId = requiredString(params(request), 'keyId');
      await this.#mutate(now, (s) => {
        const key = this.#resolve(s, keyId);
        if (key.keyState !== 'PendingDeletion') throw stateModifiedFailed(key.keyState);
        key.keyState = 'Enabled';
        key.deleteDate = undefined;
      });
      return { requestId };
    });
  }
}
