/**
 * Request signing of the Alibaba Cloud KMS instance API (`dkms-gcs-0.2`), as Alibaba's dkms-gcs
 * SDKs do it: RSASSA-PKCS1-v1_5 with SHA-256 over
 *
 * ```
 * METHOD \n content-sha256 \n content-type \n date \n
 * for each header named x-kms-*, sorted: name ":" trim(value) \n
 * "/"
 * ```
 *
 * sent as `Authorization: Bearer <base64 signature>`.
 *
 * @module
 */
import { sign, type KeyObject } from 'node:crypto';

/** The only signature method of the instance API. */
export const INSTANCE_SIGNATURE_METHOD = 'RSA_PKCS1_SHA_256';

/** The string an instance API request signs; `headers` has lowercase names. */
export function instanceStringToSign(method: string, headers: Readonly<Record<string, string>>): string {
  const kms = Object.keys(headers)
    .filter((name) => name.startsWith('x-kms-'))
    .sort()
    .map((name) => `${name}:${headers[name]!.trim()}\n`)
    .join('');
  return (
    `${method}\n${headers['content-sha256'] ?? ''}\n${headers['content-type'] ?? ''}\n${headers['date'] ?? ''}\n` +
    `${kms}/`
  );
}

/** The `Authorization` header value for a string to sign. */
export function instanceAuthorization(privateKey: KeyObject, stringToSign: string): string {
  return `Bearer ${sign('sha256', Buffer.from(stringToSign, 'utf8'), privateKey).toString('base64')}`;
}
