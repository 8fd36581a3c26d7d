/**
 * The errors the server answers with: an HTTP status and an Alibaba Cloud error code and message.
 * Both wire protocols render them (OpenAPI as JSON, the instance API as a protobuf `Error`).
 *
 * @module
 */
import { AuthenticationError, DekError, FormatError } from '@dek/core';
import { KmsServiceError } from '@dek/kms-adapter';

/** An error answer: HTTP status, Alibaba code and message. Never carries key or plaintext bytes. */
export class ApiError extends Error {
  /** The HTTP status of the answer. */
  readonly status: number;
  /** The Alibaba error code, e.g. `InvalidParameter`. */
  readonly code: string;
  /** More members of the OpenAPI JSON error body (e.g. `AccessDeniedDetail`); none by default. */
  readonly extra: Readonly<Record<string, unknown>>;

  constructor(status: number, code: string, message: string, extra: Readonly<Record<string, unknown>> = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.extra = extra;
  }
}

/** 400 `MissingParameter`. */
export const missingParameter = (name: string): ApiError =>
  new ApiError(400, 'MissingParameter', `The parameter "${name}" is needed but not provided.`);

/** 400 `InvalidParameter`; `why` (no secret bytes) is appended when given. */
export const invalidParameter = (name: string, why?: string): ApiError =>
  new ApiError(400, 'InvalidParameter', `The specified parameter "${name}" is not valid.${why === undefined ? '' : ` ${why}`}`);

/** 413: the request body is over the limit. */
export const requestTooLarge = (limit: number): ApiError =>
  new ApiError(413, 'RequestEntityTooLarge', `The request body is larger than ${limit} bytes.`);

/** 503: the request took longer than the server allows. */
export const requestTimedOut = (): ApiError =>
  new ApiError(503, 'ServiceUnavailableTemporary', 'Service Unavailable Temporary. The request did not finish in time.');

/** 500: anything unexpected. The cause stays on the server. */
export const internalFailure = (): ApiError => new ApiError(500, 'InternalFailure', 'Internal Failure.');

/**
 * Maps what a KMS call threw to an answer: a {@link KmsServiceError} keeps its status, code and
 * message; a malformed blob or field ({@link FormatError} and other dek input errors) is a 400
 * `InvalidParameter` naming the field; a failed unwrap (wrong key, context or Aad) is a 400
 * `InvalidParameter` on `CiphertextBlob`; anything else a 500 `InternalFailure`.
 */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof KmsServiceError) return new ApiError(error.httpStatus, error.code, error.message);
  if (error instanceof AuthenticationError) return invalidParameter('CiphertextBlob', 'It does not decrypt under this key and Aad.');
  if (error instanceof FormatError || (error instanceof DekError && error.code === 'DEK_ARGUMENT')) {
    const field = typeof error.details.field === 'string' ? error.details.field : 'CiphertextBlob';
    return invalidParameter(field, error.message);
  }
  return internalFailure();
}
