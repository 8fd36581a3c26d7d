/**
 * The typed error of the keystore file: a {@link KmsServiceError} whose `code` starts with
 * `Keystore.`, so callers may catch either class.
 *
 * @module
 */
import { KmsServiceError } from '../errors.js';
import type { KmsServiceErrorFields } from '../errors.js';

/** Codes of {@link KeystoreError}. */
export type KeystoreErrorCode =
  /** The master key does not open this keystore (HTTP 403). */
  | 'Keystore.WrongMasterKey'
  /** No master key given: neither an explicit key, `DEK_MASTER_KEY`, nor the key file (400). */
  | 'Keystore.MasterKeyMissing'
  /** The master key is not base64 of exactly 32 bytes (400). */
  | 'Keystore.InvalidMasterKey'
  /** The master key file is readable by group/others or owned by another user (403). */
  | 'Keystore.InsecureMasterKeyFile'
  /** The keystore file does not exist (404). */
  | 'Keystore.NotFound'
  /** A keystore file already exists where a new one was to be created (409). */
  | 'Keystore.AlreadyExists'
  /** The file is not a keystore, fails its MAC, or breaks the schema (500). */
  | 'Keystore.Corrupt'
  /** The file's format version is newer than this code (500). */
  | 'Keystore.UnsupportedVersion'
  /** The lock file could not be taken in time (503). */
  | 'Keystore.LockTimeout'
  /** The lock was broken by another process before the write was committed; nothing was written (500). */
  | 'Keystore.LockLost'
  /** A file-system call failed; the message names the path and the errno code (500). */
  | 'Keystore.IOError';

/** A keystore file problem: wrong master key, corrupt file, lock timeout, I/O failure. */
export class KeystoreError extends KmsServiceError {
  declare readonly code: KeystoreErrorCode;

  constructor(fields: KmsServiceErrorFields & { readonly code: KeystoreErrorCode }, options?: { cause?: unknown }) {
    super(fields, options);
    this.name = 'KeystoreError';
  }
}
