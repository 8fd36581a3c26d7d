/**
 * Node entry of `@dek/core`: the portable API with node:crypto (OpenSSL, AES-NI) as the default
 * AES-GCM backend; `nobleAesGcm` loads `@noble/ciphers` on its first call only.
 *
 * @packageDocumentation
 */
import { nodeAesGcm } from './aead/node.js';
import { setDefaultAesGcm } from './aead/default.js';

setDefaultAesGcm(nodeAesGcm);

export * from './api.js';
export { nodeAesGcm } from './aead/node.js';
export { nobleAesGcm } from './aead/noble-lazy.js';
