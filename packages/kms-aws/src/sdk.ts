/**
 * The official `@aws-sdk/client-kms`, loaded on first use through `require` (its CommonJS build).
 *
 * Two reasons: importing `@dek/kms-adapter` does not load the AWS SDK unless an AWS KMS is
 * actually used; and tools that resolve the package's `module` field (Vite, vitest) would get its
 * `dist-es` build, whose extension-less relative imports Node's ESM loader refuses.
 *
 * @module
 */
import { createRequire } from 'node:module';
import type * as AwsKmsSdk from '@aws-sdk/client-kms';

/** The module namespace type of `@aws-sdk/client-kms`. */
export type AwsKmsSdkModule = typeof AwsKmsSdk;

let loaded: AwsKmsSdkModule | undefined;

/** `@aws-sdk/client-kms`, loaded once (one module instance, so `instanceof` its exceptions works). */
export function awsKmsSdk(): AwsKmsSdkModule {
  loaded ??= createRequire(import.meta.url)('@aws-sdk/client-kms') as AwsKmsSdkModule;
  return loaded;
}
