/**
 * `dek init`: creates the local keystore, its 0600 master key file and the key `alias/default`.
 * Idempotent: on an existing keystore it changes nothing and says so.
 *
 * @module
 */
import type { Context } from '../context.js';
import { usageError } from '../errors.js';
import { initLocal } from '../local.js';
import { printLines } from '../print.js';

/** Runs `dek init`. */
export async function runInit(context: Context): Promise<void> {
  if (context.kms !== 'local') {
    throw usageError(`dek init sets up the local keystore; the ${context.kms} KMS needs no init`, 'run dek init without --kms (or with --kms local)');
  }
  const result = await initLocal(context.home);
  const master = result.masterKeyFromEnv
    ? 'master key from DEK_MASTER_KEY (no file written)'
    : `master key file ${result.masterKeyPath} (mode 0600): back it up apart from your encrypted files; without it nothing can be decrypted`;
  const key = `default key ${result.keyId ?? '(alias/default does not exist in this keystore)'} (${result.alias})`;
  const lines = result.created
    ? [`created the local keystore ${result.keystorePath}`, master, key]
    : [`the local keystore ${result.keystorePath} already exists; nothing changed`, key];
  printLines(lines);
}
