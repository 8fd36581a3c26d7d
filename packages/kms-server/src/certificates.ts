/**
 * Key pairs and certificates in node-forge's types, for dev-tls and client-key. A module of its
 * own so that no declaration reachable from the package's index names node-forge's types (a
 * consumer would need `@types/node-forge` to type-check).
 *
 * @module
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

/** An RSA key pair made by node:crypto (fast) and handed to node-forge. */
export function forgeKeyPair(): { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const forgeKey = forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
  return { privateKey: forgeKey, publicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e) };
}

/** A certificate with a random serial, valid from now for `validDays`. */
export function newCertificate(publicKey: forge.pki.rsa.PublicKey, commonName: string, validDays: number): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  // A positive serial: clear the top bit of the first byte.
  const serial = randomBytes(16);
  serial[0] = serial[0]! & 0x7f;
  cert.serialNumber = serial.toString('hex');
  const start = new Date(Date.now() - 60_000);
  cert.validity.notBefore = start;
  cert.validity.notAfter = new Date(start.getTime() + validDays * 86_400_000);
  cert.setSubject([{ name: 'commonName', value: commonName }]);
  return cert;
}
