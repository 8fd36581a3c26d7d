/**
 * Decrypting an envelope file to a file by position: the header is unlocked as on the stream
 * path, then every chunk is opened where the format puts it, on as many threads as pay. Every
 * chunk, the final one included, verifies before the output is committed; on any failure the
 * output is removed (or the caller's handle emptied).
 *
 * @module
 */
import { PAYLOAD_HEADER_LENGTH } from '@dek/core';
import type { DecryptOptions } from '../envelope/decryptor.js';
import { openSource } from './files.js';
import type { FileSource, FileTarget, TargetOptions } from './files.js';
import { checkFileJobOptions, writeFileJob } from './job.js';
import type { FileJobOptions } from './job.js';
import { withEndVerdict } from './final-chunk.js';
import { sealedLayout } from './layout.js';
import { payloadKeys, unlockFile } from './unlock-file.js';

/** Options of {@link decryptFile}. `aead` does not apply: every thread opens with node:crypto. */
export interface DecryptFileOptions extends DecryptOptions, FileJobOptions, TargetOptions {}

/**
 * Decrypts the envelope file `source` into `target` (a path, which appears only once every chunk
 * verified and the plaintext is synced; or a FileHandle the caller renames). Errors are those of
 * `decryptStream` (KmsError, HeaderMacError, CommitmentError, AuthenticationError with the chunk
 * index, TruncatedError...).
 *
 * @example
 * await decryptFile('report.pdf.dek', 'report.pdf', { kms, mode: 0o600 });
 */
export async function decryptFile(source: FileSource, target: FileTarget, options: DecryptFileOptions = {}): Promise<void> {
  checkFileJobOptions(options);
  const input = await openSource(source);
  try {
    const unlocked = await unlockFile(input.fd, options);
    const keys = await payloadKeys(input.fd, unlocked);
    const payloadStart = unlocked.headerLength + PAYLOAD_HEADER_LENGTH;
    const layout = sealedLayout('open', input.size - payloadStart, payloadStart, 0);
    const sequence = { fd: input.fd, start: payloadStart, length: input.size - payloadStart };
    await withEndVerdict(sequence, keys, () => writeFileJob(target, [], { layout, input: input.fd, keys }, options));
  } finally {
    await input.close();
  }
}
