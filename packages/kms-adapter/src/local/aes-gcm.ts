/**
 * AES-GCM through node:crypto (OpenSSL) for LocalKms: 12-byte IV, 16-byte tag, 128- or 256-bit
 * keys. Node-only, like the rest of LocalKms.
 *
 * @module
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import type { CipherGCMTypes } from 'node:crypto';

/** GCM IV length used everywhere in LocalKms. */
export const GCM_IV_LENGTH = 12;
/** GCM tag length. */
export const GCM_TAG_LENGTH = 16;

function algorithm(key: Uint8Array): CipherGCMTypes {
  if (key.length === 32) return 'aes-256-gcm';
  if (key.length === 16) return 'aes-128-gcm';
  throw new RangeError(`AES-GCM key must be 16 or 32 bytes, got ${key.length}`);
}

/** Encrypts `plaintext`; returns ciphertext || tag. */
export function gcmSeal(key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): Uint8Array {
  const cipher = createCipheriv(algorithm(key), key, iv, { authTagLength: GCM_TAG_LENGTH });
  if (aad !== undefined && aad.length > 0) cipher.setAAD(aad);
  const head = cipher.update(plaintext);
  const tail = cipher.final();
  const out = new Uint8Array(head.length + tail.length + GCM_TAG_LENGTH);
  out.set(head, 0);
  out.set(tail, head.length);
  out.set(cipher.getAuthTag(), head.length + tail.length);
  return out;
}

/**
 * Decrypts ciphertext || tag. Returns undefined when the tag does not verify (wrong key, IV, AAD
 * or any changed byte); no plaintext is released then.
 */
export function gcmOpen(
  key: Uint8Array,
  iv: Uint8Array,
  ciphertextAndTag: Uint8Array,
  aad?: Uint8Array,
): Uint8Array | undefined {
  if (iv.length !== GCM_IV_LENGTH || ciphertextAndTag.length < GCM_TAG_LENGTH) return undefined;
  const split = ciphertextAndTag.length - GCM_TAG_LENGTH;
  const decipher = createDecipheriv(algorithm(key), key, iv, { authTagLength: GCM_TAG_LENGTH });
  decipher.setAuthTag(ciphertextAndTag.subarray(split));
  if (aad !== undefined && aad.length > 0) decipher.setAAD(aad);
  const head = decipher.update(ciphertextAndTag.subarray(0, split));
  try {
    const tail = decipher.final();
    const out = new Uint8Array(head.length + tail.length);
    out.set(head, 0);
    out.set(tail, head.length);
    return out;
  } catch {
    return undefined;
  } finally {
    head.fill(0);
  }
}
