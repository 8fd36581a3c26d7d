/**
 * LocalKms: the embedded KMS of dek, its key stores and its home-directory helpers.
 *
 * @module
 */
export { LocalKms } from './local-kms.js';
export type { LocalKmsOptions } from './local-kms.js';
export { MemoryKeyStore } from './memory-key-store.js';
export { FileKeyStore } from './file-key-store.js';
export type { CreateFileKeyStoreOptions, FileKeyStoreOptions } from './file-key-store.js';
export type { KeyStore, KeystoreSnapshot } from './key-store.js';
export { PlainKeyMaterial } from './key-record.js';
export type { KeyMaterial, KeyRecord, KeystoreState, KeyVersionRecord, LocalKeyState } from './key-record.js';
export type { LockOptions } from './lock.js';
export { KeystoreError } from './keystore-error.js';
export type { KeystoreErrorCode } from './keystore-error.js';
export { loadMasterKey, createMasterKeyFile, MASTER_KEY_ENV } from './master-key.js';
export type { MasterKeySource } from './master-key.js';
export { MASTER_KEY_LENGTH } from './keystore-crypto.js';
export { KEYSTORE_FORMAT, KEYSTORE_VERSION } from './keystore-format.js';
export {
  openLocalKms,
  initLocalKms,
  localKmsPaths,
  KEYSTORE_FILE_NAME,
  MASTER_KEY_FILE_NAME,
  DEFAULT_KEY_ALIAS,
} from './home.js';
export type { InitLocalKmsResult, LocalKmsHomeOptions } from './home.js';
export { MIN_ROTATION_INTERVAL_SECONDS, MAX_ROTATION_INTERVAL_SECONDS } from './rotation-interval.js';
export { isAliasName, isKeyId, isKeyVersionId } from './ids.js';
export { isProcessAlive, processStartTime } from './process-alive.js';
