/**
 * The settings every command shares, from global flags and the environment: which KMS, where
 * the local keystore lives, whether to stay quiet.
 *
 * @module
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { usageError } from './errors.js';

/** The KMS providers the CLI knows. */
export type KmsName = 'local' | 'alibaba' | 'aws';

const KMS_NAMES: readonly KmsName[] = ['local', 'alibaba', 'aws'];

/** Global flags as commander parses them. */
export interface GlobalFlags {
  readonly kms?: string;
  readonly home?: string;
  readonly quiet?: boolean;
}

/** Resolved shared settings. */
export interface Context {
  /** The KMS to use: `--kms`, else `DEK_KMS`, else `local`. */
  readonly kms: KmsName;
  /** Local keystore directory: `--home`, else `DEK_HOME`, else `~/.dek`. */
  readonly home: string;
  /** No progress bar, no notes on stderr (errors are still printed). */
  readonly quiet: boolean;
}

/** Resolves the context from flags and `env`. Unknown KMS names are usage errors. */
export function resolveContext(flags: GlobalFlags, env: NodeJS.ProcessEnv = process.env): Context {
  const kms = flags.kms ?? env['DEK_KMS'] ?? 'local';
  if (!(KMS_NAMES as readonly string[]).includes(kms)) {
    const source = flags.kms !== undefined ? '--kms' : 'DEK_KMS';
    throw usageError(`${source} '${kms}' is not a known KMS`, `use one of: ${KMS_NAMES.join(', ')}`);
  }
  const home = resolve(flags.home ?? (env['DEK_HOME'] || join(homedir(), '.dek')));
  return { kms: kms as KmsName, home, quiet: flags.quiet === true };
}

/** Writes a note on stderr unless quiet. */
export function note(context: Context, message: string): void {
  if (!context.quiet) process.stderr.write(`dek: ${message}\n`);
}
