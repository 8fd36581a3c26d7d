/**
 * The AWS KMS dialect of the server (JSON 1.1, SigV4): its options, and the SigV4 and
 * encryption-context computations it verifies with.
 *
 * @module
 */
export { AWS_JSON_CONTENT_TYPE, AWS_KMS_TARGET_PREFIX } from './handler.js';
export type { AwsDialectOptions } from './handler.js';
export { ENCRYPTION_CONTEXT_DOMAIN, MAX_ENCRYPTION_CONTEXT_BYTES, encryptionContextAad } from './encryption-context.js';
export {
  SIGV4_ALGORITHM,
  canonicalQuery,
  canonicalUri,
  credentialScope,
  parseSigV4Authorization,
  sigV4CanonicalRequest,
  sigV4Signature,
  sigV4SigningKey,
  sigV4StringToSign,
  uriEncode,
} from './sigv4.js';
export type { QueryParam, SigV4Authorization, SigV4Request } from './sigv4.js';
