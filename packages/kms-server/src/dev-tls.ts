/**
 * Development TLS material: a throwaway CA and a server certificate it signs, for running the
 * KMS server over HTTPS on loopback (tests, `dek serve`). Not for production.
 *
 * @module
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';

/** PEM texts of a development CA and a server certificate. */
export interface DevTls {
  /** The CA certificate: what clients trust (the "instance CA"). */
  readonly caCertificate: string;
  /** The server certificate, signed by the CA. */
  readonly certificate: string;
  /** The server's private key (PKCS#1 PEM). */
  readonly privateKey: string;
}

/** Options of {@link createDevTls}. */
export interface DevTlsOptions {
  /** DNS names and IP addresses the server certificate is valid for (default `127.0.0.1`, `localhost`). */
  readonly hostnames?: readonly string[];
  /** Validity in days (default 30). */
  readonly validDays?: number;
}

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

/** Makes a CA and a server certificate for `hostnames`. */
export function createDevTls(options: DevTlsOptions = {}): DevTls {
  const hostnames = options.hostnames ?? ['127.0.0.1', 'localhost'];
  const validDays = options.validDays ?? 30;
  const ca = forgeKeyPair();
  const caCert = newCertificate(ca.publicKey, 'dek development CA', validDays);
  caCert.setIssuer(caCert.subject.attributes);
  caCert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
  ]);
  caCert.sign(ca.privateKey, forge.md.sha256.create());

  const server = forgeKeyPair();
  const cert = newCertificate(server.publicKey, hostnames[0] ?? 'localhost', validDays);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: hostnames.map((h) => (isIP(h) === 0 ? { type: 2, value: h } : { type: 7, ip: h })) },
  ]);
  cert.sign(ca.privateKey, forge.md.sha256.create());
  return {
    caCertificate: forge.pki.certificateToPem(caCert),
    certificate: forge.pki.certificateToPem(cert),
    privateKey: forge.pki.privateKeyToPem(server.privateKey),
  };
}
