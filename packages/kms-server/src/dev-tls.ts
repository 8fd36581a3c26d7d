/**
 * Development TLS material: a throwaway CA and a server certificate it signs, for running the
 * KMS server over HTTPS on loopback (tests, `dek serve`). Not for production.
 *
 * @module
 */
import { isIP } from 'node:net';
import forge from 'node-forge';
import { forgeKeyPair, newCertificate } from './certificates.js';

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
