/**
 * Sealing and opening one chunk: AES-GCM with the message key, nonce = base nonce XOR the
 * big-endian chunk index, empty AAD.
 *
 * @module
 */
import { AuthenticationError, ArgumentError, TruncatedError } from '../errors.js';
import { CHUNK_SIZE, SEALED_CHUNK_SIZE, TAG_LENGTH } from './constants.js';
import type { DetachedSeal } from '../aead/aes-gcm.js';
import type { ChunkKeys } from './keys.js';
import { checkChunkIndex } from './lengths.js';

/** One reusable nonce buffer: AEAD calls are synchronous and copy or consume it at once. */
const scratchNonce = new Uint8Array(12);

/** Writes base XOR index (as a 96-bit big-endian integer; index < 2^38) into the scratch nonce. */
function chunkNonce(keys: ChunkKeys, index: number): Uint8Array {
  checkChunkIndex(index);
  const n = scratchNonce;
  n.set(keys.baseNonce);
  const low = index >>> 0;
  n[7]! ^= (index - low) / 0x1_0000_0000; // bits 32..37
  n[8]! ^= low >>> 24;
  n[9]! ^= (low >>> 16) & 0xff;
  n[10]! ^= (low >>> 8) & 0xff;
  n[11]! ^= low & 0xff;
  return n;
}

function plaintextArg(plaintext: unknown, index: number): asserts plaintext is Uint8Array {
  if (!(plaintext instanceof Uint8Array) || plaintext.length > CHUNK_SIZE) {
    throw new ArgumentError('chunk plaintext must be a Uint8Array of at most 16384 bytes', { field: 'plaintext', chunkIndex: index });
  }
}

/**
 * Seals chunk `index`: at most 16384 plaintext bytes (exactly 16384 for every chunk but the
 * final, which must be shorter). Returns ciphertext || tag.
 */
export function sealChunk(keys: ChunkKeys, index: number, plaintext: Uint8Array): Uint8Array {
  plaintextArg(plaintext, index);
  const nonce = chunkNonce(keys, index);
  try {
    return keys.aead.seal(keys.aeadKey, nonce, plaintext);
  } finally {
    nonce.fill(0);
  }
}

/**
 * Like {@link sealChunk} but writes ciphertext || tag into `output` (exactly plaintext length + 16
 * bytes), without an intermediate allocation when the backend has `sealInto`.
 */
export function sealChunkInto(keys: ChunkKeys, index: number, plaintext: Uint8Array, output: Uint8Array): void {
  plaintextArg(plaintext, index);
  if (!(output instanceof Uint8Array) || output.length !== plaintext.length + TAG_LENGTH) {
    throw new ArgumentError('sealed chunk output must be plaintext length + 16 bytes', { field: 'output', chunkIndex: index });
  }
  const nonce = chunkNonce(keys, index);
  try {
    if (keys.aead.sealInto !== undefined) keys.aead.sealInto(keys.aeadKey, nonce, plaintext, output);
    else output.set(keys.aead.seal(keys.aeadKey, nonce, plaintext));
  } finally {
    nonce.fill(0);
  }
}

/**
 * Like {@link sealChunk} but returns the ciphertext and the tag as two arrays, for streams that
 * emit them separately: no copy when the backend has `sealDetached` (node:crypto), otherwise two
 * views into {@link sealChunk}'s result.
 */
export function sealChunkDetached(keys: ChunkKeys, index: number, plaintext: Uint8Array): DetachedSeal {
  plaintextArg(plaintext, index);
  const nonce = chunkNonce(keys, index);
  try {
    if (keys.aead.sealDetached !== undefined) return keys.aead.sealDetached(keys.aeadKey, nonce, plaintext);
    const sealed = keys.aead.seal(keys.aeadKey, nonce, plaintext);
    return { ciphertext: sealed.subarray(0, plaintext.length), tag: sealed.subarray(plaintext.length) };
  } finally {
    nonce.fill(0);
  }
}

/**
 * Opens chunk `index` (16 to 16400 sealed bytes). A failed tag throws {@link AuthenticationError}
 * with `details.chunkIndex`; fewer bytes than a tag throw {@link TruncatedError}.
 */
export function openChunk(keys: ChunkKeys, index: number, sealed: Uint8Array): Uint8Array {
  if (!(sealed instanceof Uint8Array) || sealed.length > SEALED_CHUNK_SIZE) {
    throw new ArgumentError('sealed chunk must be a Uint8Array of at most 16400 bytes', { field: 'sealed', chunkIndex: index });
  }
  if (sealed.length < TAG_LENGTH) {
    throw new TruncatedError('chunk is shorter than its authentication tag', { chunkIndex: index });
  }
  const nonce = chunkNonce(keys, index);
  try {
    return keys.aead.open(keys.aeadKey, nonce, sealed);
  } catch (error) {
    if (error instanceof AuthenticationError) {
      throw new AuthenticationError(`chunk ${index} failed authentication`, { chunkIndex: index }, { cause: error });
    }
    throw error;
  } finally {
    nonce.fill(0);
  }
}

/**
 * Opens chunk `index` knowing whether it is the final one, for random access: a final chunk must
 * be shorter than 16400 sealed bytes, any other exactly 16400 ({@link TruncatedError} otherwise).
 * Opening the final chunk authenticates the message length.
 */
export function openChunkAt(keys: ChunkKeys, index: number, sealed: Uint8Array, isFinal: boolean): Uint8Array {
  if (sealed instanceof Uint8Array) {
    const ok = isFinal ? sealed.length < SEALED_CHUNK_SIZE : sealed.length === SEALED_CHUNK_SIZE;
    if (!ok) {
      const what = isFinal ? 'final chunk must be shorter than 16400 bytes' : 'non-final chunk must be 16400 bytes';
      throw new TruncatedError(`message truncated: ${what}`, { chunkIndex: index });
    }
  }
  return openChunk(keys, index, sealed);
}
