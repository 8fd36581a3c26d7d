/**
 * Test support for the AWS dialect: a server over an in-memory LocalKms with one AWS credential,
 * and the official `@aws-sdk/client-kms` pointed at it.
 *
 * The SDK is loaded with `require` (its CommonJS build): vitest resolves the package's `module`
 * field to `dist-es`, whose extension-less imports Node's ESM loader refuses. `@dek/kms-adapter`
 * loads it the same way, so both share one module instance and `instanceof` works across them.
 */
import { createRequire } from 'node:module';
import type * as AwsKmsSdk from '@aws-sdk/client-kms';
import type { KMSClient, KMSServiceException } from '@aws-sdk/client-kms';
import { expect } from 'vitest';
import { LocalKms } from '@dek/kms-adapter';
import { AwsKms } from '@dek/kms-aws';
import { startKmsServer, type KmsServer, type KmsServerOptions } from '@dek/kms-server';

let loaded: typeof AwsKmsSdk | undefined;

/**
 * The official `@aws-sdk/client-kms`, loaded on first use. It fails when vitest starts its workers
 * with `--conditions module` (the `ssr.resolve.conditions` of the config): Node then picks
 * `@aws-sdk/core`'s `module` export, a build only bundlers can load. Said plainly here, because
 * the raw error points into node_modules.
 */
export function awsSdk(): typeof AwsKmsSdk {
  try {
    loaded ??= createRequire(import.meta.url)('@aws-sdk/client-kms') as typeof AwsKmsSdk;
  } catch (cause) {
    throw new Error("@aws-sdk/client-kms cannot load in this test worker: remove 'module' from ssr.resolve.conditions in vitest.config.ts", {
      cause,
    });
  }
  return loaded;
}

export const AWS_ACCESS_KEY_ID = 'AKIADEKTEST000000001';
export const AWS_SECRET_ACCESS_KEY = 'dek/test/secret+key/0123456789abcdefghijk';
export const AWS_REGION = 'us-east-1';
export const AWS_ACCOUNT_ID = '111122223333';

export interface AwsHarness {
  readonly kms: LocalKms;
  readonly server: KmsServer;
  /** The official client, static credentials, one attempt (no retry delays in error tests). */
  client(overrides?: { secretAccessKey?: string; accessKeyId?: string; region?: string }): KMSClient;
  /** dek's AwsKms pointed at the server. */
  awsKms(): AwsKms;
  /** `arn:aws:kms:us-east-1:111122223333:key/<keyId>`. */
  arn(keyId: string): string;
  close(): Promise<void>;
}

/** Starts a server with the AWS dialect over a fresh in-memory LocalKms. */
export async function startAwsHarness(options: Partial<KmsServerOptions> = {}): Promise<AwsHarness> {
  const kms = new LocalKms();
  const server = await startKmsServer({
    kms,
    aws: { credentials: { [AWS_ACCESS_KEY_ID]: AWS_SECRET_ACCESS_KEY }, region: AWS_REGION, accountId: AWS_ACCOUNT_ID },
    ...options,
  });
  const clients: Array<{ destroy(): void }> = [];
  return {
    kms,
    server,
    client: (overrides = {}) => {
      const client = new (awsSdk().KMSClient)({
        endpoint: server.url,
        region: overrides.region ?? AWS_REGION,
        credentials: {
          accessKeyId: overrides.accessKeyId ?? AWS_ACCESS_KEY_ID,
          secretAccessKey: overrides.secretAccessKey ?? AWS_SECRET_ACCESS_KEY,
        },
        maxAttempts: 1,
      });
      clients.push(client);
      return client;
    },
    awsKms: () => {
      awsSdk();
      const awsKms = new AwsKms({
        endpoint: server.url,
        region: AWS_REGION,
        credentials: { accessKeyId: AWS_ACCESS_KEY_ID, secretAccessKey: AWS_SECRET_ACCESS_KEY },
        maxAttempts: 1,
      });
      clients.push({ destroy: () => awsKms.close() });
      return awsKms;
    },
    arn: (keyId) => `arn:aws:kms:${AWS_REGION}:${AWS_ACCOUNT_ID}:key/${keyId}`,
    close: async () => {
      for (const c of clients) c.destroy();
      await server.close();
    },
  };
}

/** Awaits a call that must fail with the SDK exception `type` (and HTTP status); returns it. */
export async function awsFailure(call: Promise<unknown>, type: string, status = 400): Promise<KMSServiceException> {
  const error: unknown = await call.then(
    () => new Error(`expected ${type}, but the call succeeded`),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(awsSdk().KMSServiceException);
  const e = error as KMSServiceException;
  expect({ name: e.name, status: e.$metadata.httpStatusCode }).toEqual({ name: type, status });
  expect(e.$metadata.requestId).toMatch(/^[0-9A-F-]{36}$/);
  return e;
}
