/**
 * Opening an envelope file by position: its header goes through the same {@link EnvelopeDecryptor}
 * steps as the stream path (parse, unwrap through the slots, header MAC, `onHeader`), so every
 * option and typed error of decryption applies; then the payload header's commitment is checked.
 * What follows, the chunks, is the file engine's.
 *
 * @module
 */
import { CommitmentError, PAYLOAD_HEADER_LENGTH, SALT_LENGTH, TruncatedError, openChunkKeys, zeroize } from '@dek/core';
import type { ChunkKeys, EnvelopeHeader, SuiteName } from '@dek/core';
import { EnvelopeDecryptor } from '../envelope/decryptor.js';
import type { DecryptOptions } from '../envelope/decryptor.js';
import { readAt, readUpTo } from './positional-io.js';

/** Header bytes read per step. */
const HEADER_READ = 64 << 10;

/** An unlocked envelope file. */
export interface UnlockedFile {
  /** The authenticated header. */
  readonly header: EnvelopeHeader;
  /** 9 + n + 32: where the payload starts. */
  readonly headerLength: number;
  /** The slot that unwrapped the data key. */
  readonly slotIndex: number;
  readonly suite: SuiteName;
  /** The data key; the receiver zeroes it. */
  readonly dataKey: Uint8Array;
  /** CTX, the payload's key-derivation context. */
  readonly encodedContext: Uint8Array;
}

/** Reads and unlocks the header of the envelope in `fd` (TruncatedError, FormatError, KmsError, HeaderMacError...). */
export async function unlockFile(fd: number, options: DecryptOptions): Promise<UnlockedFile> {
  let slotIndex = -1;
  const decryptor = new EnvelopeDecryptor({
    ...options,
    onHeader: (header, info) => {
      slotIndex = info.slotIndex;
      options.onHeader?.(header, info);
    },
  });
  const buffer = new Uint8Array(HEADER_READ);
  let position = 0;
  while (!decryptor.needsKey) {
    const bytes = await readAt(fd, buffer, 0, buffer.length, position);
    if (bytes === 0) decryptor.end(); // throws: the input ended inside the header
    decryptor.write(buffer.subarray(0, bytes));
    position += bytes;
  }
  const handover = await decryptor.unlockPayload();
  const buffered = handover.buffered.reduce((sum, piece) => sum + piece.length, 0);
  return {
    header: decryptor.header!,
    headerLength: position - buffered,
    slotIndex,
    suite: handover.suite,
    dataKey: handover.dataKey,
    encodedContext: handover.encodedContext,
  };
}

/**
 * Reads the payload header after the envelope header and derives the chunk keys, checking the
 * commitment (CommitmentError; `offsetBase` is added to its offset); zeroes the data key.
 * TruncatedError when the file ends inside the payload header.
 */
export async function payloadKeys(fd: number, unlocked: UnlockedFile, offsetBase = 0): Promise<ChunkKeys> {
  const { dataKey } = unlocked;
  try {
    const payloadHeader = new Uint8Array(PAYLOAD_HEADER_LENGTH);
    const got = await readUpTo(fd, payloadHeader, unlocked.headerLength);
    if (got < PAYLOAD_HEADER_LENGTH) throw new TruncatedError('payload ends inside its 56-byte header', { field: 'header', offset: got });
    return openChunkKeys(unlocked.suite, dataKey, payloadHeader, unlocked.encodedContext);
  } catch (error) {
    if (error instanceof CommitmentError && offsetBase !== 0) {
      throw new CommitmentError(error.message, { ...error.details, offset: offsetBase + SALT_LENGTH });
    }
    throw error;
  } finally {
    zeroize(dataKey);
  }
}
