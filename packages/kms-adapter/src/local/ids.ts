/**
 * Identifiers of LocalKms, in Alibaba Cloud KMS 3.0's formats: key `key-` + 21 lowercase
 * alphanumerics (25 characters), version `<keyId>-` + 10 lowercase alphanumerics (36 characters,
 * the width of the version id inside an advance blob), aliases `alias/` + 1..255 of
 * `[a-zA-Z0-9:/_-]`.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';

/** The 36 characters of generated ids. */
const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';
/** Bytes at or above this (7 * 36) are rejected, so every character is equally likely. */
const REJECT_FROM = 252;

/** Length of a key id. */
export const KEY_ID_LENGTH = 25;
/** Length of a key version id. */
export const KEY_VERSION_ID_LENGTH = 36;

const KEY_ID = /^key-[0-9a-z]{21}$/;
const KEY_VERSION_ID = /^key-[0-9a-z]{21}-[0-9a-z]{10}$/;
const ALIAS_NAME = /^alias\/[a-zA-Z0-9:/_-]{1,255}$/;

/**
 * `length` characters drawn uniformly from `[0-9a-z]` by rejection sampling over CSPRNG bytes.
 * `source` is injectable for tests only.
 */
export function randomAlphanumerics(length: number, source: (n: number) => Uint8Array = randomBytes): string {
  let out = '';
  while (out.length < length) {
    for (const b of source(length - out.length + 8)) {
      if (b >= REJECT_FROM) continue;
      out += ALPHABET[b % ALPHABET.length];
      if (out.length === length) break;
    }
  }
  return out;
}

/** A fresh key id: `key-` + 21 lowercase alphanumerics. */
export function newKeyId(): string {
  return `key-${randomAlphanumerics(21)}`;
}

/** A fresh version id of `keyId`: `<keyId>-` + 10 lowercase alphanumerics (36 characters). */
export function newKeyVersionId(keyId: string): string {
  return `${keyId}-${randomAlphanumerics(10)}`;
}

/** Whether `text` has the form of a key id. */
export function isKeyId(text: string): boolean {
  return KEY_ID.test(text);
}

/** Whether `text` has the form of a key version id. */
export function isKeyVersionId(text: string): boolean {
  return KEY_VERSION_ID.test(text);
}

/** The key id inside a version id, or undefined when `keyVersionId` is not one. */
export function keyIdOfVersion(keyVersionId: string): string | undefined {
  return isKeyVersionId(keyVersionId) ? keyVersionId.slice(0, KEY_ID_LENGTH) : undefined;
}

/** Whether `text` is a valid alias name (`alias/` + 1..255 of `[a-zA-Z0-9:/_-]`). */
export function isAliasName(text: string): boolean {
  return ALIAS_NAME.test(text);
}
