/**
 * The API both entries of `@dek/core` share: everything but the AES-GCM backends, which each
 * entry adds and installs as the default itself (so that the Node entry does not load
 * `@noble/ciphers`).
 *
 * @module
 */
export * from './errors.js';
export * from './remote-message.js';
export * from './bytes.js';
export * from './random.js';
export * from './kms-blob.js';
export * from './aead/index.js';
export * from './hkdf.js';
export * from './chunked/index.js';
export * from './header/index.js';
