/**
 * Cloud KMSs for `--kms alibaba|aws`, configured from the environment. An adapter is used when
 * `@dek/kms-adapter` exports it; otherwise the command says the adapter is not in this build.
 *
 * `--kms alibaba` talks to a KMS instance (provider `alibaba-kms`) when
 * `DEK_ALIBABA_INSTANCE_ENDPOINT` is set (with `DEK_ALIBABA_CLIENT_KEY_FILE`,
 * `DEK_ALIBABA_CLIENT_KEY_PASSWORD`, optional `DEK_ALIBABA_CA_FILE`), else to the OpenAPI gateway
 * (provider `alibaba-openapi`) with `ALIBABA_CLOUD_ACCESS_KEY_ID`, `ALIBABA_CLOUD_ACCESS_KEY_SECRET`,
 * `ALIBABA_CLOUD_REGION_ID` (optional `ALIBABA_CLOUD_SECURITY_TOKEN`, `DEK_ALIBABA_ENDPOINT`).
 *
 * @module
 */
import * as adapter from '@dek/kms-adapter';
import type { AdvanceKms } from '@dek/kms-adapter';
import type { KmsName } from './context.js';
import { CliError, EXIT, usageError } from './errors.js';

type KmsConstructor = new (options: Record<string, unknown>) => AdvanceKms;

function exported(name: string): KmsConstructor | undefined {
  const value = (adapter as Record<string, unknown>)[name];
  return typeof value === 'function' ? (value as KmsConstructor) : undefined;
}

function unavailable(kms: KmsName): CliError {
  return new CliError('DEK_UNAVAILABLE', `the ${kms} KMS adapter is not available in this build of dek`, {
    exitCode: EXIT.USAGE,
    hint: 'use the local KMS (--kms local, the default; set up with dek init)',
  });
}

function defined(entries: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(entries).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''));
}

/** Opens the cloud KMS `kms` from `env`; DEK_UNAVAILABLE (exit 2) when its adapter is missing. */
export function openCloudKms(kms: Exclude<KmsName, 'local'>, env: NodeJS.ProcessEnv = process.env): AdvanceKms {
  if (kms === 'aws') throw unavailable(kms);
  const instanceEndpoint = env['DEK_ALIBABA_INSTANCE_ENDPOINT'];
  if (instanceEndpoint) {
    const Instance = exported('AlibabaInstanceKms');
    if (!Instance) throw unavailable(kms);
    const clientKeyFile = env['DEK_ALIBABA_CLIENT_KEY_FILE'];
    const password = env['DEK_ALIBABA_CLIENT_KEY_PASSWORD'];
    if (!clientKeyFile || password === undefined) {
      throw usageError('the Alibaba KMS instance needs DEK_ALIBABA_CLIENT_KEY_FILE and DEK_ALIBABA_CLIENT_KEY_PASSWORD', 'set both (the ClientKey JSON file and its password)');
    }
    return new Instance({ endpoint: instanceEndpoint, clientKeyFile, password, ...defined({ caFile: env['DEK_ALIBABA_CA_FILE'] }) });
  }
  const OpenApi = exported('AlibabaOpenApiKms');
  if (!OpenApi) throw unavailable(kms);
  return new OpenApi({ env, ...defined({ endpoint: env['DEK_ALIBABA_ENDPOINT'] }) });
}
