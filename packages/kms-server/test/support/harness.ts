/**
 * One LocalKms behind two servers: HTTP (for the official OpenAPI clients, which cannot be given
 * a private CA) and HTTPS with a CA made here (for the instance API client), plus a ClientKey.
 */
import { LocalKms } from '@dek/kms-adapter';
import { AlibabaInstanceKms } from '@dek/kms-alibaba';
import { createDevTls, issueClientKey, startKmsServer, type IssuedClientKey, type KmsServer, type KmsServerOptions } from '@dek/kms-server';
import { ACCESS_KEY_ID, ACCESS_KEY_SECRET } from './official.js';

export const CLIENT_KEY_PASSWORD = 'client-key-password';

/** Made once per test file: RSA key generation is the slow part. */
let pki: { tls: ReturnType<typeof createDevTls>; clientKey: IssuedClientKey } | undefined;
export function testPki(): { tls: ReturnType<typeof createDevTls>; clientKey: IssuedClientKey } {
  pki ??= { tls: createDevTls(), clientKey: issueClientKey({ password: CLIENT_KEY_PASSWORD }) };
  return pki;
}

export interface Harness {
  readonly kms: LocalKms;
  /** Plain HTTP server. */
  readonly http: KmsServer;
  /** HTTPS server over the same LocalKms. */
  readonly https: KmsServer;
  /** `host:port` of the HTTP server, the form the official clients take. */
  readonly endpoint: string;
  instanceClient(): AlibabaInstanceKms;
  close(): Promise<void>;
}

/** Starts both servers over one in-memory LocalKms. */
export async function startHarness(options: Partial<KmsServerOptions> = {}): Promise<Harness> {
  const { tls, clientKey } = testPki();
  const kms = new LocalKms();
  const common = {
    kms,
    accessKeys: { [ACCESS_KEY_ID]: ACCESS_KEY_SECRET },
    clientKeys: { [clientKey.keyId]: clientKey.certificate },
    ...options,
  };
  const http = await startKmsServer(common);
  const https = await startKmsServer({ ...common, tls: { cert: tls.certificate, key: tls.privateKey } });
  const clients: AlibabaInstanceKms[] = [];
  return {
    kms,
    http,
    https,
    endpoint: `127.0.0.1:${http.port}`,
    instanceClient: () => {
      const client = new AlibabaInstanceKms({
        endpoint: `127.0.0.1:${https.port}`,
        clientKey: clientKey.content,
        password: CLIENT_KEY_PASSWORD,
        ca: tls.caCertificate,
        retry: { maxAttempts: 1 },
      });
      clients.push(client);
      return client;
    },
    close: async () => {
      for (const c of clients) c.close();
      await Promise.all([http.close(), https.close()]);
    },
  };
}
