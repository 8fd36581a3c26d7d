/**
 * `@dek/kms-adapter`: the KMS interfaces of dek and their implementations.
 *
 * @packageDocumentation
 */
export * from './kms.js';
export * from './admin.js';
export * from './errors.js';
export * from './local/index.js';
export * from './alibaba/index.js';
export * from './aws/index.js';
