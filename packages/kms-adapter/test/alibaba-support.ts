/**
 * Test support for the Alibaba clients: ClientKeys made on the spot, and a loopback HTTP server
 * whose answers each test scripts.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import forge from 'node-forge';

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

/** A request the scripted server saw. */
export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
}

/** Answers one request; return nothing to leave the request hanging. */
export type Script = (request: SeenRequest, res: ServerResponse) => void;

/** A loopback HTTP server answering with `script`; `seen` lists every request. */
export async function scriptedServer(script: Script): Promise<{ url: string; seen: SeenRequest[]; close(): Promise<void> }> {
  const seen: SeenRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
      seen.push(request);
      script(request, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
