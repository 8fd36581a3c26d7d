/**
 * `@dek/kms-server`: an HTTP(S) server that speaks Alibaba Cloud KMS's wire protocols (the
 * OpenAPI 2016-01-20 RPC/JSON dialect and the KMS instance API `dkms-gcs-0.2`) over a
 * `LocalKms` keystore, so the official clients can be pointed at it.
 *
 * @packageDocumentation
 */
export { startKmsServer, DEFAULT_MAX_BODY_BYTES, MAX_HEADER_BYTES } from './server.js';
export type { KmsServer, KmsServerOptions, KmsServerTls } from './server.js';
export type { KmsBackend } from './backend.js';
export { ApiError } from './api-error.js';
export { OPENAPI_VERSION } from './openapi/authenticate.js';
export { INSTANCE_API_VERSION } from './instance/authenticate.js';
export { INSTANCE_PROTO } from './instance/messages.js';
export { KEY_VERSION_HEADER } from './instance/handler.js';
export { createDevTls } from './dev-tls.js';
export type { DevTls, DevTlsOptions } from './dev-tls.js';
export { issueClientKey } from './client-key.js';
export type { IssuedClientKey, IssueClientKeyOptions } from './client-key.js';
export * from './aws/index.js';
export { PolicySet, PolicyFileError } from './policy/policy-set.js';
export type { PolicyDecision } from './policy/policy-set.js';
export { AuditLog } from './audit/audit-log.js';
export type { AuditLogOptions } from './audit/audit-log.js';
export type { AuditEntry, Dialect } from './audit/audit-entry.js';
