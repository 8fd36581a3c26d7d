/**
 * `@dek/core`: the primitives every dek package stands on. Portable entry: no Node built-ins;
 * under Node the `node` export condition loads `index.node.ts`, which makes node:crypto the
 * default AES-GCM backend.
 *
 * @packageDocumentation
 */
import { nobleAesGcm } from './aead/noble.js';
import { setDefaultAesGcm } from './aead/default.js';
import { setDefaultHashes } from './hashes/hashes.js';
import { nobleHashes } from './hashes/noble.js';

setDefaultAesGcm(nobleAesGcm);
setDefaultHashes(nobleHashes);

export * from './api.js';
export { nobleAesGcm } from './aead/noble.js';
