/**
 * The baseline: a bare node:crypto AES-256-GCM loop over 16 KiB chunks (createCipheriv per chunk,
 * nonce = base XOR chunk index, as the chunk layer does), with no framing, header or stream.
 * "discard" variants drop each chunk's output, as a loop that hands chunks on would; "into a new
 * buffer" variants copy them into one freshly allocated array, which is what an in-memory
 * one-shot result costs (fresh pages are slow here: see reference/performance.md).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const CHUNK = 16384;
const SEALED = CHUNK + 16;

export class RawChunks {
  readonly #key = randomBytes(32);
  readonly #base = randomBytes(12);
  readonly #nonce = Buffer.alloc(12);

  #nonceFor(index: number): Buffer {
    const n = this.#nonce;
    n.set(this.#base);
    n.writeUInt32BE((n.readUInt32BE(8) ^ index) >>> 0, 8);
    return n;
  }

  /** Seals every 16 KiB chunk of `plaintext` (a multiple of 16 KiB), dropping the output. */
  seal(plaintext: Uint8Array): void {
    for (let i = 0, at = 0; at < plaintext.length; i++, at += CHUNK) {
      const cipher = createCipheriv('aes-256-gcm', this.#key, this.#nonceFor(i));
      cipher.update(plaintext.subarray(at, at + CHUNK));
      cipher.final();
      cipher.getAuthTag();
    }
  }

  /** Seals into one new array of ciphertext || tag per chunk. */
  sealInto(plaintext: Uint8Array): Buffer {
    const out = Buffer.allocUnsafe((plaintext.length / CHUNK) * SEALED);
    for (let i = 0, at = 0; at < plaintext.length; i++, at += CHUNK) {
      const cipher = createCipheriv('aes-256-gcm', this.#key, this.#nonceFor(i));
      out.set(cipher.update(plaintext.subarray(at, at + CHUNK)), i * SEALED);
      cipher.final();
      out.set(cipher.getAuthTag(), i * SEALED + CHUNK);
    }
    return out;
  }

  /** Opens chunks made by {@link RawChunks.sealInto}, dropping the output (throws on a bad tag). */
  open(sealed: Uint8Array): void {
    for (let i = 0, at = 0; at < sealed.length; i++, at += SEALED) {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, this.#nonceFor(i));
      decipher.setAuthTag(sealed.subarray(at + CHUNK, at + SEALED));
      decipher.update(sealed.subarray(at, at + CHUNK));
      decipher.final();
    }
  }

  /** Opens into one new array. */
  openInto(sealed: Uint8Array): Buffer {
    const out = Buffer.allocUnsafe((sealed.length / SEALED) * CHUNK);
    for (let i = 0, at = 0; at < sealed.length; i++, at += SEALED) {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, this.#nonceFor(i));
      decipher.setAuthTag(sealed.subarray(at + CHUNK, at + SEALED));
      out.set(decipher.update(sealed.subarray(at, at + CHUNK)), i * CHUNK);
      decipher.final();
    }
    return out;
  }
}
