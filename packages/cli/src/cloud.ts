/**
 * The cloud KMSs of `--kms alibaba|aws`, configured from the command's flags, then the
 * environment. This module loads the cloud SDKs, so `kms.ts` imports it only for a cloud KMS.
 *
 * - `--kms aws`: {@link AwsKms} (slot provider `aws-kms`). Endpoint `--aws-endpoint`, else
 *   `AWS_ENDPOINT_URL_KMS`, `AWS_ENDPOINT_URL`, else AWS's regional endpoint; region `--aws-region`,
 *   else `AWS_REGION`, `AWS_DEFAULT_REGION`, else the profile's; profile `--aws-profile`, else
 *   `AWS_PROFILE`; credentials from the SDK's default chain (`AWS_ACCESS_KEY_ID`,
 *   `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, the shared files, SSO, instance roles, ...).
 * - `--kms alibaba` with `--alibaba-instance-endpoint` / `DEK_ALIBABA_INSTANCE_ENDPOINT`:
 *   {@link AlibabaInstanceKms} (provider `alibaba-kms`) with the ClientKey file
 *   (`--alibaba-client-key-file` / `DEK_ALIBABA_CLIENT_KEY_FILE`), its password
 *   (`DEK_ALIBABA_CLIENT_KEY_PASSWORD`, never a flag) and the instance CA (`--alibaba-ca-file` /
 *   `DEK_ALIBABA_CA_FILE`, else the system CAs).
 * - `--kms alibaba` otherwise: {@link AlibabaOpenApiKms} (provider `alibaba-openapi`) with
 *   `ALIBABA_CLOUD_ACCESS_KEY_ID`, `ALIBABA_CLOUD_ACCESS_KEY_SECRET` (optional
 *   `ALIBABA_CLOUD_SECURITY_TOKEN`), the gateway `--alibaba-endpoint` / `DEK_ALIBABA_ENDPOINT`
 *   (an `http://` URL selects plain HTTP, for emulators on loopback), else
 *   `kms.<region>.aliyuncs.com` with the region `--alibaba-region` / `ALIBABA_CLOUD_REGION_ID`.
 *
 * Secrets come from the environment only, so they never appear in a process list.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import type { AdvanceKms } from '@dek/kms-adapter';
import { AlibabaInstanceKms, AlibabaOpenApiKms } from '@dek/kms-alibaba';
import { AwsKms } from '@dek/kms-aws';
import type { CloudFlags, Context, KmsName } from './context.js';
import { note } from './context.js';
import { usageError } from './errors.js';
import { ioError } from './io/io-error.js';

/** A cloud KMS client and how to release its connections. */
export interface CloudKms {
  readonly kms: AdvanceKms;
  /** Closes the client's kept-alive connections (idempotent). */
  close(): void;
  /** The error to report for a failed command: a setup failure of the client (no region, no credentials) as a usage error naming the setting. */
  explain(error: unknown): unknown;
}

/** Environment variables, as `process.env`. */
type Env = Readonly<Record<string, string | undefined>>;

/** A setting's value and where it came from (the flag or the variable), for messages. */
interface Setting {
  readonly value: string;
  readonly where: string;
}

/** The flag's value, else the first environment variable that is set and not empty. */
function setting(flag: string | undefined, option: string, env: Env, ...names: string[]): Setting | undefined {
  if (flag !== undefined) {
    if (flag.trim() === '') throw usageError(`${option} is empty`, `give ${option} a value, or leave it out`);
    return { value: flag, where: option };
  }
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value !== '') return { value, where: name };
  }
  return undefined;
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/**
 * Parses an endpoint given as a URL (`http://` or `https://`, nothing after the port) or as
 * `host[:port]` (HTTPS). Warns when plain HTTP leaves the machine: the answers carry data keys.
 */
function endpointUrl(context: Context, { value: text, where }: Setting): URL {
  const hint = `write ${where} as https://host[:port] (or http://127.0.0.1:port for a local server)`;
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`);
  } catch {
    throw usageError(`${where} '${text}' is not a URL or host[:port]`, hint);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw usageError(`${where} '${text}' is not an http(s) URL`, hint);
  if (url.username !== '' || url.password !== '' || url.pathname !== '/' || url.search !== '' || url.hash !== '') {
    throw usageError(`${where} '${text}' must name only the scheme, host and port`, hint);
  }
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    note(context, `warning: ${where} uses plain HTTP to ${url.host}; data keys cross the network unencrypted`);
  }
  return url;
}

function readSetting({ value: path, where }: Setting, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw ioError(error, `cannot read the ${what} '${path}' (${where})`);
  }
}

function openAws(context: Context, flags: CloudFlags, env: Env): CloudKms {
  const endpoint = setting(flags.awsEndpoint, '--aws-endpoint', env, 'AWS_ENDPOINT_URL_KMS', 'AWS_ENDPOINT_URL');
  const region = setting(flags.awsRegion, '--aws-region', env, 'AWS_REGION', 'AWS_DEFAULT_REGION');
  const profile = setting(flags.awsProfile, '--aws-profile', env, 'AWS_PROFILE');
  const url = endpoint && endpointUrl(context, endpoint);
  // The SDK warns on stderr that its releases after January 2027 need Node 22; this build pins
  // its SDK version, so the warning says nothing about it. The user can still turn it back on.
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  const kms = new AwsKms({
    ...(url && { endpoint: url.origin }),
    ...(region && { region: region.value }),
    ...(profile && { profile: profile.value }),
  });
  return { kms, close: () => kms.close(), explain: (error) => explainAwsSetup(error, region !== undefined, profile) };
}

/** The first KMS failure with one of `codes` in `error`, its slot failures or its causes. */
function findFailure(error: unknown, codes: readonly string[], depth = 0): { code: string; message: string } | undefined {
  if (typeof error !== 'object' || error === null || depth > 4) return undefined;
  const { code, message, details, cause } = error as { code?: unknown; message?: unknown; details?: unknown; cause?: unknown };
  const text = typeof message === 'string' ? message : '';
  if (typeof code === 'string' && codes.includes(code)) return { code, message: text };
  const facts = typeof details === 'object' && details !== null ? (details as { code?: unknown; failures?: unknown }) : {};
  // A writer's KmsError names the KMS's code in its details (it keeps no cause).
  if (typeof facts.code === 'string' && codes.includes(facts.code)) return { code: facts.code, message: text };
  const failures = facts.failures;
  for (const failure of Array.isArray(failures) ? (failures as unknown[]) : []) {
    const found = findFailure(failure, codes, depth + 1);
    if (found) return found;
  }
  return findFailure(cause, codes, depth + 1);
}

/**
 * The AWS SDK reports a missing region as `ClientError` and missing credentials as
 * `CredentialsProviderError`, at the first call: both mean the command cannot run as set up,
 * so they become `DEK_USAGE` (exit 2) naming what to set.
 */
function explainAwsSetup(error: unknown, regionGiven: boolean, profile: Setting | undefined): unknown {
  const failure = findFailure(error, ['ClientError', 'CredentialsProviderError']);
  if (failure === undefined) return error;
  const inProfile = profile ? ` or a region in the profile '${profile.value}' (${profile.where})` : ' or a region in the AWS profile';
  if (failure.code === 'CredentialsProviderError') {
    return usageError(
      '--kms aws found no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or choose a profile with --aws-profile / AWS_PROFILE',
      'dek uses the AWS SDK\'s credential chain: environment, ~/.aws/credentials and config, SSO, instance role',
    );
  }
  if (!regionGiven && /region/i.test(failure.message)) {
    return usageError(`--kms aws needs a region: give --aws-region, or set AWS_REGION or AWS_DEFAULT_REGION,${inProfile}`, 'e.g. --aws-region eu-west-1');
  }
  return usageError(`--kms aws could not send a request: ${failure.message}`, 'check the AWS settings: --aws-region / AWS_REGION, --aws-profile / AWS_PROFILE, --aws-endpoint');
}

function openAlibabaInstance(context: Context, endpoint: Setting, flags: CloudFlags, env: Env): CloudKms {
  const url = endpointUrl(context, endpoint);
  const keyFile = setting(flags.alibabaClientKeyFile, '--alibaba-client-key-file', env, 'DEK_ALIBABA_CLIENT_KEY_FILE');
  const password = env['DEK_ALIBABA_CLIENT_KEY_PASSWORD'];
  if (keyFile === undefined || password === undefined) {
    throw usageError(
      'the Alibaba KMS instance needs a ClientKey file and its password',
      'give --alibaba-client-key-file (or DEK_ALIBABA_CLIENT_KEY_FILE) and set DEK_ALIBABA_CLIENT_KEY_PASSWORD',
    );
  }
  const caFile = setting(flags.alibabaCaFile, '--alibaba-ca-file', env, 'DEK_ALIBABA_CA_FILE');
  const kms = new AlibabaInstanceKms({
    endpoint: url.origin,
    clientKey: readSetting(keyFile, 'ClientKey file'),
    password,
    ...(caFile && { ca: readSetting(caFile, 'CA certificate') }),
  });
  return { kms, close: () => kms.close(), explain: (error) => error };
}

function openAlibabaOpenApi(context: Context, flags: CloudFlags, env: Env): CloudKms {
  const endpoint = setting(flags.alibabaEndpoint, '--alibaba-endpoint', env, 'DEK_ALIBABA_ENDPOINT');
  const region = setting(flags.alibabaRegion, '--alibaba-region', env, 'ALIBABA_CLOUD_REGION_ID');
  const missing = ['ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET'].filter((name) => !env[name]);
  if (missing.length > 0) {
    throw usageError(`--kms alibaba needs ${missing.join(' and ')}`, 'set the AccessKey pair in the environment (or use a KMS instance: --alibaba-instance-endpoint)');
  }
  if (endpoint === undefined && region === undefined) {
    throw usageError('--kms alibaba needs a region or an endpoint', 'give --alibaba-region (or ALIBABA_CLOUD_REGION_ID), or --alibaba-endpoint (or DEK_ALIBABA_ENDPOINT)');
  }
  const url = endpoint && endpointUrl(context, endpoint);
  const kms = new AlibabaOpenApiKms({
    env,
    ...(url && { endpoint: url.host, protocol: url.protocol === 'http:' ? 'http' : 'https' }),
    ...(region && { regionId: region.value }),
  });
  return { kms, close: () => undefined, explain: (error) => error }; // AlibabaOpenApiKms has nothing to close
}

/**
 * Opens the cloud KMS `kms` from the context's cloud flags, then `env`. Bad or missing settings
 * are usage errors (exit 2) that name the flag or variable; nothing is sent until the first call.
 */
export function openCloudKms(context: Context, kms: Exclude<KmsName, 'local'>, env: Env = process.env): CloudKms {
  const flags = context.cloud;
  if (kms === 'aws') return openAws(context, flags, env);
  const instance = setting(flags.alibabaInstanceEndpoint, '--alibaba-instance-endpoint', env, 'DEK_ALIBABA_INSTANCE_ENDPOINT');
  return instance ? openAlibabaInstance(context, instance, flags, env) : openAlibabaOpenApi(context, flags, env);
}
