/**
 * Errors across a thread boundary: structured cloning keeps only `message` of an Error, so a
 * worker sends a typed dek error as its code, message and details, and the caller's thread
 * rebuilds the same class (an I/O error keeps its `code` and `syscall`).
 *
 * @module
 */
import {
  ArgumentError,
  AuthenticationError,
  CommitmentError,
  DekError,
  FormatError,
  HeaderMacError,
  KeyNotAllowedError,
  KmsError,
  StateError,
  TrailingDataError,
  TruncatedError,
} from '@dek/core';
import type { DekErrorCode, DekErrorDetails } from '@dek/core';

/** An error as sent between threads. */
export interface WireError {
  readonly message: string;
  /** A `DEK_*` code, or a system error's code (e.g. `ENOSPC`). */
  readonly code?: string;
  readonly details?: DekErrorDetails;
  readonly syscall?: string;
}

const CLASSES: Record<DekErrorCode, new (message: string, details: DekErrorDetails) => DekError> = {
  DEK_FORMAT: FormatError,
  DEK_AUTH: AuthenticationError,
  DEK_TRUNCATED: TruncatedError,
  DEK_TRAILING_DATA: TrailingDataError,
  DEK_COMMITMENT: CommitmentError,
  DEK_HEADER_MAC: HeaderMacError,
  DEK_KMS: KmsError,
  DEK_ARGUMENT: ArgumentError,
  DEK_STATE: StateError,
  DEK_KEY_NOT_ALLOWED: KeyNotAllowedError,
};

/** What to send for `error`. */
export function toWire(error: unknown): WireError {
  if (error instanceof DekError) return { message: error.message, code: error.code, details: error.details };
  const { code, syscall } = (error ?? {}) as { code?: unknown; syscall?: unknown };
  return {
    message: error instanceof Error ? error.message : String(error),
    ...(typeof code === 'string' ? { code } : {}),
    ...(typeof syscall === 'string' ? { syscall } : {}),
  };
}

/** The error `wire` describes, of the class it was sent from. */
export function fromWire(wire: WireError): Error {
  const Class = wire.code !== undefined && Object.hasOwn(CLASSES, wire.code) ? CLASSES[wire.code as DekErrorCode] : undefined;
  if (Class !== undefined) return new Class(wire.message, wire.details ?? {});
  return Object.assign(new Error(wire.message), wire.code === undefined ? {} : { code: wire.code }, wire.syscall === undefined ? {} : { syscall: wire.syscall });
}
