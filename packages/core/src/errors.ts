/**
 * Typed errors of dek. Every failure a caller can act on is a {@link DekError} with a stable
 * `code`; `details` says where (field, chunk index, offset). Messages never contain key or
 * plaintext bytes.
 *
 * @module
 */

/** Stable machine-readable error codes. */
export type DekErrorCode =
  /** Malformed input: a header, blob or field that does not parse or breaks a limit. */
  | 'DEK_FORMAT'
  /** A chunk or a wrapped key failed AEAD authentication. */
  | 'DEK_AUTH'
  /** The ciphertext ends early: inside the header, inside a chunk, or before the short final chunk. */
  | 'DEK_TRUNCATED'
  /** Bytes follow the short final chunk. */
  | 'DEK_TRAILING_DATA'
  /** The payload's key commitment does not match: wrong key or wrong context. */
  | 'DEK_COMMITMENT'
  /** The envelope header MAC does not verify. */
  | 'DEK_HEADER_MAC'
  /** The data key could not be obtained or unwrapped through any KMS slot. */
  | 'DEK_KMS'
  /** No slot of the envelope names a key the caller allowed (`allowedKeys`). */
  | 'DEK_KEY_NOT_ALLOWED'
  /** A caller passed a bad argument (wrong key size, bad option). */
  | 'DEK_ARGUMENT'
  /** An object was used after it failed or finished. */
  | 'DEK_STATE';

/** Where an error happened. Only positions and names: never secret bytes. */
export interface DekErrorDetails {
  /** The header, blob or option field at fault. */
  readonly field?: string;
  /** Index of the chunk at fault (0-based). */
  readonly chunkIndex?: number;
  /** Byte offset in the input at fault, when known. */
  readonly offset?: number;
  /** Further structured facts (limits, lengths, per-slot failures). */
  readonly [key: string]: unknown;
}

/** Base class of every dek error. */
export class DekError extends Error {
  /** Stable code, safe to branch on. */
  readonly code: DekErrorCode;
  /** Where it happened. */
  readonly details: DekErrorDetails;

  constructor(code: DekErrorCode, message: string, details: DekErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }
}

/** Malformed or out-of-limit input; `details.field` names the field. */
export class FormatError extends DekError {
  constructor(message: string, details: DekErrorDetails = {}, options?: { cause?: unknown }) {
    super('DEK_FORMAT', message, details, options);
  }
}

/** AEAD authentication failed (a chunk, or a wrapped key). */
export class AuthenticationError extends DekError {
  constructor(message: string, details: DekErrorDetails = {}, options?: { cause?: unknown }) {
    super('DEK_AUTH', message, details, options);
  }
}

/** The input ended before the message did. */
export class TruncatedError extends DekError {
  constructor(message: string, details: DekErrorDetails = {}) {
    super('DEK_TRUNCATED', message, details);
  }
}

/** Data follows the end of the message. */
export class TrailingDataError extends DekError {
  constructor(message: string, details: DekErrorDetails = {}) {
    super('DEK_TRAILING_DATA', message, details);
  }
}

/** The key commitment did not match: wrong data key or wrong context. */
export class CommitmentError extends DekError {
  constructor(message: string, details: DekErrorDetails = {}) {
    super('DEK_COMMITMENT', message, details);
  }
}

/** The envelope header MAC did not verify. */
export class HeaderMacError extends DekError {
  constructor(message: string, details: DekErrorDetails = {}) {
    super('DEK_HEADER_MAC', message, details);
  }
}

/** No KMS could provide or unwrap the data key; `details.failures` lists each slot's reason. */
export class KmsError extends DekError {
  constructor(message: string, details: DekErrorDetails = {}, options?: { cause?: unknown }) {
    super('DEK_KMS', message, details, options);
  }
}

/**
 * No slot of the envelope names a key of the caller's `allowedKeys`; nothing was sent to a KMS
 * to unwrap. `details.requested` lists the slots' `{ kms, keyId }`, `details.allowed` the keys
 * allowed (both as given: escape them before printing).
 */
export class KeyNotAllowedError extends DekError {
  constructor(message: string, details: DekErrorDetails = {}) {
    super('DEK_KEY_NOT_ALLOWED', message, details);
  }
}

/** A caller passed a bad argument. */
export class ArgumentError extends DekError {
  constructor(message: string, details: DekErrorDetails = {}) {
    super('DEK_ARGUMENT', message, details);
  }
}

/** An object was used after it failed or finished. */
export class StateError extends DekError {
  constructor(message: string, details: DekErrorDetails = {}, options?: { cause?: unknown }) {
    super('DEK_STATE', message, details, options);
  }
}
