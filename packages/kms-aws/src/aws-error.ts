/**
 * Turning what `@aws-sdk/client-kms` throws into dek's {@link KmsServiceError}.
 *
 * @module
 */
import { safeRemoteCode, safeRemoteMessage } from '@dek/core';
import { KmsServiceError } from '@dek/kms-adapter';
import { awsKmsSdk } from './sdk.js';

/** The facts every SDK error may carry. */
interface SdkErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown; readonly requestId?: unknown };
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/**
 * Maps an SDK error to a {@link KmsServiceError}. Its message is made safe by `safeRemoteMessage`
 * (AWS's `InvalidSignatureException` quotes the canonical request), and the SDK's error is not kept
 * as `cause` (its text and `$response` hold what the service sent):
 *
 * - a service error (`KMSServiceException`, e.g. `NotFoundException`, `DisabledException`,
 *   `InvalidCiphertextException`, `AccessDeniedException`, `ThrottlingException`) keeps AWS's
 *   HTTP status, error name as `code`, message and `$metadata.requestId`;
 * - a timeout is `RequestTimeout`, a socket failure (`ECONNREFUSED`, ...) `NetworkFailure`, both
 *   with status 0;
 * - an answer the SDK could not parse is `InvalidResponse` (with the status it came with);
 * - a credentials failure keeps its name (`CredentialsProviderError`); anything else thrown before
 *   a request was sent (e.g. "Region is missing") is `ClientError`, status 0.
 */
export function awsKmsError(error: unknown): KmsServiceError {
  if (error instanceof KmsServiceError) return error;
  const e = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorShape;
  const status = e.$metadata?.httpStatusCode;
  const httpStatus = typeof status === 'number' ? status : 0;
  const requestId = safeRemoteCode(text(e.$metadata?.requestId));
  const message = safeRemoteMessage(typeof e.message === 'string' ? e.message : '');
  if (error instanceof awsKmsSdk().KMSServiceException) {
    return new KmsServiceError({ httpStatus, code: safeRemoteCode(error.name), message, requestId });
  }
  const name = text(e.name);
  const code = text(e.code);
  const kind =
    name === 'TimeoutError' || code === 'ETIMEDOUT' || code === 'TimeoutError'
      ? 'RequestTimeout'
      : /^E[A-Z]+$/.test(code)
        ? 'NetworkFailure'
        : httpStatus !== 0
          ? 'InvalidResponse'
          : name !== '' && name !== 'Error'
            ? name
            : 'ClientError';
  return new KmsServiceError({ httpStatus, code: safeRemoteCode(kind), message: `AWS KMS call failed: ${message}`, requestId });
}
