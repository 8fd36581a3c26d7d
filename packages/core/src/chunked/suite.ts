/**
 * The two Cobblestone instantiations of c2sp.org/chunked-encryption dek supports.
 *
 * @module
 */
import { FormatError } from '../errors.js';

/** Suite names as they appear in the envelope header. */
export type SuiteName = 'cobblestone-256' | 'cobblestone-128';

/** A Cobblestone suite: HKDF-Expand with SHA-512 and AES-GCM with `keyLength`-byte keys. */
export interface Suite {
  /** Suite name. */
  readonly name: SuiteName;
  /** Input key and AEAD key length in bytes. */
  readonly keyLength: 16 | 32;
  /** The AEAD's IANA registry name, bound into the key derivation. */
  readonly aeadId: 'AEAD_AES_256_GCM' | 'AEAD_AES_128_GCM';
}

/** All supported suites by name. `cobblestone-256` is dek's default. */
export const SUITES: Readonly<Record<SuiteName, Suite>> = Object.freeze({
  'cobblestone-256': Object.freeze({ name: 'cobblestone-256', keyLength: 32, aeadId: 'AEAD_AES_256_GCM' }),
  'cobblestone-128': Object.freeze({ name: 'cobblestone-128', keyLength: 16, aeadId: 'AEAD_AES_128_GCM' }),
});

/** Looks a suite up by name; an unknown name throws {@link FormatError} (field `suite`). */
export function getSuite(name: string): Suite {
  if (name === 'cobblestone-256' || name === 'cobblestone-128') return SUITES[name];
  throw new FormatError('unknown suite', { field: 'suite' });
}
