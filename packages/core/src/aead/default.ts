/**
 * The process-wide default AES-GCM backend: noble until the Node entry installs node:crypto.
 *
 * @module
 */
import type { AesGcm } from './aes-gcm.js';
import { nobleAesGcm } from './noble.js';

let current: AesGcm = nobleAesGcm;

/**
 * The AES-GCM backend used when none is passed: `nodeAesGcm` under Node (set by the `node` entry),
 * `nobleAesGcm` elsewhere. Call it at use time; do not capture it at module load.
 */
export function defaultAesGcm(): AesGcm {
  return current;
}

/**
 * Replaces the default backend. Internal: called by `index.node.ts`; not re-exported.
 * @internal
 */
export function setDefaultAesGcm(aead: AesGcm): void {
  current = aead;
}
