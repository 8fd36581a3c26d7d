/**
 * Portable AES-GCM backend on `@noble/ciphers` (pure JS; the reference backend), imported with
 * the portable entry.
 *
 * @module
 */
import { gcm } from '@noble/ciphers/aes.js';
import type { AesGcm } from './aes-gcm.js';
import { nobleBackend } from './noble-backend.js';

/** AES-GCM on `@noble/ciphers`: portable, audited, slow (tens of MB/s). */
export const nobleAesGcm: AesGcm = nobleBackend(() => gcm);
