/**
 * Issues ClientKeys for the server's KMS instance API, in Alibaba's format: a JSON file
 * `{ "KeyId": "...", "PrivateKeyData": "<base64 PKCS#12>" }` and a password. The PKCS#12 holds
 * an RSA-2048 key and a self-signed certificate, encrypted with 3DES (what Alibaba's Go SDK can
 * open). The server keeps only the certificate, whose public key verifies request signatures.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import forge from 'node-forge';
import { forgeKeyPair, newCertificate } from './certificates.js';

/** A freshly issued ClientKey. */
export interface IssuedClientKey {
  /** The ClientKey id (`x-kms-acccesskeyid`). */
  readonly keyId: string;
  /** The content of the ClientKey JSON file. */
  readonly content: { readonly KeyId: string; readonly PrivateKeyData: string };
  /** The certificate (PEM) to register with the server under `keyId`. */
  readonly certificate: string;
}

/** Options of {@link issueClientKey}. */
export interface IssueClientKeyOptions {
  /** The password that protects the PKCS#12. */
  readonly password: string;
  /** Default `KAAP.` + a random UUID, the shape of Alibaba's ClientKey ids. */
  readonly keyId?: string;
  /** Validity of the certificate in days (default 365). */
  readonly validDays?: number;
}

/** Issues a ClientKey: register `certificate` as `clientKeys[keyId]` and hand `content` + password to the client. */
export function issueClientKey(options: IssueClientKeyOptions): IssuedClientKey {
  const keyId = options.keyId ?? `KAAP.${randomUUID()}`;
  const pair = forgeKeyPair();
  const cert = newCertificate(pair.publicKey, keyId, options.validDays ?? 365);
  cert.setIssuer(cert.subject.attributes);
  cert.sign(pair.privateKey, forge.md.sha256.create());
  const p12 = forge.pkcs12.toPkcs12Asn1(pair.privateKey, [cert], options.password, { algorithm: '3des' });
  return {
    keyId,
    content: { KeyId: keyId, PrivateKeyData: forge.util.encode64(forge.asn1.toDer(p12).getBytes()) },
    certificate: forge.pki.certificateToPem(cert),
  };
}
