/**
 * The cryptography of the keystore file. Three subkeys come from the 32-byte master key by
 * HKDF-SHA-256 (empty salt; the master key is already uniformly random, so no password KDF):
 *
 * - `check`: HMAC-SHA-256 over `"dek-keystore/v1 check" 0x00 keystoreId`, stored in the file's
 *   header, so a wrong master key is told apart from a damaged file before anything else;
 * - `mac`: HMAC-SHA-256 over `"dek-keystore/v1 content" 0x00 keystoreId 0x00 JSON(content)`,
 *   authenticating everything in the file (states, aliases, versions, sealed material);
 * - `material`: AES-256-GCM key sealing each version's key material with a random 12-byte IV and
 *   AAD `"dek-keystore/v1 material" 0x00 keystoreId 0x00 keyVersionId`, so sealed material
 *   cannot be moved to another version or another keystore.
 *
 * @module
 */
import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { constantTimeEqual } from '@dek/core';
import { GCM_IV_LENGTH, gcmOpen, gcmSeal } from './aes-gcm.js';
import { keystoreFault } from './faults.js';

/** Length of the master key. */
export const MASTER_KEY_LENGTH = 32;

const encoder = new TextEncoder();

/** The subkeys of one master key. */
export interface KeystoreKeys {
  readonly check: Uint8Array;
  readonly mac: Uint8Array;
  readonly material: Uint8Array;
}

function subkey(masterKey: Uint8Array, label: string): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', masterKey, new Uint8Array(0), `dek-keystore/v1 ${label}`, 32));
}

/** Derives the subkeys of `masterKey` (32 bytes). */
export function deriveKeystoreKeys(masterKey: Uint8Array): KeystoreKeys {
  if (!(masterKey instanceof Uint8Array) || masterKey.length !== MASTER_KEY_LENGTH) {
    throw keystoreFault('Keystore.InvalidMasterKey', `The master key must be ${MASTER_KEY_LENGTH} bytes.`);
  }
  return { check: subkey(masterKey, 'check key'), mac: subkey(masterKey, 'mac key'), material: subkey(masterKey, 'material key') };
}

/** Zeroes the subkeys. */
export function disposeKeystoreKeys(keys: KeystoreKeys): void {
  keys.check.fill(0);
  keys.mac.fill(0);
  keys.material.fill(0);
}

function hmac(key: Uint8Array, ...parts: string[]): Uint8Array {
  return new Uint8Array(createHmac('sha256', key).update(parts.join('\u0000'), 'utf8').digest());
}

/** The master-key check value of a keystore. */
export function masterKeyCheck(keys: KeystoreKeys, keystoreId: string): Uint8Array {
  return hmac(keys.check, 'dek-keystore/v1 check', keystoreId);
}

/** The MAC over a keystore's serialized content. */
export function contentMac(keys: KeystoreKeys, keystoreId: string, contentJson: string): Uint8Array {
  return hmac(keys.mac, 'dek-keystore/v1 content', keystoreId, contentJson);
}

/** Constant-time check of a stored value against the expected one. */
export function sameValue(stored: Uint8Array, expected: Uint8Array): boolean {
  return constantTimeEqual(stored, expected);
}

function materialAad(keystoreId: string, keyVersionId: string): Uint8Array {
  return encoder.encode(['dek-keystore/v1 material', keystoreId, keyVersionId].join('\u0000'));
}

/** Material sealed for the file: IV and ciphertext || tag. */
export interface SealedMaterial {
  readonly iv: Uint8Array;
  readonly sealed: Uint8Array;
}

/** Seals one version's material. */
export function sealMaterial(keys: KeystoreKeys, keystoreId: string, keyVersionId: string, material: Uint8Array): SealedMaterial {
  const iv = new Uint8Array(randomBytes(GCM_IV_LENGTH));
  return { iv, sealed: gcmSeal(keys.material, iv, material, materialAad(keystoreId, keyVersionId)) };
}

/** Opens one version's material, or undefined when it does not authenticate. */
export function openMaterial(
  keys: KeystoreKeys,
  keystoreId: string,
  keyVersionId: string,
  sealed: SealedMaterial,
): Uint8Array | undefined {
  return gcmOpen(keys.material, sealed.iv, sealed.sealed, materialAad(keystoreId, keyVersionId));
}
