/**
 * Node-only AES-GCM backend on `node:crypto` (OpenSSL, AES-NI). Not part of the portable barrel.
 *
 * @module
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { AuthenticationError } from '../errors.js';
import { AES_GCM_TAG_LENGTH, checkAesGcmArgs, checkSealOutput, type AesGcm, type DetachedSeal } from './aes-gcm.js';

const algorithm = (key: Uint8Array): 'aes-128-gcm' | 'aes-256-gcm' =>
  key.length === 16 ? 'aes-128-gcm' : 'aes-256-gcm';

/** Seals with OpenSSL: its ciphertext and tag buffers as they come (no copy). */
function sealDetached(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): DetachedSeal {
  const cipher = createCipheriv(algorithm(key), key, nonce, { authTagLength: AES_GCM_TAG_LENGTH });
  if (aad !== undefined && aad.length > 0) cipher.setAAD(aad);
  const ciphertext = cipher.update(plaintext);
  cipher.final(); // GCM is a stream mode: final() yields no bytes.
  return { ciphertext, tag: cipher.getAuthTag() };
}

/** Seals into `out` (checked by the caller): OpenSSL's ciphertext is copied once, then the tag. */
function sealInto(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, out: Uint8Array, aad?: Uint8Array): void {
  const { ciphertext, tag } = sealDetached(key, nonce, plaintext, aad);
  out.set(ciphertext, 0);
  out.set(tag, plaintext.length);
}

/**
 * AES-GCM on `node:crypto`. Output is byte-identical to {@link nobleAesGcm}. `seal` allocates its
 * `ciphertext || tag` result once (`sealInto` not at all); `sealDetached` returns OpenSSL's
 * ciphertext and tag buffers without copying; `open` returns OpenSSL's output buffer without
 * copying, and zeroes it if the tag does not verify.
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
  sealDetached(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): DetachedSeal {
    checkAesGcmArgs(key, nonce, plaintext, aad);
    return sealDetached(key, nonce, plaintext, aad);
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
