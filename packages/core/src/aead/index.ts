/**
 * AES-GCM backends (portable barrel: the node:crypto backend lives in `@dek/core/node`).
 *
 * @module
 */
export { AES_GCM_NONCE_LENGTH, AES_GCM_TAG_LENGTH, type AesGcm, type DetachedSeal } from './aes-gcm.js';
export { nobleAesGcm } from './noble.js';
export { defaultAesGcm } from './default.js';
