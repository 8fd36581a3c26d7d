/**
 * AWS KMS: {@link AwsKms} (provider `aws-kms`) over the official `@aws-sdk/client-kms`, with dek's
 * `aad` carried in the `EncryptionContext` and AWS errors as {@link KmsServiceError}s.
 *
 * @module
 */
export { AwsKms, AWS_KMS_PROVIDER } from './aws-kms.js';
export type { AwsKmsOptions } from './aws-kms.js';
export { awsKmsError } from './aws-error.js';
export { AWS_AAD_CONTEXT_KEY, aadEncryptionContext } from './encryption-context.js';
