/**
 * The ClientKeys the instance API accepts: each id's public key and, when it was registered as a
 * certificate, the certificate's validity. Alibaba's ClientKeys expire (`NotBefore`/`NotAfter`);
 * so does a registration here: refused when the certificate is not valid at start-up, and
 * every request checked against the server clock (see authenticate.ts).
 *
 * @module
 */
import { createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { ArgumentError } from '@dek/core';

/** One registered ClientKey. */
export interface RegisteredClientKey {
  /** Verifies the request signatures. */
  readonly publicKey: KeyObject;
  /** The certificate's validity, in milliseconds since the epoch; absent for a bare public key. */
  readonly validity?: { readonly notBefore: number; readonly notAfter: number };
}

/** True when `now` is inside the key's validity (always, for a bare public key). */
export function isClientKeyValid(key: RegisteredClientKey, now: number): boolean {
  return key.validity === undefined || (now >= key.validity.notBefore && now <= key.validity.notAfter);
}

function certificateOf(pem: string): X509Certificate | undefined {
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) return undefined;
  return new X509Certificate(pem);
}

function register(id: string, key: string | KeyObject, now: number): RegisteredClientKey {
  const field = `clientKeys.${id}`;
  if (typeof key !== 'string') return { publicKey: key.type === 'public' ? key : createPublicKey(key) };
  let certificate: X509Certificate | undefined;
  try {
    certificate = certificateOf(key);
    if (certificate === undefined) return { publicKey: createPublicKey(key) };
  } catch {
    throw new ArgumentError(`${field} is neither a PEM certificate nor a PEM public key`, { field });
  }
  const validity = { notBefore: Date.parse(certificate.validFrom), notAfter: Date.parse(certificate.validTo) };
  const registered = { publicKey: certificate.publicKey, validity };
  if (!isClientKeyValid(registered, now)) {
    const state = now < validity.notBefore ? 'is not valid yet' : 'has expired';
    throw new ArgumentError(
      `${field}: the certificate ${state}: it is valid from ${new Date(validity.notBefore).toISOString()} to ${new Date(validity.notAfter).toISOString()}, and it is now ${new Date(now).toISOString()}`,
      { field, notBefore: validity.notBefore, notAfter: validity.notAfter },
    );
  }
  return registered;
}

/**
 * Registers ClientKeys given as PEM certificates, PEM public keys or `KeyObject`s. ArgumentError
 * naming `clientKeys.<id>` for one that does not parse, or whose certificate is not valid at `now`.
 */
export function registerClientKeys(keys: Readonly<Record<string, string | KeyObject>>, now: number): Map<string, RegisteredClientKey> {
  return new Map(Object.entries(keys).map(([id, key]) => [id, register(id, key, now)] as const));
}
