/**
 * `dek serve`: runs the KMS server of `@dek/kms-server` over the local keystore, when that package
 * is part of this build.
 *
 * @module
 */
import type { Context } from '../context.js';
import { CliError, EXIT } from '../errors.js';

/** Flags of `dek serve`. */
export interface ServeFlags {
  readonly host: string;
  readonly port: string;
}

/** Runs `dek serve` until SIGINT / SIGTERM. */
export async function runServe(_context: Context, _flags: ServeFlags): Promise<void> {
  const server = (await import('@dek/kms-server')) as Record<string, unknown>;
  if (typeof server['startKmsServer'] !== 'function') {
    throw new CliError('DEK_UNAVAILABLE', 'the KMS server (@dek/kms-server) is not available in this build of dek', {
      exitCode: EXIT.USAGE,
      hint: 'use the local KMS directly (dek encrypt / dek decrypt need no server)',
    });
  }
  throw new CliError('DEK_UNAVAILABLE', 'dek serve is not wired to this version of @dek/kms-server yet', { exitCode: EXIT.USAGE });
}
