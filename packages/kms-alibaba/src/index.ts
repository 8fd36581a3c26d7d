/**
 * Alibaba Cloud KMS clients: {@link AlibabaOpenApiKms} (OpenAPI 2016-01-20 through the official
 * `@alicloud/kms20160120` client, provider `alibaba-openapi`) and {@link AlibabaInstanceKms}
 * (the KMS instance API `dkms-gcs-0.2`, protobuf and ClientKey signatures, provider `alibaba-kms`).
 *
 * @module
 */
export * from './retry.js';
export * from './client-key.js';
export * from './instance-messages.js';
export * from './instance-signature.js';
export * from './instance-kms.js';
export * from './openapi-kms.js';
