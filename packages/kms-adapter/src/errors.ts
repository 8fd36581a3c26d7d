/**
 * The one error class of every KMS call, carrying what Alibaba Cloud KMS returns:
 * HTTP status, error code (e.g. `Forbidden.KeyNotFound`), message and request id.
 *
 * @module
 */

/** Fields of a KMS error, as Alibaba Cloud KMS reports them. */
export interface KmsServiceErrorFields {
  readonly httpStatus: number;
  /** Alibaba's error code, e.g. `Forbidden.KeyNotFound`, `Rejected.Disabled`, `InvalidParameter`. */
  readonly code: string;
  readonly message: string;
  readonly requestId: string;
}

/** A KMS call failed. Never carries key material or plaintext. */
export class KmsServiceError extends Error implements KmsServiceErrorFields {
  readonly httpStatus: number;
  readonly code: string;
  readonly requestId: string;

  constructor(fields: KmsServiceErrorFields, options?: { cause?: unknown }) {
    super(fields.message, options);
    this.name = 'KmsServiceError';
    this.httpStatus = fields.httpStatus;
    this.code = fields.code;
    this.requestId = fields.requestId;
  }
}
