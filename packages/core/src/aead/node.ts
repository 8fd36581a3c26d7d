/**
 * Node-only AES-GCM backend on `node:crypto` (OpenSSL, AES-NI). Not part of the portable barrel.
 *
 * @module
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { AuthenticationError } from '../errors.js';
import { AES_GCM_TAG_LENGTH, checkAesGcmArgs, checkSealOutput, type AesGcm } from './aes-gcm.js';

const algorithm = (key: Uint8Array): 'aes-128-gcm' | 'aes-256-gcm' =>
  key.length === 16 ? 'aes-128-gcm' : 'aes-256-gcm';

/** Seals into `out` (checked by the caller): OpenSSL's ciphertext is copied once, then the tag. */
function sealInto(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, out: Uint8Array, aad?: Uint8Array): void {
  const cipher = createCipheriv(algorithm(key), key, nonce, { authTagLength: AES_GCM_TAG_LENGTH });
  if (aad !== undefined && aad.length > 0) cipher.setAAD(aad);
  out.set(cipher.update(plaintext), 0);
  cipher.final(); // GCM is a stream mode: final() yields no bytes.
  out.set(cipher.getAuthTag(), plaintext.length);
}

/**
 * AES-GCM on `node:crypto`. Output is byte-identical to {@link nobleAesGcm}. `seal` allocates its
 * `ciphertext || tag` result once (`sealInto` not at all); `open` returns OpenSSL's output buffer
 * without copying, and zeroes it if the tag does not verify.
 */
export const nodeAesGcm: AesGcm = Object.freeze({
  name: 'node',
  seal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): Uint8Array {
    checkAesGcmArgs(key, nonce, plaintext, aad);
    const out = new Uint8Array(plaintext.length + AES_GCM_TAG_LENGTH);
    sealInto(key, nonce, plaintext, out, aad);
    return out;
  },
  sealInto(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, output: Uint8Array, aad?: Uint8Array): void {
    checkAesGcmArgs(key, nonce, plaintext, aad);
    checkSealOutput(plaintext, output);
    sealInto(key, nonce, plaintext, output, aad);
  },
  open(key: Uint8Array, nonce: Uint8Array, ciphertextAndTag: Uint8Array, aad?: Uint8Array): Uint8Array {
    checkAesGcmArgs(key, nonce, ciphertextAndTag, aad);
    const ctLength = ciphertextAndTag.length - AES_GCM_TAG_LENGTH;
    if (ctLength < 0) throw new AuthenticationError('AES-GCM input is shorter than the tag', { field: 'ciphertext' });
    const decipher = createDecipheriv(algorithm(key), key, nonce, { authTagLength: AES_GCM_TAG_LENGTH });
    decipher.setAuthTag(ciphertextAndTag.subarray(ctLength));
    if (aad !== undefined && aad.length > 0) decipher.setAAD(aad);
    const pt = decipher.update(ciphertextAndTag.subarray(0, ctLength));
    try {
      decipher.final();
    } catch {
      pt.fill(0);
      throw new AuthenticationError('AES-GCM authentication failed', { field: 'tag' });
    }
    return new Uint8Array(pt.buffer, pt.byteOffset, pt.length);
  },
});
