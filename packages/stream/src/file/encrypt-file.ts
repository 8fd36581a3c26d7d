/**
 * Encrypting a file to a file by position: the header and payload header first, then every chunk
 * sealed where the format puts it (chunk `k` of plaintext offset `k * 16384` at payload offset
 * `56 + k * 16400`), on as many threads as pay. The bytes are those `encryptStream` writes for the
 * same data key and salt.
 *
 * @module
 */
import { SALT_LENGTH, StateError, deriveChunkKeys, randomBytes } from '@dek/core';
import type { EncryptionContext, SuiteName } from '@dek/core';
import { joinBytes } from '../envelope/bytes.js';
import { envelopeHeader, prepareEncryption } from '../envelope/encryptor.js';
import type { EncryptOptions } from '../envelope/encryptor.js';
import type { DataKeyLease } from '../keys/data-keys.js';
import { openSource } from './files.js';
import type { FileSource, FileTarget, OpenSource, TargetOptions } from './files.js';
import { checkFileJobOptions, writeFileJob } from './job.js';
import type { FileJobOptions } from './job.js';
import { sealLayout } from './layout.js';
import { fileSize } from './positional-io.js';

/** Options of {@link encryptFile}. `aead` does not apply: every thread seals with node:crypto. */
export interface EncryptFileOptions extends EncryptOptions, FileJobOptions, TargetOptions {}

/**
 * Encrypts the regular file `source` into `target` (a path, replaced atomically once everything is
 * written and synced, or a FileHandle the caller renames). Validates the options and opens the
 * source before the one KMS call. Errors are those of `encryptStream`; on failure nothing is left.
 *
 * @example
 * await encryptFile('report.pdf', 'report.pdf.dek', { kms, keyId: 'alias/reports' });
 */
export async function encryptFile(source: FileSource, target: FileTarget, options: EncryptFileOptions): Promise<void> {
  const prepared = prepareEncryption(options);
  checkFileJobOptions(options);
  const input = await openSource(source);
  try {
    const lease = await prepared.provider.acquire(prepared.request);
    const { suite, context } = prepared.request;
    await sealFile(input, target, { ...options, suite: suite.name, context, lease });
  } finally {
    await input.close();
  }
}

/** What {@link sealFile} needs: the data key as a lease, and (tests only) a fixed salt. @internal */
export interface SealFileOptions extends FileJobOptions, TargetOptions {
  readonly suite: SuiteName;
  readonly context: EncryptionContext;
  /** Released (zeroed) once the chunk keys are derived. */
  readonly lease: DataKeyLease;
  /** Tests only: a salt must never repeat under one data key. */
  readonly salt?: Uint8Array;
}

/** Encrypts an opened source under a data key already fetched. @internal */
export async function sealFile(input: OpenSource, target: FileTarget, options: SealFileOptions): Promise<void> {
  const { lease } = options;
  let header: Uint8Array;
  let keys;
  try {
    const parts = envelopeHeader(options);
    const salt = options.salt ?? randomBytes(SALT_LENGTH);
    keys = deriveChunkKeys(parts.suite, lease.dataKey, salt, parts.encodedContext);
    header = joinBytes([parts.header, salt, keys.commitment]);
  } finally {
    lease.release();
  }
  const layout = sealLayout(input.size, header.length);
  await writeFileJob(target, [header], { layout, input: input.fd, keys }, options, async () => {
    if ((await fileSize(input.fd)) !== input.size) throw new StateError('the input file changed size while it was encrypted', { field: 'source' });
  });
  lease.countBytes(input.size);
}
