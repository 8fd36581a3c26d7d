/**
 * The errors of the AWS KMS dialect: an HTTP status, AWS's error type (the `__type` of the JSON
 * body, which the official SDK turns into its exception class) and a message. Also the mapping of
 * what the backend (LocalKms, Alibaba codes) and the server plumbing throw onto AWS's types.
 *
 * @module
 */
import { KmsServiceError } from '@dek/kms-adapter';
import { ApiError } from '../api-error.js';

/** An AWS error answer. Never carries key or plaintext bytes. */
export class AwsError extends Error {
  /** The HTTP status of the answer (400 for most). */
  readonly status: number;
  /** AWS's error type, e.g. `NotFoundException`. */
  readonly type: string;

  constructor(type: string, message: string, status = 400) {
    super(message);
    this.name = 'AwsError';
    this.type = type;
    this.status = status;
  }
}

/** 400 `ValidationException`, in AWS's wording. */
export const validation = (member: string, constraint: string): AwsError =>
  new AwsError('ValidationException', `1 validation error detected: Value at '${member}' failed to satisfy constraint: ${constraint}`);

/** 400 `SerializationException`: the body is not the JSON the action takes. */
export const serialization = (message: string): AwsError => new AwsError('SerializationException', message);

/** 400 `NotFoundException`. */
export const notFound = (message: string): AwsError => new AwsError('NotFoundException', message);

/** 400 `UnsupportedOperationException`: valid for AWS, not implemented by this server. */
export const unsupported = (message: string): AwsError => new AwsError('UnsupportedOperationException', message);

/** 400 `InvalidCiphertextException`: the blob does not parse or does not decrypt under its key and context. */
export const invalidCiphertext = (): AwsError =>
  new AwsError('InvalidCiphertextException', 'The ciphertext is invalid, or it does not decrypt under this encryption context.');

/** 400 `UnknownOperationException`. */
export const unknownOperation = (message: string): AwsError => new AwsError('UnknownOperationException', message);

/** 500 `KMSInternalException`; the cause stays on the server. */
export const internal = (): AwsError => new AwsError('KMSInternalException', 'An internal error occurred.', 500);

/** Backend (Alibaba-style) codes and the AWS types they become; anything else is a 500. */
const FROM_BACKEND: Readonly<Record<string, readonly [status: number, type: string]>> = {
  'Forbidden.KeyNotFound': [400, 'NotFoundException'],
  'Forbidden.AliasNotFound': [400, 'NotFoundException'],
  'Rejected.Disabled': [400, 'DisabledException'],
  'Rejected.PendingDeletion': [400, 'KMSInvalidStateException'],
  'Rejected.StateModifiedFailed': [400, 'KMSInvalidStateException'],
  'Forbidden.OnlySymmetricKeySupported': [400, 'InvalidKeyUsageException'],
  'Rejected.UnsupportedOperation': [400, 'UnsupportedOperationException'],
  AliasAlreadyExists: [400, 'AlreadyExistsException'],
  InvalidParameter: [400, 'ValidationException'],
  MissingParameter: [400, 'ValidationException'],
  'Keystore.LockTimeout': [503, 'DependencyTimeoutException'],
};

/** Server plumbing errors ({@link ApiError}) and the AWS types they become. */
const FROM_PLUMBING: Readonly<Record<number, string>> = {
  400: 'SerializationException',
  413: 'RequestEntityTooLargeException',
  503: 'ServiceUnavailableException',
};

/**
 * What any failure becomes on the wire: an {@link AwsError} as is; a backend
 * {@link KmsServiceError} by its code (`Forbidden.KeyNotFound` -> `NotFoundException`,
 * `Rejected.Disabled` -> `DisabledException`, ...), keeping its message unless it is a 5xx; an
 * {@link ApiError} of the server itself (body too large, timeout) by its status; anything else
 * a 500 `KMSInternalException`.
 */
export function toAwsError(error: unknown): AwsError {
  if (error instanceof AwsError) return error;
  if (error instanceof KmsServiceError) {
    const mapped = FROM_BACKEND[error.code];
    if (mapped === undefined) return internal();
    return new AwsError(mapped[1], mapped[0] >= 500 ? 'The request timed out waiting for the key store.' : error.message, mapped[0]);
  }
  if (error instanceof ApiError) {
    const type = FROM_PLUMBING[error.status];
    return type === undefined ? internal() : new AwsError(type, error.message, error.status);
  }
  return internal();
}
