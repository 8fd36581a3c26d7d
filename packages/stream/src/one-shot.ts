/**
 * One-shot helpers for messages held in memory.
 *
 * @module
 */
import { ArgumentError } from '@dek/core';
import { joinBytes } from './bytes.js';
import { EnvelopeDecryptor } from './decryptor.js';
import type { DecryptOptions } from './decryptor.js';
import { createEnvelopeEncryptor } from './encryptor.js';
import type { EncryptOptions } from './encryptor.js';
import { kmsLookup } from './kms.js';

function checkBytes(value: unknown, field: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new ArgumentError(`${field} must be a Uint8Array`, { field });
  return value;
}

/** Encrypts `plaintext` into one envelope (one KMS call by default). */
export async function encrypt(plaintext: Uint8Array, options: EncryptOptions): Promise<Uint8Array> {
  checkBytes(plaintext, 'plaintext');
  const encryptor = await createEnvelopeEncryptor(options);
  const pieces = encryptor.write(plaintext);
  for (const piece of encryptor.end()) pieces.push(piece);
  return joinBytes(pieces);
}

/**
 * Decrypts a whole envelope; returns the plaintext only if every chunk authenticated and nothing
 * follows the final chunk. Throws the typed error otherwise.
 */
export async function decrypt(envelope: Uint8Array, options: DecryptOptions): Promise<Uint8Array> {
  checkBytes(envelope, 'envelope');
  kmsLookup(options);
  const decryptor = new EnvelopeDecryptor(options);
  const pieces = decryptor.write(envelope);
  if (decryptor.needsKey) for (const piece of await decryptor.unlock()) pieces.push(piece);
  for (const piece of decryptor.end()) pieces.push(piece);
  return joinBytes(pieces);
}
