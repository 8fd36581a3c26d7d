/**
 * Portable AES-GCM backend on `@noble/ciphers` (pure JS; the reference backend).
 *
 * @module
 */
import { gcm } from '@noble/ciphers/aes.js';
import { AuthenticationError } from '../errors.js';
import { AES_GCM_TAG_LENGTH, checkAesGcmArgs, checkSealOutput, type AesGcm } from './aes-gcm.js';

/** AES-GCM on `@noble/ciphers`: portable, audited, slow (tens of MB/s). */
export const nobleAesGcm: AesGcm = Object.freeze({
  name: 'noble',
  seal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): Uint8Array {
    checkAesGcmArgs(key, nonce, plaintext, aad);
    return gcm(key, nonce, aad).encrypt(plaintext);
  },
  sealInto(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, output: Uint8Array, aad?: Uint8Array): void {
    checkAesGcmArgs(key, nonce, plaintext, aad);
    checkSealOutput(plaintext, output);
    output.set(gcm(key, nonce, aad).encrypt(plaintext));
  },
  open(key: Uint8Array, nonce: Uint8Array, ciphertextAndTag: Uint8Array, aad?: Uint8Array): Uint8Array {
    checkAesGcmArgs(key, nonce, ciphertextAndTag, aad);
    if (ciphertextAndTag.length < AES_GCM_TAG_LENGTH) {
      throw new AuthenticationError('AES-GCM input is shorter than the tag', { field: 'ciphertext' });
    }
    try {
      return gcm(key, nonce, aad).decrypt(ciphertextAndTag);
    } catch {
      throw new AuthenticationError('AES-GCM authentication failed', { field: 'tag' });
    }
  },
});
