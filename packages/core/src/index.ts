/**
 * `@dek/core`: the primitives every dek package stands on. Portable entry: no Node built-ins;
 * under Node the `node` export condition loads `index.node.ts`, which makes node:crypto the
 * default AES-GCM backend.
 *
 * @packageDocumentation
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
