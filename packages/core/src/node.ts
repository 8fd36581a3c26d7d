/**
 * `@dek/core/node`: Node-only pieces (the node:crypto AES-GCM backend).
 *
 * @packageDocumentation
 */
export { nodeAesGcm } from './aead/node.js';
