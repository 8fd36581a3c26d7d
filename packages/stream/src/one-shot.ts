/**
 * One-shot helpers for messages held in memory. They feed the state machines in 1 MiB slices and
 * copy the output once into an array allocated at its final size, so a large message is never
 * held twice as a list of pieces.
 *
 * @module
 */
import { ArgumentError, payloadPlaintextLength, readPrelude, sealedPayloadLength, zeroize } from '@dek/core';
import { ExactOutput, joinBytes } from './envelope/bytes.js';
import { EnvelopeDecryptor } from './envelope/decryptor.js';
import type { DecryptOptions } from './envelope/decryptor.js';
import { prepareEncryption, startEncryption } from './envelope/encryptor.js';
import type { EncryptOptions } from './envelope/encryptor.js';
import { kmsLookup } from './keys/kms.js';

/** Input slice per state-machine call: bounds the pieces alive at once. */
const SLICE = 1024 * 1024;

function checkBytes(value: unknown, field: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new ArgumentError(`${field} must be a Uint8Array`, { field });
  return value;
}

/** Encrypts `plaintext` into one envelope (one KMS call by default). */
export async function encrypt(plaintext: Uint8Array, options: EncryptOptions): Promise<Uint8Array> {
  checkBytes(plaintext, 'plaintext');
  const prepared = prepareEncryption(options);
  const encryptor = await startEncryption(prepared);
  const out = new ExactOutput(encryptor.header.length + sealedPayloadLength(plaintext.length));
  out.put(encryptor.writeParts(plaintext.subarray(0, 0)));
  for (let at = 0; at < plaintext.length; at += SLICE) out.put(encryptor.writeParts(plaintext.subarray(at, at + SLICE)));
  out.put(encryptor.end());
  return out.result();
}

/**
 * Collects decrypted pieces: into an exactly sized array once the first plaintext arrives (the
 * header has then authenticated, so the payload length gives the plaintext length), or into a
 * list when the envelope's size fits no message (the decryptor then fails with the exact error).
 */
class PlaintextOutput {
  readonly #envelope: Uint8Array;
  #exact: ExactOutput | undefined;
  #pieces: Uint8Array[] | undefined;

  constructor(envelope: Uint8Array) {
    this.#envelope = envelope;
  }

  put(pieces: readonly Uint8Array[]): void {
    if (pieces.length === 0) return;
    if (this.#exact === undefined && this.#pieces === undefined) {
      const length = expectedPlaintextLength(this.#envelope);
      if (length === undefined) this.#pieces = [];
      else this.#exact = new ExactOutput(length);
    }
    if (this.#exact !== undefined) this.#exact.put(pieces);
    else for (const piece of pieces) this.#pieces!.push(piece);
  }

  result(): Uint8Array {
    return this.#exact !== undefined ? this.#exact.result() : joinBytes(this.#pieces ?? []);
  }

  /** Zeroes the plaintext gathered so far (decryption failed). */
  discard(): void {
    zeroize(this.#exact?.bytes, ...(this.#pieces ?? []));
  }
}

/** The plaintext length of an envelope of this size, or undefined when no message has that size. */
function expectedPlaintextLength(envelope: Uint8Array): number | undefined {
  try {
    return payloadPlaintextLength(envelope.length - readPrelude(envelope).headerLength);
  } catch {
    return undefined;
  }
}

/**
 * Decrypts a whole envelope; returns the plaintext only if every chunk authenticated and nothing
 * follows the final chunk. Throws the typed error otherwise (and zeroes what it had opened).
 */
export async function decrypt(envelope: Uint8Array, options: DecryptOptions): Promise<Uint8Array> {
  checkBytes(envelope, 'envelope');
  kmsLookup(options);
  const out = new PlaintextOutput(envelope);
  try {
    const decryptor = new EnvelopeDecryptor(options);
    let at = 0;
    do {
      out.put(decryptor.write(envelope.subarray(at, at + SLICE)));
      at += SLICE;
      if (decryptor.needsKey) out.put(await decryptor.unlock());
    } while (at < envelope.length);
    out.put(decryptor.end());
    return out.result();
  } catch (error) {
    out.discard();
    throw error;
  }
}
