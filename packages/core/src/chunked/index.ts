/**
 * c2sp.org/chunked-encryption (Cobblestone): suites, key schedule, per-chunk sealing, length
 * arithmetic, one-shot and incremental (stream) sealing and opening.
 *
 * @module
 */
export {
  CHUNK_SIZE,
  TAG_LENGTH,
  SEALED_CHUNK_SIZE,
  SALT_LENGTH,
  COMMITMENT_LENGTH,
  PAYLOAD_HEADER_LENGTH,
  MAX_CHUNKS,
} from './constants.js';
export { SUITES, getSuite, type Suite, type SuiteName } from './suite.js';
export { deriveChunkKeys, rawChunkKeys, openChunkKeys, zeroizeChunkKeys, type ChunkKeys } from './keys.js';
export { sealChunk, sealChunkInto, sealChunkDetached, openChunk, openChunkAt } from './chunk.js';
export { chunkCount, chunkOffset, sealedPayloadLength, payloadPlaintextLength } from './lengths.js';
export {
  sealMessage,
  openMessage,
  sealRawChunks,
  openRawChunks,
  type SealMessageOptions,
  type OpenMessageOptions,
} from './message.js';
export { ChunkSealer, type ChunkSealerOptions } from './sealer.js';
export { ChunkOpener, type ChunkOpenerOptions } from './opener.js';
export { END_WINDOW, MAX_TRAILING_BYTES, judgeUnopenedEnd } from './end-verdict.js';
