/**
 * The `@noble/ciphers` AES-GCM backend as the Node entry exports it: `@noble/ciphers` builds its
 * AES tables when it loads, and node:crypto does the work under Node, so it is loaded (with
 * `require`, which loads ES modules since Node 20.19) on the first call only.
 *
 * @module
 */
import { createRequire } from 'node:module';
import type { AesGcm } from './aes-gcm.js';
import { nobleBackend, type NobleGcm } from './noble-backend.js';

const requireLazily = createRequire(import.meta.url);
let gcm: NobleGcm | undefined;

/** AES-GCM on `@noble/ciphers`: portable, audited, slow (tens of MB/s); loaded on first use. */
export const nobleAesGcm: AesGcm = nobleBackend(() => (gcm ??= (requireLazily('@noble/ciphers/aes.js') as { gcm: NobleGcm }).gcm));
