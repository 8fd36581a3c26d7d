/**
 * The AES-GCM backend on `@noble/ciphers` (pure JS; the reference backend), over a `gcm` function
 * supplied by the entry: imported with the portable entry, loaded on first use under Node.
 *
 * @module
 */
import type { gcm as nobleGcm } from '@noble/ciphers/aes.js';
import { AuthenticationError } from '../errors.js';
import { AES_GCM_TAG_LENGTH, checkAesGcmArgs, checkSealOutput, type AesGcm } from './aes-gcm.js';

/** `@noble/ciphers`' AES-GCM constructor. */
export type NobleGcm = typeof nobleGcm;

/** AES-GCM on `@noble/ciphers`, with `loadGcm()` called at each use (it must cache). */
export function nobleBackend(loadGcm: () => NobleGcm): AesGcm {
  return Object.freeze({
    name: 'noble',
    seal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): Uint8Array {
      checkAesGcmArgs(key, nonce, plaintext, aad);
      return loadGcm()(key, nonce, aad).encrypt(plaintext);
    },
    sealInto(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, output: Uint8Array, aad?: Uint8Array): void {
      checkAesGcmArgs(key, nonce, plaintext, aad);
      checkSealOutput(plaintext, output);
      output.set(loadGcm()(key, nonce, aad).encrypt(plaintext));
    },
    open(key: Uint8Array, nonce: Uint8Array, ciphertextAndTag: Uint8Array, aad?: Uint8Array): Uint8Array {
      checkAesGcmArgs(key, nonce, ciphertextAndTag, aad);
      if (ciphertextAndTag.length < AES_GCM_TAG_LENGTH) {
        throw new AuthenticationError('AES-GCM input is shorter than the tag', { field: 'ciphertext' });
      }
      const gcm = loadGcm();
      try {
        return gcm(key, nonce, aad).decrypt(ciphertextAndTag);
      } catch {
        throw new AuthenticationError('AES-GCM authentication failed', { field: 'tag' });
      }
    },
  });
}
