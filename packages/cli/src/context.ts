/**
 * The settings every command shares, from global flags and the environment: which KMS, where
 * the local keystore lives, whether to stay quiet.
 *
 * @module
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { usageError } from './errors.js';
import { escapeTerminal } from './terminal-escape.js';

/** The KMS providers the CLI knows. */
export type KmsName = 'local' | 'alibaba' | 'aws';

const KMS_NAMES: readonly KmsName[] = ['local', 'alibaba', 'aws'];

/**
 * Settings of the cloud KMSs given on the command line (`encrypt`, `decrypt`, `rewrap`); each
 * falls back to its environment variable when absent (resolved in `cloud.ts`).
 */
export interface CloudFlags {
  /** `--aws-endpoint`: AWS KMS endpoint URL. */
  readonly awsEndpoint?: string;
  /** `--aws-region`. */
  readonly awsRegion?: string;
  /** `--aws-profile`: profile of the shared AWS config and credentials files. */
  readonly awsProfile?: string;
  /** `--alibaba-endpoint`: OpenAPI gateway, `host[:port]` or `http(s)://host[:port]`. */
  readonly alibabaEndpoint?: string;
  /** `--alibaba-region`: region id of the OpenAPI gateway. */
  readonly alibabaRegion?: string;
  /** `--alibaba-instance-endpoint`: a KMS instance, `host[:port]` or `http(s)://host[:port]`. */
  readonly alibabaInstanceEndpoint?: string;
  /** `--alibaba-client-key-file`: the instance ClientKey JSON file. */
  readonly alibabaClientKeyFile?: string;
  /** `--alibaba-ca-file`: the instance CA certificate (PEM). */
  readonly alibabaCaFile?: string;
}

const CLOUD_FLAGS: readonly (keyof CloudFlags)[] = [
  'awsEndpoint',
  'awsRegion',
  'awsProfile',
  'alibabaEndpoint',
  'alibabaRegion',
  'alibabaInstanceEndpoint',
  'alibabaClientKeyFile',
  'alibabaCaFile',
];

/** Global flags (and the command's cloud flags) as commander parses them. */
export interface GlobalFlags extends CloudFlags {
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
  /** Cloud KMS flags of the command (empty for commands that take none). */
  readonly cloud: CloudFlags;
}

/** Resolves the context from flags and `env`. Unknown KMS names are usage errors. */
export function resolveContext(flags: GlobalFlags, env: NodeJS.ProcessEnv = process.env): Context {
  const kms = flags.kms ?? env['DEK_KMS'] ?? 'local';
  if (!(KMS_NAMES as readonly string[]).includes(kms)) {
    const source = flags.kms !== undefined ? '--kms' : 'DEK_KMS';
    throw usageError(`${source} '${kms}' is not a known KMS`, `use one of: ${KMS_NAMES.join(', ')}`);
  }
  const home = resolve(flags.home ?? (env['DEK_HOME'] || join(homedir(), '.dek')));
  const cloud = Object.fromEntries(CLOUD_FLAGS.filter((name) => flags[name] !== undefined).map((name) => [name, flags[name]])) as CloudFlags;
  return { kms: kms as KmsName, home, quiet: flags.quiet === true, cloud };
}

/** Writes a note on stderr unless quiet (escaped: notes name files and keys). */
export function note(context: Context, message: string): void {
  if (!context.quiet) process.stderr.write(`dek: ${escapeTerminal(message)}\n`);
}
