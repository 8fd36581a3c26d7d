/**
 * Alibaba Cloud KMS instance ClientKeys: a JSON file `{ "KeyId": "...", "PrivateKeyData":
 * "<base64 PKCS#12>" }` plus its password. The PKCS#12 holds the RSA key that signs requests
 * and the client certificate presented in TLS.
 *
 * @module
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { createRequire } from 'node:module';
import type forge from 'node-forge';

// node-forge costs ~40 ms to load: require it when a ClientKey is parsed, not with the package.
const requireLazily = createRequire(import.meta.url);
const forgeLib = (): typeof forge => requireLazily('node-forge') as typeof forge;
import { KmsServiceError } from '@dek/kms-adapter';

/** The JSON content of a ClientKey file. */
export interface ClientKeyContent {
  /** The ClientKey id, sent as `x-kms-acccesskeyid`. */
  readonly KeyId: string;
  /** Base64 of the PKCS#12 (PFX) file. */
  readonly PrivateKeyData: string;
}

/** A parsed ClientKey, ready to sign requests. */
export interface ClientKey {
  /** The ClientKey id. */
  readonly keyId: string;
  /** The RSA private key that signs requests. */
  readonly privateKey: KeyObject;
  /** The private key as PEM, for the TLS client certificate. */
  readonly privateKeyPem: string;
  /** The client certificate as PEM (empty when the PKCS#12 holds none). */
  readonly certificatePem: string;
}

/** PKCS#12 files are small; refuse to parse anything that is clearly not one. */
const MAX_CLIENT_KEY_LENGTH = 64 * 1024;

function invalid(message: string, cause?: unknown): KmsServiceError {
  return new KmsServiceError(
    { httpStatus: 0, code: 'InvalidClientKey', message, requestId: '' },
    cause === undefined ? undefined : { cause },
  );
}

/** Parses the JSON text of a ClientKey file (shape only; the PKCS#12 is parsed by {@link parseClientKey}). */
export function parseClientKeyJson(text: string): ClientKeyContent {
  if (text.length > MAX_CLIENT_KEY_LENGTH) throw invalid('ClientKey file is too large');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw invalid('ClientKey file is not JSON', cause);
  }
  if (typeof value !== 'object' || value === null) throw invalid('ClientKey file is not a JSON object');
  const { KeyId, PrivateKeyData } = value as Record<string, unknown>;
  if (typeof KeyId !== 'string' || KeyId === '') throw invalid('ClientKey field "KeyId" is missing');
  if (typeof PrivateKeyData !== 'string' || PrivateKeyData === '') {
    throw invalid('ClientKey field "PrivateKeyData" is missing');
  }
  return { KeyId, PrivateKeyData };
}

function firstBag(pfx: forge.pkcs12.Pkcs12Pfx, bagType: string): forge.pkcs12.Bag | undefined {
  return pfx.getBags({ bagType })[bagType]?.[0];
}

/**
 * Opens the PKCS#12 of a ClientKey with its password. Wrong password, a PKCS#12 without an RSA
 * private key, or malformed data: a {@link KmsServiceError} with code `InvalidClientKey`
 * (status 0: nothing was sent).
 */
export function parseClientKey(content: ClientKeyContent, password: string): ClientKey {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(content.PrivateKeyData) || content.PrivateKeyData.length > MAX_CLIENT_KEY_LENGTH) {
    throw invalid('ClientKey field "PrivateKeyData" is not base64');
  }
  const forge = forgeLib();
  let pfx: forge.pkcs12.Pkcs12Pfx;
  try {
    const der = forge.util.decode64(content.PrivateKeyData);
    pfx = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(der), password);
  } catch (cause) {
    throw invalid('ClientKey PKCS#12 could not be opened (wrong password or malformed data)', cause);
  }
  const keyBag =
    firstBag(pfx, forge.pki.oids.pkcs8ShroudedKeyBag!) ?? firstBag(pfx, forge.pki.oids.keyBag!);
  if (keyBag?.key === undefined) throw invalid('ClientKey PKCS#12 holds no RSA private key');
  const certBag = firstBag(pfx, forge.pki.oids.certBag!);
  const privateKeyPem = forge.pki.privateKeyToPem(keyBag.key);
  return {
    keyId: content.KeyId,
    privateKey: createPrivateKey(privateKeyPem),
    privateKeyPem,
    certificatePem: certBag?.cert === undefined ? '' : forge.pki.certificateToPem(certBag.cert),
  };
}
