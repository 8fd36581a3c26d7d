/**
 * The local KMS of `@dek/kms-adapter` as the CLI uses it: the keystore `<home>/keystore.json`
 * with its master key file `<home>/master.key` (0600, or `DEK_MASTER_KEY`) and the key
 * `alias/default`.
 *
 * @module
 */
import { access } from 'node:fs/promises';
import { DEFAULT_KEY_ALIAS, initLocalKms, localKmsPaths, openLocalKms, type LocalKms } from '@dek/kms-adapter';

/** What {@link initLocal} did. */
export interface LocalInit {
  /** False when the keystore already existed (nothing was changed). */
  readonly created: boolean;
  readonly keystorePath: string;
  readonly masterKeyPath: string;
  /** Whether the master key comes from `DEK_MASTER_KEY` (no file written). */
  readonly masterKeyFromEnv: boolean;
  /** The key behind `alias/default`, if it exists. */
  readonly keyId: string | undefined;
  readonly alias: string;
}

/** Whether `home` holds a keystore file. */
export async function localKeystoreExists(home: string): Promise<boolean> {
  try {
    await access(localKmsPaths(home).keystorePath);
    return true;
  } catch {
    return false;
  }
}

/** Creates the keystore in `home` unless it exists (idempotent: an existing one is only opened). */
export async function initLocal(home: string): Promise<LocalInit> {
  const result = await initLocalKms(home);
  return {
    created: result.createdKeystore,
    keystorePath: result.keystorePath,
    masterKeyPath: result.masterKeyPath,
    masterKeyFromEnv: !result.createdMasterKey && (process.env['DEK_MASTER_KEY'] ?? '').trim() !== '',
    keyId: result.defaultKeyId,
    alias: DEFAULT_KEY_ALIAS,
  };
}

/** Opens the keystore in `home` (KeystoreError `Keystore.*` on a missing or wrong master key, a corrupt file, ...). */
export async function openLocal(home: string): Promise<LocalKms> {
  return openLocalKms({ home });
}
