/**
 * How an AWS `EncryptionContext` binds to a ciphertext here: the backend takes a binary `Aad`, so
 * the context becomes
 *
 * ```
 * Aad = SHA-256("dek/aws-kms encryption-context" | 0x00
 *               | for each pair, sorted by the UTF-8 bytes of its key: u32(len k) | k | u32(len v) | v)
 * ```
 *
 * (`k`, `v` UTF-8, lengths in bytes, big-endian). The encoding is injective, so two different
 * contexts never give the same Aad; the order of the JSON members does not matter. No context,
 * or `{}`, is no Aad at all. Decrypt needs exactly the same context. Strings with lone
 * surrogates and contexts over 8192 bytes are refused (`ValidationException`).
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { validation } from './errors.js';

/** Domain separation prefix of the encoding. */
export const ENCRYPTION_CONTEXT_DOMAIN = 'dek/aws-kms encryption-context';

/** Largest context, keys plus values, in UTF-8 bytes. */
export const MAX_ENCRYPTION_CONTEXT_BYTES = 8192;

/** In `u` mode a surrogate pair is one code point, so only lone surrogates match. */
const LONE_SURROGATE = /\p{Cs}/u;

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/**
 * The Aad of `context` (see the module documentation), or undefined for no context or `{}`.
 * `member` names the request member in the `ValidationException` of a context over 8192 bytes.
 */
export function encryptionContextAad(context: Readonly<Record<string, string>> | undefined, member: string): Uint8Array | undefined {
  if (context === undefined) return undefined;
  for (const [k, v] of Object.entries(context)) {
    // A lone surrogate would encode as U+FFFD and collide with a context that has U+FFFD itself.
    if (LONE_SURROGATE.test(k) || LONE_SURROGATE.test(v)) throw validation(member, 'Member must be well-formed Unicode');
  }
  const pairs = Object.entries(context).map(([k, v]) => [Buffer.from(k, 'utf8'), Buffer.from(v, 'utf8')] as const);
  if (pairs.length === 0) return undefined;
  const size = pairs.reduce((sum, [k, v]) => sum + k.length + v.length, 0);
  if (size > MAX_ENCRYPTION_CONTEXT_BYTES) {
    throw validation(member, `Member must have at most ${MAX_ENCRYPTION_CONTEXT_BYTES} bytes of keys and values`);
  }
  pairs.sort(([a], [b]) => Buffer.compare(a, b));
  const hash = createHash('sha256').update(ENCRYPTION_CONTEXT_DOMAIN, 'utf8').update(Buffer.of(0));
  for (const [k, v] of pairs) hash.update(u32(k.length)).update(k).update(u32(v.length)).update(v);
  return new Uint8Array(hash.digest());
}
