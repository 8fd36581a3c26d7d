/**
 * How an `aws-kms` slot carries dek's binary `Aad`: AWS KMS has no binary AAD, only the
 * `EncryptionContext` (a map of strings it binds to the ciphertext). dek sends
 * `{"dek-aad": base64(aad)}`, and no context at all when `aad` is absent or empty. The same map is
 * needed to decrypt, so a slot unwraps only for its own Aad.
 *
 * @module
 */

/** The `EncryptionContext` key that carries dek's `aad` (standard base64 with padding). */
export const AWS_AAD_CONTEXT_KEY = 'dek-aad';

/** The `EncryptionContext` for `aad`: `{"dek-aad": base64(aad)}`, or undefined when there is no aad. */
export function aadEncryptionContext(aad: Uint8Array | undefined): Record<string, string> | undefined {
  if (aad === undefined || aad.length === 0) return undefined;
  return { [AWS_AAD_CONTEXT_KEY]: Buffer.from(aad.buffer, aad.byteOffset, aad.length).toString('base64') };
}
