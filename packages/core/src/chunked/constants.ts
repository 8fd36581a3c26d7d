/**
 * Sizes fixed by c2sp.org/chunked-encryption with a 16-byte-tag AEAD (Cobblestone).
 *
 * @module
 */

/** Plaintext bytes in every chunk but the final one (16 KiB). The final chunk is always shorter. */
export const CHUNK_SIZE = 16384;
/** AEAD tag bytes appended to every chunk. */
export const TAG_LENGTH = 16;
/** Ciphertext bytes of a full (non-final) chunk: 16384 + 16. */
export const SEALED_CHUNK_SIZE = CHUNK_SIZE + TAG_LENGTH;
/** Random salt that opens the payload. */
export const SALT_LENGTH = 24;
/** Key commitment that follows the salt. */
export const COMMITMENT_LENGTH = 32;
/** Payload header: salt || commitment. */
export const PAYLOAD_HEADER_LENGTH = SALT_LENGTH + COMMITMENT_LENGTH;
/** Chunk indices must stay below 2^38 (4 PiB of plaintext); so at most 2^38 chunks per message. */
export const MAX_CHUNKS = 2 ** 38;
