/**
 * Node entry of `@dek/core`: the portable API with node:crypto (OpenSSL, AES-NI) as the default
 * AES-GCM backend.
 *
 * @packageDocumentation
 */
import { nodeAesGcm } from './aead/node.js';
import { setDefaultAesGcm } from './aead/default.js';

setDefaultAesGcm(nodeAesGcm);

export * from './index.js';
export { nodeAesGcm } from './aead/node.js';
