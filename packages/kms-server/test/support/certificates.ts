/**
 * Self-signed certificates with a chosen validity, for the ClientKey expiry tests (here and in
 * the CLI's, which has no node-forge of its own).
 */
import { generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';

/** A self-signed RSA certificate (PEM) valid from `notBefore` to `notAfter`. */
export function certificateValid(notBefore: Date, notAfter: Date, commonName = 'KAAP.test'): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const key = forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = '01';
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = notAfter;
  cert.setSubject([{ name: 'commonName', value: commonName }]);
  cert.setIssuer(cert.subject.attributes);
  cert.sign(key, forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}
