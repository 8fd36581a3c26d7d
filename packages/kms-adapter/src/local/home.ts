/**
 * A LocalKms home directory, as the `dek` CLI uses it: `<home>/keystore.json` (the keystore
 * file) and `<home>/master.key` (base64 master key, mode 0600; not needed while
 * `DEK_MASTER_KEY` is set).
 *
 * @module
 */
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { withRequestId, ioFault } from './faults.js';
import { FileKeyStore } from './file-key-store.js';
import type { FileKeyStoreOptions } from './file-key-store.js';
import { addKey } from './lifecycle.js';
import { LocalKms } from './local-kms.js';
import { DEFAULT_KEY_SPEC, localKeySpec } from './key-spec.js';
import { createMasterKeyFile, loadMasterKey, MASTER_KEY_ENV } from './master-key.js';
import { KeystoreError } from './keystore-error.js';

/** File name of the keystore inside a home. */
export const KEYSTORE_FILE_NAME = 'keystore.json';
/** File name of the master key inside a home. */
export const MASTER_KEY_FILE_NAME = 'master.key';
/** Alias of the key that {@link initLocalKms} creates. */
export const DEFAULT_KEY_ALIAS = 'alias/default';

/** Options shared by {@link openLocalKms} and {@link initLocalKms}. */
export interface LocalKmsHomeOptions extends FileKeyStoreOptions {
  /** The home directory. */
  readonly home: string;
  /** Environment to read `DEK_MASTER_KEY` from (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Clock of the LocalKms (and of the default key's creation date). */
  readonly now?: () => Date;
  /** Region in ARNs (default `local`). */
  readonly region?: string;
  /** Account id in ARNs (default `0`). */
  readonly accountId?: string;
}

/** Paths of a home's files. */
export function localKmsPaths(home: string): { readonly keystorePath: string; readonly masterKeyPath: string } {
  return { keystorePath: join(home, KEYSTORE_FILE_NAME), masterKeyPath: join(home, MASTER_KEY_FILE_NAME) };
}

/**
 * Opens the LocalKms of a home made by {@link initLocalKms}. The master key comes from
 * `DEK_MASTER_KEY` if set, else `<home>/master.key`. Fails with a {@link KeystoreError}
 * (`Keystore.NotFound`, `Keystore.MasterKeyMissing`, `Keystore.WrongMasterKey`, ...).
 */
export async function openLocalKms(options: LocalKmsHomeOptions): Promise<LocalKms> {
  const { keystorePath, masterKeyPath } = localKmsPaths(options.home);
  const masterKey = await loadMasterKey({ env: options.env, masterKeyFile: masterKeyPath });
  try {
    const store = await FileKeyStore.open(keystorePath, masterKey, options);
    return new LocalKms({ store, now: options.now, region: options.region, accountId: options.accountId });
  } finally {
    masterKey.fill(0);
  }
}

/** What {@link initLocalKms} found or made. */
export interface InitLocalKmsResult {
  readonly keystorePath: string;
  readonly masterKeyPath: string;
  /** Whether a new master key file was written (never while `DEK_MASTER_KEY` is set). */
  readonly createdMasterKey: boolean;
  /** Whether a new keystore (with the default key) was written. */
  readonly createdKeystore: boolean;
  /** The key `alias/default` names, if it exists. */
  readonly defaultKeyId: string | undefined;
}

/**
 * Makes a LocalKms home, idempotently: creates the directory (0700), a master key file (0600)
 * unless `DEK_MASTER_KEY` is set, and a keystore holding one `Aliyun_AES_256` key with alias
 * `alias/default`. Whatever already exists is left exactly as it is: an existing keystore is
 * only opened (which checks the master key), and no master key is ever made for an existing
 * keystore (that key could not open it: `Keystore.MasterKeyMissing` instead).
 */
export async function initLocalKms(home: string, options: Omit<LocalKmsHomeOptions, 'home'> = {}): Promise<InitLocalKmsResult> {
  const { keystorePath, masterKeyPath } = localKmsPaths(home);
  const env = options.env ?? process.env;
  await withRequestId(() =>
    mkdir(home, { recursive: true, mode: 0o700 }).catch((error: unknown) => {
      throw ioFault('create directory', home, error);
    }),
  );
  const keystoreExists = await withRequestId(() => exists(keystorePath));
  const usesEnv = (env[MASTER_KEY_ENV] ?? '').trim() !== '';
  const createdMasterKey = !keystoreExists && !usesEnv && (await createMasterKeyFile(masterKeyPath));
  const masterKey = await loadMasterKey({ env, masterKeyFile: masterKeyPath });
  try {
    const createdKeystore = !keystoreExists && (await createDefaultKeystore(keystorePath, masterKey, options));
    const store = await FileKeyStore.open(keystorePath, masterKey, options);
    const defaultKeyId = (await store.read()).aliases.get(DEFAULT_KEY_ALIAS);
    return { keystorePath, masterKeyPath, createdMasterKey, createdKeystore, defaultKeyId };
  } finally {
    masterKey.fill(0);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw ioFault('stat', path, error);
  }
}

/** Writes a keystore with the default key; false when another process made one first. */
async function createDefaultKeystore(path: string, masterKey: Uint8Array, options: Omit<LocalKmsHomeOptions, 'home'>): Promise<boolean> {
  const now = (options.now ?? (() => new Date()))().getTime();
  const spec = localKeySpec(DEFAULT_KEY_SPEC)!;
  try {
    await FileKeyStore.create(path, masterKey, {
      ...options,
      initialize: (state) => {
        const key = addKey(
          state,
          { keySpec: DEFAULT_KEY_SPEC, spec, keyUsage: spec.usages[0], description: 'dek default key', rotationInterval: undefined },
          now,
        );
        state.aliases.set(DEFAULT_KEY_ALIAS, key.keyId);
      },
    });
    return true;
  } catch (error) {
    if (error instanceof KeystoreError && error.code === 'Keystore.AlreadyExists') return false;
    throw error;
  }
}
