/**
 * The process-wide default AES-GCM backend, installed by the package entry: node:crypto under
 * Node, noble elsewhere.
 *
 * @module
 */
import { StateError } from '../errors.js';
import type { AesGcm } from './aes-gcm.js';

let current: AesGcm | undefined;

/**
 * The AES-GCM backend used when none is passed: `nodeAesGcm` under Node (set by the `node` entry),
 * `nobleAesGcm` elsewhere. Call it at use time; do not capture it at module load.
 */
export function defaultAesGcm(): AesGcm {
  if (current === undefined) throw new StateError('no default AES-GCM backend: import @dek/core, not one of its modules');
  return current;
}

/**
 * Replaces the default backend. Internal: called by the package entries; not re-exported.
 * @internal
 */
export function setDefaultAesGcm(aead: AesGcm): void {
  current = aead;
}
