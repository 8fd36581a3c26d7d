/**
 * Node entry of `@dek/core`: the portable API with node:crypto (OpenSSL, AES-NI) as the default
 * AES-GCM backend and for HMAC / SHA-256 (so `@noble/hashes` is not loaded); `nobleAesGcm` loads
 * `@noble/ciphers` on its first call only.
 *
 * @packageDocumentation
 */
import { nodeAesGcm } from './aead/node.js';
import { setDefaultAesGcm } from './aead/default.js';
import { setDefaultHashes } from './hashes/hashes.js';
import { nodeHashes } from './hashes/node.js';

setDefaultAesGcm(nodeAesGcm);
setDefaultHashes(nodeHashes);

export * from './api.js';
export { nodeAesGcm } from './aead/node.js';
export { nobleAesGcm } from './aead/noble-lazy.js';
