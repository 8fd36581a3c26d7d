/**
 * The keystore file, format version 1 or 2: UTF-8 JSON, binary values in canonical base64.
 * Version 2 is version 1 with more key specs (RSA_2048, RSA_3072, EC_P256K); a keystore is
 * written as version 1 while every key has a spec version 1 knew, so that an older dek still
 * opens it, and as version 2 otherwise, so that an older dek says it is too new rather than
 * corrupt.
 *
 * ```json
 * {
 *   "format": "dek-keystore",
 *   "version": 1,
 *   "keystoreId": "<24 lowercase alphanumerics>",
 *   "masterKeyCheck": "<base64 HMAC-SHA-256>",
 *   "content": {
 *     "revision": 3,
 *     "keys": [{
 *       "keyId": "key-…", "keySpec": "Aliyun_AES_256", "keyUsage": "ENCRYPT/DECRYPT",
 *       "description": "", "creationDate": 1767225600000, "keyState": "Enabled",
 *       "primaryKeyVersion": "key-…-…", "lastRotationDate": 1767225600000,
 *       "automaticRotation": false, "rotationInterval": null, "deleteDate": null,
 *       "versions": [{ "keyVersionId": "key-…-…", "creationDate": 1767225600000,
 *                      "iv": "<base64, 12 bytes>", "material": "<base64 AES-GCM ciphertext||tag>" }]
 *     }],
 *     "aliases": [{ "aliasName": "alias/default", "keyId": "key-…" }]
 *   },
 *   "mac": "<base64 HMAC-SHA-256 over JSON.stringify(content)>"
 * }
 * ```
 *
 * Times are epoch milliseconds; `rotationInterval` is in seconds. See keystore-crypto.ts for the
 * check value, MAC and material sealing. Reading checks, in order: JSON, `format`, `version`,
 * `keystoreId`, master-key check (`Keystore.WrongMasterKey`), MAC, then the full schema
 * (`Keystore.Corrupt` naming the field).
 *
 * @module
 */
import type { KeySpec, KeyUsage } from '../admin.js';
import { keystoreFault } from './faults.js';
import { isAliasName, isKeyId, isKeyVersionId, keyIdOfVersion, randomAlphanumerics } from './ids.js';
import { contentMac, masterKeyCheck, openMaterial, sameValue, sealMaterial } from './keystore-crypto.js';
import type { KeystoreKeys, SealedMaterial } from './keystore-crypto.js';
import type { KeyMaterial, KeyRecord, KeystoreState, KeyVersionRecord, LocalKeyState } from './key-record.js';
import { localKeySpec } from './key-spec.js';

/** The `format` field of every keystore file. */
export const KEYSTORE_FORMAT = 'dek-keystore';
/** The newest format version this code writes and reads (it reads 1 too). */
export const KEYSTORE_VERSION = 2;
/** The key specs format version 1 holds. */
const V1_KEY_SPECS: ReadonlySet<KeySpec> = new Set<KeySpec>(['Aliyun_AES_256', 'Aliyun_AES_128', 'EC_P256']);

/** The oldest format version that can hold `state`. */
function formatVersion(state: KeystoreState): number {
  for (const key of state.keys.values()) if (!V1_KEY_SPECS.has(key.keySpec)) return KEYSTORE_VERSION;
  return 1;
}
/** Largest keystore file read (bounds allocation). */
export const MAX_KEYSTORE_BYTES = 64 * 1024 * 1024;

const KEYSTORE_ID = /^[0-9a-z]{24}$/;
const KEY_STATES: readonly LocalKeyState[] = ['Enabled', 'Disabled', 'PendingDeletion'];
const KEY_USAGES: readonly KeyUsage[] = ['ENCRYPT/DECRYPT', 'SIGN/VERIFY'];

/** A fresh keystore id. */
export function newKeystoreId(): string {
  return randomAlphanumerics(24);
}

/** Material sealed in a keystore file; opened on demand. */
export class SealedKeyMaterial implements KeyMaterial {
  constructor(
    readonly keys: KeystoreKeys,
    readonly keystoreId: string,
    readonly keyVersionId: string,
    readonly sealed: SealedMaterial,
  ) {}

  reveal(): Uint8Array {
    const bytes = openMaterial(this.keys, this.keystoreId, this.keyVersionId, this.sealed);
    if (bytes === undefined) throw keystoreFault('Keystore.Corrupt', `Key material of ${this.keyVersionId} does not authenticate.`);
    return bytes;
  }
}

function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64');
}

function corrupt(where: string): never {
  throw keystoreFault('Keystore.Corrupt', `The keystore file is corrupt: bad ${where}.`);
}

function fromB64(value: unknown, where: string, length?: number): Uint8Array {
  if (typeof value !== 'string') corrupt(where);
  const bytes = new Uint8Array(Buffer.from(value, 'base64'));
  if (b64(bytes) !== value || (length !== undefined && bytes.length !== length)) corrupt(where);
  return bytes;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function time(value: unknown, where: string): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0) corrupt(where);
  return value as number;
}

function optionalTime(value: unknown, where: string): number | undefined {
  return value === null ? undefined : time(value, where);
}

function text(value: unknown, where: string, valid: (s: string) => boolean = () => true): string {
  if (typeof value !== 'string' || !valid(value)) corrupt(where);
  return value;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], where: string): T {
  if (!allowed.includes(value as T)) corrupt(where);
  return value as T;
}

/** Serializes `state`: sealing material not yet sealed for this keystore, reusing what is. */
function contentOf(state: KeystoreState, keys: KeystoreKeys, keystoreId: string): Record<string, unknown> {
  const sealedOf = (v: KeyVersionRecord): SealedMaterial => {
    const m = v.material;
    if (m instanceof SealedKeyMaterial && m.keys === keys && m.keystoreId === keystoreId && m.keyVersionId === v.keyVersionId) {
      return m.sealed;
    }
    const bytes = m.reveal();
    try {
      return sealMaterial(keys, keystoreId, v.keyVersionId, bytes);
    } finally {
      bytes.fill(0);
    }
  };
  return {
    revision: state.revision,
    keys: [...state.keys.values()].map((k) => ({
      keyId: k.keyId,
      keySpec: k.keySpec,
      keyUsage: k.keyUsage,
      description: k.description,
      creationDate: k.creationDate,
      keyState: k.keyState,
      primaryKeyVersion: k.primaryKeyVersion,
      lastRotationDate: k.lastRotationDate,
      automaticRotation: k.automaticRotation,
      rotationInterval: k.rotationInterval ?? null,
      deleteDate: k.deleteDate ?? null,
      versions: k.versions.map((v) => {
        const sealed = sealedOf(v);
        return { keyVersionId: v.keyVersionId, creationDate: v.creationDate, iv: b64(sealed.iv), material: b64(sealed.sealed) };
      }),
    })),
    aliases: [...state.aliases].map(([aliasName, keyId]) => ({ aliasName, keyId })),
  };
}

/** A keystore file's parts after decoding. */
export interface DecodedKeystore {
  readonly keystoreId: string;
  readonly state: KeystoreState;
  /** `JSON.stringify(content)` as read: lets a writer see whether a change changed anything. */
  readonly contentJson: string;
}

/**
 * Encodes `state` as the text of a keystore file. When `previousContentJson` is given and the
 * state serializes to the same content, returns undefined (nothing to write); otherwise the
 * revision in the file is one above `state.revision`, and `state.revision` is updated to it.
 */
export function encodeKeystore(
  state: KeystoreState,
  keys: KeystoreKeys,
  keystoreId: string,
  previousContentJson?: string,
): string | undefined {
  const content = contentOf(state, keys, keystoreId);
  if (previousContentJson !== undefined && JSON.stringify(content) === previousContentJson) return undefined;
  state.revision += 1;
  content.revision = state.revision;
  const contentJson = JSON.stringify(content);
  const file = {
    format: KEYSTORE_FORMAT,
    version: formatVersion(state),
    keystoreId,
    masterKeyCheck: b64(masterKeyCheck(keys, keystoreId)),
    content,
    mac: b64(contentMac(keys, keystoreId, contentJson)),
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

function decodeVersion(raw: unknown, keyId: string, at: string, keys: KeystoreKeys, keystoreId: string): KeyVersionRecord {
  if (!isRecord(raw)) corrupt(at);
  const keyVersionId = text(raw.keyVersionId, `${at}.keyVersionId`, (s) => isKeyVersionId(s) && keyIdOfVersion(s) === keyId);
  const sealed = { iv: fromB64(raw.iv, `${at}.iv`, 12), sealed: fromB64(raw.material, `${at}.material`) };
  if (sealed.sealed.length < 16) corrupt(`${at}.material`);
  return {
    keyVersionId,
    creationDate: time(raw.creationDate, `${at}.creationDate`),
    material: new SealedKeyMaterial(keys, keystoreId, keyVersionId, sealed),
  };
}

function decodeKey(raw: unknown, at: string, keys: KeystoreKeys, keystoreId: string): KeyRecord {
  if (!isRecord(raw)) corrupt(at);
  const keyId = text(raw.keyId, `${at}.keyId`, isKeyId);
  const keySpec = text(raw.keySpec, `${at}.keySpec`, (s) => localKeySpec(s as KeySpec) !== undefined) as KeySpec;
  if (!Array.isArray(raw.versions) || raw.versions.length === 0) corrupt(`${at}.versions`);
  const versions = raw.versions.map((v: unknown, i: number) => decodeVersion(v, keyId, `${at}.versions[${i}]`, keys, keystoreId));
  if (new Set(versions.map((v) => v.keyVersionId)).size !== versions.length) corrupt(`${at}.versions`);
  const primaryKeyVersion = text(raw.primaryKeyVersion, `${at}.primaryKeyVersion`, (s) => versions.some((v) => v.keyVersionId === s));
  const keyState = oneOf(raw.keyState, KEY_STATES, `${at}.keyState`);
  const deleteDate = optionalTime(raw.deleteDate, `${at}.deleteDate`);
  if ((keyState === 'PendingDeletion') !== (deleteDate !== undefined)) corrupt(`${at}.deleteDate`);
  const rotationInterval = raw.rotationInterval === null ? undefined : time(raw.rotationInterval, `${at}.rotationInterval`);
  if (typeof raw.automaticRotation !== 'boolean' || (raw.automaticRotation && rotationInterval === undefined)) {
    corrupt(`${at}.automaticRotation`);
  }
  return {
    keyId,
    keySpec,
    keyUsage: oneOf(raw.keyUsage, KEY_USAGES, `${at}.keyUsage`),
    description: text(raw.description, `${at}.description`),
    creationDate: time(raw.creationDate, `${at}.creationDate`),
    keyState,
    versions,
    primaryKeyVersion,
    lastRotationDate: time(raw.lastRotationDate, `${at}.lastRotationDate`),
    automaticRotation: raw.automaticRotation,
    rotationInterval,
    deleteDate,
  };
}

function decodeContent(content: Record<string, unknown>, keys: KeystoreKeys, keystoreId: string): KeystoreState {
  if (!Array.isArray(content.keys)) corrupt('content.keys');
  if (!Array.isArray(content.aliases)) corrupt('content.aliases');
  const state: KeystoreState = { revision: time(content.revision, 'content.revision'), keys: new Map(), aliases: new Map() };
  content.keys.forEach((raw: unknown, i: number) => {
    const key = decodeKey(raw, `content.keys[${i}]`, keys, keystoreId);
    if (state.keys.has(key.keyId)) corrupt(`content.keys[${i}].keyId`);
    state.keys.set(key.keyId, key);
  });
  content.aliases.forEach((raw: unknown, i: number) => {
    const at = `content.aliases[${i}]`;
    if (!isRecord(raw)) corrupt(at);
    const aliasName = text(raw.aliasName, `${at}.aliasName`, (s) => isAliasName(s) && !state.aliases.has(s));
    state.aliases.set(aliasName, text(raw.keyId, `${at}.keyId`, (s) => state.keys.has(s)));
  });
  return state;
}

/** Decodes and verifies the text of a keystore file under `keys` (derived from the master key). */
export function decodeKeystore(bytes: Uint8Array, keys: KeystoreKeys): DecodedKeystore {
  if (bytes.length > MAX_KEYSTORE_BYTES) corrupt(`size (${bytes.length} bytes, at most ${MAX_KEYSTORE_BYTES})`);
  let file: unknown;
  try {
    file = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    corrupt('JSON');
  }
  if (!isRecord(file) || file.format !== KEYSTORE_FORMAT) {
    throw keystoreFault('Keystore.Corrupt', `This is not a dek keystore file (no "format": "${KEYSTORE_FORMAT}").`);
  }
  if (file.version !== 1 && file.version !== KEYSTORE_VERSION) {
    if (Number.isSafeInteger(file.version) && (file.version as number) > KEYSTORE_VERSION) {
      throw keystoreFault('Keystore.UnsupportedVersion', `Keystore format version ${String(file.version)} is newer than this dek (${KEYSTORE_VERSION}).`);
    }
    corrupt('version');
  }
  const keystoreId = text(file.keystoreId, 'keystoreId', (s) => KEYSTORE_ID.test(s));
  if (!sameValue(fromB64(file.masterKeyCheck, 'masterKeyCheck', 32), masterKeyCheck(keys, keystoreId))) {
    throw keystoreFault('Keystore.WrongMasterKey', 'The master key does not open this keystore.');
  }
  if (!isRecord(file.content)) corrupt('content');
  const contentJson = JSON.stringify(file.content);
  if (!sameValue(fromB64(file.mac, 'mac', 32), contentMac(keys, keystoreId, contentJson))) {
    throw keystoreFault('Keystore.Corrupt', 'The keystore file is corrupt: its MAC does not verify (changed outside dek?).');
  }
  return { keystoreId, state: decodeContent(file.content, keys, keystoreId), contentJson };
}
