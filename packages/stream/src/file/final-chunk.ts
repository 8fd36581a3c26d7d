/**
 * The verdict on the end of a payload read by position: the bytes after its last full chunk must
 * be one valid short final chunk, and when the end does not open, core's `judgeUnopenedEnd` tells
 * appended bytes (`DEK_TRAILING_DATA`) from damage, as on the stream path.
 *
 * @module
 */
import { AuthenticationError, END_WINDOW, MAX_TRAILING_BYTES, SEALED_CHUNK_SIZE, TAG_LENGTH, TruncatedError, judgeUnopenedEnd, openChunk, rawChunkKeys, zeroizeChunkKeys } from '@dek/core';
import type { ChunkKeys } from '@dek/core';
import { readFully } from './positional-io.js';

/**
 * Opens the final chunk `index` from `sealed`, all the payload bytes after chunk `index - 1`:
 * its plaintext, or TruncatedError (fewer bytes than a tag) / AuthenticationError (like
 * `ChunkOpener.end`).
 */
export function openFinalChunk(keys: ChunkKeys, index: number, sealed: Uint8Array): Uint8Array {
  if (sealed.length < TAG_LENGTH) throw new TruncatedError('payload lacks its short final chunk', { chunkIndex: index });
  return openChunk(keys, index, sealed);
}

/** Where a payload's chunk sequence lies in a file: `start` (after the 56-byte payload header) and `length`. */
export interface ChunkSequence {
  readonly fd: number;
  readonly start: number;
  readonly length: number;
}

/**
 * Runs `job` (which opens the chunks of `sequence` and zeroes `keys`); if it fails on a chunk
 * with at most 64 bytes after it, the failure gets the stream path's end verdict. Keeps its own
 * copy of the keys for that, zeroed when done.
 */
export async function withEndVerdict(sequence: ChunkSequence, keys: ChunkKeys, job: () => Promise<void>): Promise<void> {
  const judge = rawChunkKeys(keys.suite.name, keys.aeadKey.slice(), keys.baseNonce.slice());
  try {
    await job();
  } catch (error) {
    if (!(error instanceof AuthenticationError || error instanceof TruncatedError)) throw error;
    const chunk = error.details.chunkIndex;
    // Only the end of the input is judged: a chunk with more than 64 bytes after it failed as it is.
    if (typeof chunk !== 'number' || sequence.length - (chunk + 1) * SEALED_CHUNK_SIZE > MAX_TRAILING_BYTES) throw error;
    const tail = new Uint8Array(Math.min(sequence.length, END_WINDOW));
    await readFully(sequence.fd, tail, sequence.start + sequence.length - tail.length);
    throw judgeUnopenedEnd(judge, sequence.length, tail, error);
  } finally {
    zeroizeChunkKeys(judge);
  }
}
