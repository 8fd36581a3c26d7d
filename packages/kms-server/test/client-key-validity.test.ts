/**
 * ClientKey certificates expire: the server refuses to register one outside its validity, and
 * refuses requests (401 `Unauthorized`) once its clock leaves the validity during a run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalKms } from '@dek/kms-adapter';
import { AlibabaInstanceKms } from '@dek/kms-alibaba';
import { startKmsServer, type KmsServer } from '@dek/kms-server';
import { certificateValid } from './support/certificates.js';
import { CLIENT_KEY_PASSWORD, testPki } from './support/harness.js';

const DAY = 86_400_000;

describe('registering a ClientKey', () => {
  it('refuses an expired certificate, naming the key and its validity', async () => {
    const expired = certificateValid(new Date(Date.now() - 30 * DAY), new Date(Date.now() - DAY));
    const refused = startKmsServer({ kms: new LocalKms(), clientKeys: { 'KAAP.old': expired } });
    await expect(refused).rejects.toMatchObject({ code: 'DEK_ARGUMENT', details: { field: 'clientKeys.KAAP.old' } });
    await expect(refused).rejects.toThrow(/clientKeys\.KAAP\.old: the certificate has expired: it is valid from \S+ to \S+/);
  });

  it('refuses a certificate that is not valid yet', async () => {
    const future = certificateValid(new Date(Date.now() + DAY), new Date(Date.now() + 30 * DAY));
    await expect(startKmsServer({ kms: new LocalKms(), clientKeys: { 'KAAP.new': future } })).rejects.toThrow(/KAAP\.new: the certificate is not valid yet/);
  });

  it('refuses text that is neither a certificate nor a public key', async () => {
    await expect(startKmsServer({ kms: new LocalKms(), clientKeys: { 'KAAP.x': 'not a pem' } })).rejects.toMatchObject({
      code: 'DEK_ARGUMENT',
      details: { field: 'clientKeys.KAAP.x' },
    });
  });
});

describe('a ClientKey that expires while the server runs', () => {
  let clock = Date.now();
  let server: KmsServer;
  let client: AlibabaInstanceKms;

  beforeAll(async () => {
    const { tls, clientKey } = testPki();
    server = await startKmsServer({
      kms: new LocalKms(),
      tls: { cert: tls.certificate, key: tls.privateKey },
      clientKeys: { [clientKey.keyId]: clientKey.certificate },
      now: () => clock,
      // Wide enough that moving the server clock trips the certificate check, not the date window.
      timestampWindowMs: 1000 * DAY,
    });
    client = new AlibabaInstanceKms({
      endpoint: `127.0.0.1:${server.port}`,
      clientKey: clientKey.content,
      password: CLIENT_KEY_PASSWORD,
      ca: tls.caCertificate,
      retry: { maxAttempts: 1 },
    });
  });
  afterAll(async () => {
    client.close();
    await server.close();
  });

  it('is served while valid, then refused with 401 Unauthorized after notAfter and before notBefore', async () => {
    clock = Date.now();
    // The key does not exist: the request got past authentication.
    await expect(client.advanceGenerateDataKey({ keyId: 'alias/none', numberOfBytes: 32 })).rejects.toMatchObject({ code: 'Forbidden.AliasNotFound' });
    clock = Date.now() + 366 * DAY; // issueClientKey certificates are valid for 365 days
    await expect(client.advanceGenerateDataKey({ keyId: 'alias/none', numberOfBytes: 32 })).rejects.toMatchObject({
      httpStatus: 401,
      code: 'Unauthorized',
      message: 'The ClientKey has expired or is not yet valid.',
    });
    clock = Date.now() - DAY;
    await expect(client.advanceGenerateDataKey({ keyId: 'alias/none', numberOfBytes: 32 })).rejects.toMatchObject({ httpStatus: 401, code: 'Unauthorized' });
  });
});
