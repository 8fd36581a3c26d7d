/**
 * Test support for the Alibaba clients: ClientKeys made on the spot, and a loopback HTTP server
 * whose answers each test scripts.
 */
import { generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';

export { scriptedServer, type Script, type SeenRequest } from '../../../test-support/scripted-server.js';

/** A ClientKey JSON content, its password and the certificate (PEM) whose key verifies its signatures. */
export interface TestClientKey {
  readonly content: { KeyId: string; PrivateKeyData: string };
  readonly password: string;
  readonly certificate: string;
}

/** Makes a ClientKey the way Alibaba ships them: PKCS#12 (3DES) with an RSA key and a certificate. */
export function makeClientKey(password = 'client-key-password', keyId = 'KAAP.test-client-key'): TestClientKey {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const key = forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 86_400_000);
  cert.setSubject([{ name: 'commonName', value: keyId }]);
  cert.setIssuer([{ name: 'commonName', value: keyId }]);
  cert.sign(key, forge.md.sha256.create());
  const p12 = forge.pkcs12.toPkcs12Asn1(key, [cert], password, { algorithm: '3des' });
  return {
    content: { KeyId: keyId, PrivateKeyData: forge.util.encode64(forge.asn1.toDer(p12).getBytes()) },
    password,
    certificate: forge.pki.certificateToPem(cert),
  };
}
