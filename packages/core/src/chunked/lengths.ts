/**
 * Length and offset arithmetic of a chunked-encryption payload (salt || commitment || chunks).
 *
 * @module
 */
import { ArgumentError, FormatError, TruncatedError } from '../errors.js';
import { CHUNK_SIZE, MAX_CHUNKS, PAYLOAD_HEADER_LENGTH, SEALED_CHUNK_SIZE, TAG_LENGTH } from './constants.js';

function lengthArg(value: number, field: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new ArgumentError(`${field} must be a non-negative integer`, { field });
  }
}

/**
 * Checks a chunk index: an integer in `0 .. MAX_CHUNKS - 1`.
 * @internal
 */
export function checkChunkIndex(index: number): void {
  if (!Number.isSafeInteger(index) || index < 0 || index >= MAX_CHUNKS) {
    throw new ArgumentError('chunk index must be an integer below 2^38', { field: 'index' });
  }
}

/**
 * Number of chunks for a plaintext length: one per full 16 KiB plus the short final chunk
 * (possibly empty). Over {@link MAX_CHUNKS}: {@link ArgumentError}.
 */
export function chunkCount(plaintextLength: number): number {
  lengthArg(plaintextLength, 'plaintextLength');
  const count = Math.floor(plaintextLength / CHUNK_SIZE) + 1;
  if (count > MAX_CHUNKS) {
    throw new ArgumentError('plaintext exceeds the 2^38-chunk limit', { field: 'plaintextLength' });
  }
  return count;
}

/** Payload length (56-byte header included) for a plaintext length. */
export function sealedPayloadLength(plaintextLength: number): number {
  return PAYLOAD_HEADER_LENGTH + plaintextLength + chunkCount(plaintextLength) * TAG_LENGTH;
}

/**
 * Plaintext length of a payload of `payloadLength` bytes (header included). A length no message
 * can have (header cut, final chunk missing or shorter than a tag) throws {@link TruncatedError}.
 */
export function payloadPlaintextLength(payloadLength: number): number {
  lengthArg(payloadLength, 'payloadLength');
  if (payloadLength < PAYLOAD_HEADER_LENGTH) {
    throw new TruncatedError('payload ends inside its 56-byte header', { field: 'header', offset: payloadLength });
  }
  const body = payloadLength - PAYLOAD_HEADER_LENGTH;
  const full = Math.floor(body / SEALED_CHUNK_SIZE);
  const finalSealed = body - full * SEALED_CHUNK_SIZE;
  if (finalSealed < TAG_LENGTH) {
    throw new TruncatedError('payload lacks its short final chunk', { chunkIndex: full, offset: payloadLength });
  }
  if (full >= MAX_CHUNKS) throw new FormatError('payload exceeds the 2^38-chunk limit', { field: 'payload' });
  return full * CHUNK_SIZE + finalSealed - TAG_LENGTH;
}

/** Offset of chunk `index` inside the payload: `56 + index * 16400`. */
export function chunkOffset(index: number): number {
  checkChunkIndex(index);
  return PAYLOAD_HEADER_LENGTH + index * SEALED_CHUNK_SIZE;
}
