/**
 * `@dek/kms-adapter`: the KMS interfaces of dek and LocalKms, their embedded implementation.
 * The cloud clients live in `@dek/kms-alibaba` and `@dek/kms-aws`, so that this package needs
 * no cloud SDK.
 *
 * @packageDocumentation
 */
export * from './kms.js';
export * from './admin.js';
export * from './errors.js';
export * from './local/index.js';
