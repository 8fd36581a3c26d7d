/**
 * One-shot sealing and opening of a whole chunked-encryption payload held in memory, plus the raw
 * mode (no header) variants.
 *
 * @module
 */
import type { AesGcm } from '../aead/aes-gcm.js';
import { ArgumentError, AuthenticationError, TruncatedError } from '../errors.js';
import { zeroize } from '../bytes.js';
import { randomBytes } from '../random.js';
import { openChunk, sealChunkInto } from './chunk.js';
import { END_WINDOW, judgeUnopenedEnd } from './end-verdict.js';
import { CHUNK_SIZE, PAYLOAD_HEADER_LENGTH, SALT_LENGTH, SEALED_CHUNK_SIZE, TAG_LENGTH } from './constants.js';
import { checkInputKey, deriveChunkKeys, openChunkKeys, zeroizeChunkKeys, type ChunkKeys } from './keys.js';
import { chunkCount, payloadPlaintextLength, sealedPayloadLength } from './lengths.js';
import { getSuite, type SuiteName } from './suite.js';

/** Options of {@link sealMessage}. */
export interface SealMessageOptions {
  /** Fixed 24-byte salt. For tests and vectors only: a salt must never repeat under one key. */
  readonly salt?: Uint8Array;
  /** AES-GCM backend (default: {@link defaultAesGcm}). */
  readonly aead?: AesGcm;
}

/** Options of {@link openMessage}. */
export interface OpenMessageOptions {
  /** AES-GCM backend (default: {@link defaultAesGcm}). */
  readonly aead?: AesGcm;
}

function plaintextArg(value: unknown): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new ArgumentError('plaintext must be a Uint8Array', { field: 'plaintext' });
}

function ciphertextArg(value: unknown): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new ArgumentError('ciphertext must be a Uint8Array', { field: 'ciphertext' });
}

/** Seals every chunk of `plaintext` into `out` from offset `at`. */
function sealChunksInto(keys: ChunkKeys, plaintext: Uint8Array, out: Uint8Array, at: number): void {
  const count = chunkCount(plaintext.length);
  for (let i = 0; i < count; i++) {
    const start = i * CHUNK_SIZE;
    const end = Math.min(plaintext.length, start + CHUNK_SIZE);
    const from = at + i * SEALED_CHUNK_SIZE;
    sealChunkInto(keys, i, plaintext.subarray(start, end), out.subarray(from, from + end - start + TAG_LENGTH));
  }
}

/**
 * Opens a chunk sequence (no header); releases nothing unless every chunk verifies. A failure
 * within the last {@link END_WINDOW} bytes gets the verdict of {@link judgeUnopenedEnd}, as in
 * {@link ChunkOpener}.
 */
function openChunks(keys: ChunkKeys, body: Uint8Array): Uint8Array {
  let out: Uint8Array | undefined;
  try {
    out = new Uint8Array(payloadPlaintextLength(body.length + PAYLOAD_HEADER_LENGTH));
    const count = chunkCount(out.length);
    for (let i = 0; i < count; i++) {
      const start = i * SEALED_CHUNK_SIZE;
      const plaintext = openChunk(keys, i, body.subarray(start, Math.min(body.length, start + SEALED_CHUNK_SIZE)));
      out.set(plaintext, i * CHUNK_SIZE);
      zeroize(plaintext);
    }
    return out;
  } catch (error) {
    zeroize(out);
    const tailStart = Math.max(0, body.length - END_WINDOW);
    const atEnd =
      (error instanceof TruncatedError && out === undefined) ||
      (error instanceof AuthenticationError && (error.details.chunkIndex ?? 0) * SEALED_CHUNK_SIZE >= tailStart);
    throw atEnd ? judgeUnopenedEnd(keys, body.length, body.subarray(tailStart), error) : error;
  }
}

/**
 * Encrypts `plaintext` into a c2sp chunked-encryption payload: salt(24) || commitment(32) || chunks,
 * with a fresh random salt unless `options.salt` is given (tests only).
 */
export function sealMessage(
  suite: SuiteName,
  key: Uint8Array,
  plaintext: Uint8Array,
  context: Uint8Array,
  options: SealMessageOptions = {},
): Uint8Array {
  checkInputKey(getSuite(suite), key);
  plaintextArg(plaintext);
  const total = sealedPayloadLength(plaintext.length);
  const salt = options.salt ?? randomBytes(SALT_LENGTH);
  const keys = deriveChunkKeys(suite, key, salt, context, options.aead);
  try {
    const out = new Uint8Array(total);
    out.set(salt, 0);
    out.set(keys.commitment, SALT_LENGTH);
    sealChunksInto(keys, plaintext, out, PAYLOAD_HEADER_LENGTH);
    return out;
  } finally {
    zeroizeChunkKeys(keys);
  }
}

/**
 * Decrypts a whole payload: checks the key size ({@link ArgumentError}), the header length
 * ({@link TruncatedError}), the commitment ({@link CommitmentError}), the chunk layout
 * ({@link TruncatedError}) and every chunk ({@link AuthenticationError}); a valid final chunk
 * followed by 1 to 64 bytes is {@link TrailingDataError}. On any error no plaintext is returned.
 */
export function openMessage(
  suite: SuiteName,
  key: Uint8Array,
  ciphertext: Uint8Array,
  context: Uint8Array,
  options: OpenMessageOptions = {},
): Uint8Array {
  checkInputKey(getSuite(suite), key);
  ciphertextArg(ciphertext);
  if (ciphertext.length < PAYLOAD_HEADER_LENGTH) {
    throw new TruncatedError('payload ends inside its 56-byte header', { field: 'header', offset: ciphertext.length });
  }
  const keys = openChunkKeys(suite, key, ciphertext.subarray(0, PAYLOAD_HEADER_LENGTH), context, options.aead);
  try {
    return openChunks(keys, ciphertext.subarray(PAYLOAD_HEADER_LENGTH));
  } finally {
    zeroizeChunkKeys(keys);
  }
}

/**
 * Raw mode (hazmat): seals `plaintext` as a bare chunk sequence under caller-provided keys
 * ({@link rawChunkKeys}); no salt, no commitment.
 */
export function sealRawChunks(keys: ChunkKeys, plaintext: Uint8Array): Uint8Array {
  plaintextArg(plaintext);
  const out = new Uint8Array(sealedPayloadLength(plaintext.length) - PAYLOAD_HEADER_LENGTH);
  sealChunksInto(keys, plaintext, out, 0);
  return out;
}

/** Raw mode (hazmat): opens a bare chunk sequence; nothing is returned unless all of it verifies. */
export function openRawChunks(keys: ChunkKeys, chunks: Uint8Array): Uint8Array {
  ciphertextArg(chunks);
  return openChunks(keys, chunks);
}
