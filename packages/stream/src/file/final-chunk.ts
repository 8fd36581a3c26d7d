/**
 * The verdict on the end of a payload read by position: the bytes after its last full chunk must
 * be one valid short final chunk. The one place the file engine decides it, so that it can follow
 * the stream path's rules for truncated and trailing input exactly.
 *
 * @module
 */
import { TAG_LENGTH, TruncatedError, openChunk } from '@dek/core';
import type { ChunkKeys } from '@dek/core';

/**
 * Opens the final chunk `index` from `sealed`, all the payload bytes after chunk `index - 1`:
 * its plaintext, or TruncatedError (fewer bytes than a tag) / AuthenticationError (like
 * `ChunkOpener.end`).
 */
export function openFinalChunk(keys: ChunkKeys, index: number, sealed: Uint8Array): Uint8Array {
  if (sealed.length < TAG_LENGTH) throw new TruncatedError('payload lacks its short final chunk', { chunkIndex: index });
  return openChunk(keys, index, sealed);
}
