/**
 * Constants and limits of the envelope header, v1. Every limit is enforced both when encoding
 * (ArgumentError) and when decoding (FormatError), so any header dek writes, dek can read.
 *
 * String limits count UTF-8 bytes. Every string and byte field of a slot must be non-empty.
 *
 * @module
 */
import type { SuiteName } from '../chunked/index.js';

/** The four magic bytes that open an envelope: `0x89 'D' 'E' 'K'`. */
export const ENVELOPE_MAGIC: readonly [0x89, 0x44, 0x45, 0x4b] = Object.freeze([0x89, 0x44, 0x45, 0x4b] as const);
/** The envelope format version this code reads and writes. */
export const ENVELOPE_VERSION = 1;
/** Length of the prelude: magic (4), version (1), body length n (u32 big-endian). */
export const PRELUDE_LENGTH = 9;
/** Length of the HMAC-SHA-256 header MAC that follows the body. */
export const HEADER_MAC_LENGTH = 32;
/** Largest header body n, in bytes (the smallest is 1). */
export const MAX_HEADER_BODY_LENGTH = 65536;
/** Most key slots in one header (the fewest is 1). */
export const MAX_SLOTS = 16;
/** Most encryption-context pairs. */
export const MAX_CONTEXT_PAIRS = 64;
/** Most encryption-context bytes: the UTF-8 lengths of all keys and values added up. */
export const MAX_CONTEXT_BYTES = 8192;
/** Longest slot `kms` provider id; it must match `[a-z0-9-]+`. */
export const MAX_KMS_ID_LENGTH = 64;
/** Longest slot `keyId` (room for ARNs and alias paths). */
export const MAX_KEY_ID_LENGTH = 2048;
/** Longest slot `keyVersionId`. */
export const MAX_KEY_VERSION_ID_LENGTH = 256;
/** Longest slot `blob` (a wrapped 32-byte data key is ~100 bytes at Alibaba, ~200 at AWS). */
export const MAX_SLOT_BLOB_LENGTH = 8192;
/** Longest slot `iv`. */
export const MAX_SLOT_IV_LENGTH = 64;
/** Longest slot `algorithm`. */
export const MAX_ALGORITHM_LENGTH = 32;

/**
 * The suites a header may name. Kept here (checked against the chunked module's `SuiteName`
 * type) so the header codec does not depend on chunked's runtime code.
 */
export const HEADER_SUITES: readonly SuiteName[] = Object.freeze(['cobblestone-256', 'cobblestone-128'] as const);

/** Whether `value` names a suite a header may carry. */
export function isSuiteName(value: unknown): value is SuiteName {
  return typeof value === 'string' && (HEADER_SUITES as readonly string[]).includes(value);
}

/** Pattern of a slot's `kms` provider id. */
export const KMS_ID_PATTERN = /^[a-z0-9-]+$/;
