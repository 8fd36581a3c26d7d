/**
 * A library user's program: scripts/pack-install.mjs type-checks it against the installed `.d.ts`
 * of every public package (moduleResolution node16, bundler and node10). It is never run.
 */
import { pipeline } from 'node:stream/promises';
import { createReadStream, createWriteStream } from 'node:fs';
import { ChunkSealer, DekError, generateDataKey, zeroize, type AesGcm } from '@dek/core';
import { nodeAesGcm } from '@dek/core/node';
import { KmsServiceError, LocalKms, type AdvanceKms, type KeyManagementService } from '@dek/kms-adapter';
import { AlibabaInstanceKms, AlibabaOpenApiKms } from '@dek/kms-alibaba';
import { AwsKms } from '@dek/kms-aws';
import { startKmsServer, type KmsServer } from '@dek/kms-server';
import { decrypt, decryptStream, encrypt, encryptStream, inspect, type DecryptOptions, type EncryptOptions } from '@dek/stream';

export function sealOne(message: Uint8Array): Uint8Array[] {
  const key = generateDataKey(32);
  const aead: AesGcm = nodeAesGcm;
  const sealer = new ChunkSealer({ suite: 'cobblestone-256', key, context: new TextEncoder().encode('consumer'), aead });
  const parts = [sealer.header, ...sealer.write(message), sealer.end()];
  zeroize(key);
  return parts;
}

export function clients(): AdvanceKms[] {
  const local: KeyManagementService = new LocalKms();
  return [
    local,
    new AwsKms({ region: 'us-east-1' }),
    new AlibabaOpenApiKms({ regionId: 'cn-hangzhou' }),
    new AlibabaInstanceKms({ endpoint: 'kst.example', clientKeyFile: 'clientKey.json', password: 'secret' }),
  ];
}

export async function roundTrip(kms: AdvanceKms, keyId: string, plaintext: Uint8Array): Promise<string> {
  const options: EncryptOptions = { kms, keyId, context: { app: 'consumer' } };
  const sealed: Uint8Array = await encrypt(plaintext, options);
  const info = await inspect(sealed);
  const opened: Uint8Array = await decrypt(sealed, { kms } satisfies DecryptOptions);
  return `${info.suite} ${opened.length}`;
}

export async function files(kms: AdvanceKms, keyId: string): Promise<void> {
  const highWaterMark = 1 << 20;
  await pipeline(createReadStream('in', { highWaterMark }), encryptStream({ kms, keyId }), createWriteStream('in.dek', { highWaterMark }));
  await pipeline(createReadStream('in.dek', { highWaterMark }), decryptStream({ kms }), createWriteStream('out', { highWaterMark }));
}

export async function serve(): Promise<string> {
  const server: KmsServer = await startKmsServer({ kms: new LocalKms(), accessKeys: { AK: 'secret' } });
  await server.close();
  return server.url;
}

export function describeError(error: unknown): string {
  if (error instanceof KmsServiceError) return `${error.code} ${error.httpStatus} ${error.requestId}`;
  if (error instanceof DekError) return `${error.code}`;
  return 'unknown';
}
