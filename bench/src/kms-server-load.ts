/**
 * KMS server load: concurrent clients against @dek/kms-server on 127.0.0.1 for a bounded time,
 * through our AlibabaInstanceKms (instance API over HTTPS, RSA-signed protobuf) and
 * AlibabaOpenApiKms (the official @alicloud/kms20160120 client, signature v1, over HTTP), with
 * CreateKeyVersion calls interleaved. Afterwards every returned blob must still decrypt.
 */
import { LocalKms, type AdvanceKms } from '@dek/kms-adapter';
import { AlibabaInstanceKms, AlibabaOpenApiKms } from '@dek/kms-alibaba';
import { createDevTls, issueClientKey, startKmsServer } from '@dek/kms-server';

export interface LoadFigure {
  readonly path: string;
  readonly clients: number;
  readonly seconds: number;
  readonly requests: number;
  readonly versionsCreated: number;
  readonly perSecond: number;
}

const ACCESS_KEY_ID = 'bench-access-key';
const ACCESS_KEY_SECRET = 'bench-access-key-secret';
const PASSWORD = 'bench-client-key-password';

async function drive(path: string, local: LocalKms, clients: AdvanceKms[], seconds: number): Promise<LoadFigure> {
  const keyId = (await local.createKey()).keyMetadata.keyId;
  const blobs: Array<{ kms: AdvanceKms; blob: Uint8Array; plaintext: Uint8Array }> = [];
  let versionsCreated = 0;
  const end = Date.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    clients.map(async (kms, index) => {
      for (let n = 0; Date.now() < end; n++) {
        // One client in eight also rotates, so requests meet a changing primary version.
        if (index === 0 && n % 4 === 3) {
          await local.createKeyVersion({ keyId });
          versionsCreated++;
          continue;
        }
        const g = await kms.advanceGenerateDataKey({ keyId, numberOfBytes: 32 });
        blobs.push({ kms, blob: g.ciphertextBlob, plaintext: g.plaintext });
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  for (const { kms, blob, plaintext } of blobs) {
    const d = await kms.advanceDecrypt({ ciphertextBlob: blob });
    if (Buffer.compare(Buffer.from(d.plaintext), Buffer.from(plaintext)) !== 0) throw new Error(`${path}: a blob decrypted to another key`);
  }
  return { path, clients: clients.length, seconds: elapsed, requests: blobs.length, versionsCreated, perSecond: blobs.length / elapsed };
}

/** Runs both paths for `seconds` each with `clients` concurrent clients. */
export async function benchKmsServerLoad(clients = 8, seconds = 3): Promise<LoadFigure[]> {
  const tls = createDevTls();
  const clientKey = issueClientKey({ password: PASSWORD });
  const local = new LocalKms();
  const common = { kms: local, accessKeys: { [ACCESS_KEY_ID]: ACCESS_KEY_SECRET }, clientKeys: { [clientKey.keyId]: clientKey.certificate } };
  const http = await startKmsServer(common);
  const https = await startKmsServer({ ...common, tls: { cert: tls.certificate, key: tls.privateKey } });
  try {
    const instance = Array.from({ length: clients }, () =>
      new AlibabaInstanceKms({ endpoint: `127.0.0.1:${https.port}`, clientKey: clientKey.content, password: PASSWORD, ca: tls.caCertificate, retry: { maxAttempts: 1 } }),
    );
    const openapi = Array.from({ length: clients }, () =>
      new AlibabaOpenApiKms({ endpoint: `127.0.0.1:${http.port}`, protocol: 'http', accessKeyId: ACCESS_KEY_ID, accessKeySecret: ACCESS_KEY_SECRET, regionId: 'cn-hangzhou', retry: { maxAttempts: 1 } }),
    );
    const figures = [
      await drive('instance API (HTTPS, protobuf, RSA ClientKey): AdvanceGenerateDataKey', local, instance, seconds),
      await drive('OpenAPI (HTTP, official kms20160120 client, HMAC-SHA1): GenerateDataKey', local, openapi, seconds),
    ];
    for (const c of instance) c.close();
    return figures;
  } finally {
    await http.close();
    await https.close();
  }
}
