/**
 * The verdict on a chunk sequence whose end did not open: appended bytes or damage? A valid final
 * chunk followed by a few stray bytes (a newline, a padding tool) is trailing data; anything else
 * keeps the opener's error, with a message that names what it can be.
 *
 * @module
 */
import { AuthenticationError, TrailingDataError, type DekError } from '../errors.js';
import { zeroize } from '../bytes.js';
import { openChunk } from './chunk.js';
import { SEALED_CHUNK_SIZE, TAG_LENGTH } from './constants.js';
import type { ChunkKeys } from './keys.js';

/** Most stray bytes after a final chunk that {@link judgeUnopenedEnd} looks for (one open per count). */
export const MAX_TRAILING_BYTES = 64;

/** How many of the last bytes of a chunk sequence {@link judgeUnopenedEnd} needs: a full chunk + 64. */
export const END_WINDOW = SEALED_CHUNK_SIZE + MAX_TRAILING_BYTES;

/**
 * Judges a chunk sequence (the payload after its 56-byte header) whose end did not open. Tries
 * the hypothesis "a valid final chunk followed by 1 to 64 stray bytes": for each count, the chunk
 * that would then be final is opened at its index (at most 64 opens of one chunk, only on this
 * failure path; the plaintext is zeroed, never returned). If one opens, the verdict is
 * {@link TrailingDataError} (`details.chunkIndex`, `details.trailingLength`). Otherwise a
 * {@link TruncatedError} stays as it is and an {@link AuthenticationError} comes back with a
 * message naming damage, a cut inside the last chunk and appended bytes.
 *
 * @param keys The message's chunk keys.
 * @param sequenceLength Bytes of the chunk sequence in the input, trailing bytes included.
 * @param tail The last `min(sequenceLength, END_WINDOW)` of them (fewer: only the hypotheses
 *   whose final chunk lies inside `tail` are tried).
 * @param failure What opening the end as it is threw.
 * @returns The error to throw.
 */
export function judgeUnopenedEnd(keys: ChunkKeys, sequenceLength: number, tail: Uint8Array, failure: DekError): DekError {
  const tailStart = sequenceLength - tail.length;
  for (let extra = 1; extra <= MAX_TRAILING_BYTES; extra++) {
    const end = sequenceLength - extra;
    const index = Math.floor(end / SEALED_CHUNK_SIZE);
    const start = index * SEALED_CHUNK_SIZE;
    // A final chunk holds at least its tag; its bytes must be in `tail`.
    if (end - start < TAG_LENGTH || start < tailStart) continue;
    try {
      zeroize(openChunk(keys, index, tail.subarray(start - tailStart, end - tailStart)));
    } catch (error) {
      if (error instanceof AuthenticationError) continue;
      throw error;
    }
    const what = extra === 1 ? '1 byte follows' : `${extra} bytes follow`;
    return new TrailingDataError(`${what} the final chunk (chunk ${index})`, {
      chunkIndex: index,
      trailingLength: extra,
    });
  }
  if (!(failure instanceof AuthenticationError)) return failure;
  return new AuthenticationError(
    `the end of the payload failed authentication: damaged or modified, cut inside its last chunk, or followed by appended bytes`,
    failure.details,
    { cause: failure },
  );
}
