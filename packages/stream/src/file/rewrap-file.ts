/**
 * Rewrapping an envelope file to a file: the header is unlocked as on the stream path, the data
 * key is wrapped under the new keys into a new header, and the payload is copied by position
 * behind it, every chunk verified on the way (so that a damaged file is never blessed with a new
 * header), on as many threads as pay.
 *
 * @module
 */
import { PAYLOAD_HEADER_LENGTH, computeHeaderMac, encodeHeader, kmsAad, zeroize } from '@dek/core';
import type { EnvelopeHeader } from '@dek/core';
import { joinBytes } from '../envelope/bytes.js';
import { EnvelopeRewrapper } from '../envelope/rewrapper.js';
import type { RewrapOptions, RewrapResult } from '../envelope/rewrapper.js';
import { resolveWrapKeys } from '../keys/kms.js';
import { wrapDataKey } from '../keys/wrap.js';
import { openSource } from './files.js';
import type { FileSource, FileTarget, TargetOptions } from './files.js';
import { checkFileJobOptions, writeFileJob } from './job.js';
import type { FileJobOptions } from './job.js';
import { withEndVerdict } from './final-chunk.js';
import { sealedLayout } from './layout.js';
import { readFully } from './positional-io.js';
import { payloadKeys, unlockFile } from './unlock-file.js';

/** Options of {@link rewrapFile}. `aead` does not apply: every thread verifies with node:crypto. */
export interface RewrapFileOptions extends RewrapOptions, FileJobOptions, TargetOptions {
  /**
   * Open every chunk to check it before copying it (default true). False copies the chunks
   * unopened and checks only the commitment and the final chunk.
   */
  readonly verify?: boolean;
}

/**
 * Rewraps the envelope file `source` into `target` (a path, replaced atomically, which may be the
 * source itself; or a FileHandle the caller renames): same suite, context and payload, new slots
 * and header MAC. Errors are those of `rewrapStream`.
 *
 * @example
 * await rewrapFile('report.pdf.dek', 'report.pdf.dek', { kms, to: [{ keyId: 'alias/reports' }] });
 */
export async function rewrapFile(source: FileSource, target: FileTarget, options: RewrapFileOptions): Promise<RewrapResult> {
  new EnvelopeRewrapper(options).dispose(); // the stream path's checks of the options (ArgumentError)
  checkFileJobOptions(options);
  const to = resolveWrapKeys(options.to, options.kms, 'to');
  const input = await openSource(source);
  try {
    const unlocked = await unlockFile(input.fd, options);
    const previous = unlocked.header;
    let newHeader: Uint8Array;
    let header: EnvelopeHeader;
    let keys;
    try {
      const slots = await wrapDataKey(unlocked.dataKey, kmsAad(unlocked.encodedContext), to);
      header = { suite: previous.suite, context: previous.context, slots };
      const maced = encodeHeader(header);
      newHeader = joinBytes([maced, computeHeaderMac(unlocked.dataKey, maced)]);
      keys = await payloadKeys(input.fd, unlocked, unlocked.headerLength);
    } finally {
      zeroize(unlocked.dataKey);
    }
    const payloadHeader = new Uint8Array(PAYLOAD_HEADER_LENGTH);
    await readFully(input.fd, payloadHeader, unlocked.headerLength);
    const payloadStart = unlocked.headerLength + PAYLOAD_HEADER_LENGTH;
    const op = options.verify === false ? 'copy' : 'verify';
    const layout = sealedLayout(op, input.size - payloadStart, payloadStart, newHeader.length + PAYLOAD_HEADER_LENGTH);
    const sequence = { fd: input.fd, start: payloadStart, length: input.size - payloadStart };
    await withEndVerdict(sequence, keys, () => writeFileJob(target, [newHeader, payloadHeader], { layout, input: input.fd, keys }, options));
    return { previous, header, slotIndex: unlocked.slotIndex };
  } finally {
    await input.close();
  }
}
