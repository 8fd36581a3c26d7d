/**
 * The AES-GCM interface and the default backend (each entry of the package adds its backends).
 *
 * @module
 */
export { AES_GCM_NONCE_LENGTH, AES_GCM_TAG_LENGTH, type AesGcm, type DetachedSeal } from './aes-gcm.js';
export { defaultAesGcm } from './default.js';
