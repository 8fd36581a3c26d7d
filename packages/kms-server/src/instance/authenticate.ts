/**
 * Authentication of KMS instance API requests (`dkms-gcs-0.2`), as Alibaba's dkms-gcs SDKs sign
 * them: RSASSA-PKCS1-v1_5 SHA-256 with the ClientKey's private key over
 * `METHOD\n content-sha256\n content-type\n date\n` + every `x-kms-*` header sorted as
 * `name:trim(value)\n` + `/`, sent as `Authorization: Bearer <base64>`.
 *
 * @module
 */
import { createHash, verify } from 'node:crypto';
import { ApiError } from '../api-error.js';
import { isClientKeyValid, type RegisteredClientKey } from './client-keys.js';

/** The API version header value served. */
export const INSTANCE_API_VERSION = 'dkms-gcs-0.2';
/** The only signature method. */
export const INSTANCE_SIGNATURE_METHOD = 'RSA_PKCS1_SHA_256';

/** Server settings instance authentication depends on. */
export interface InstanceAuthenticationSettings {
  /** ClientKey id -> its public key and certificate validity. */
  readonly clientKeys: ReadonlyMap<string, RegisteredClientKey>;
  /** Largest accepted distance between the `date` header and `now()`, in milliseconds. */
  readonly timestampWindowMs: number;
  readonly now: () => number;
}

/** What authentication reads of a request. */
export interface InstanceRequestFacts {
  readonly method: string;
  /** Header value by lowercase name (`''` when absent). */
  readonly header: (name: string) => string;
  /** Names of the headers present, lowercase. */
  readonly headerNames: readonly string[];
  readonly body: Uint8Array;
}

const invalidParam = (name: string): ApiError => new ApiError(400, 'InvalidParam', `The Param ${name} is invalid.`);

/** The string an instance API request signs. */
export function instanceStringToSign(facts: InstanceRequestFacts): string {
  const kms = facts.headerNames
    .filter((name) => name.startsWith('x-kms-'))
    .sort()
    .map((name) => `${name}:${facts.header(name).trim()}\n`)
    .join('');
  return `${facts.method}\n${facts.header('content-sha256')}\n${facts.header('content-type')}\n${facts.header('date')}\n${kms}/`;
}

/**
 * Authenticates an instance API request for one of `apiNames`, or throws the instance API's
 * error: 400 `InvalidApiVersion`, `InvalidApiName`, `InvalidParam` (signature method, Date,
 * content-sha256, Authorization), `MissingParameter`, `RequestTimeTooSkewed`; 401 `Unauthorized`
 * for an unknown ClientKey, or one whose certificate is not valid at the server clock. Returns the API name.
 */
export function authenticateInstance(
  facts: InstanceRequestFacts,
  apiNames: ReadonlySet<string>,
  settings: InstanceAuthenticationSettings,
): string {
  const version = facts.header('x-kms-apiversion');
  if (version !== INSTANCE_API_VERSION) throw new ApiError(400, 'InvalidApiVersion', `The ApiVersion "${version}" is invalid.`);
  const apiName = facts.header('x-kms-apiname');
  if (!apiNames.has(apiName)) throw new ApiError(400, 'InvalidApiName', `The ApiName "${apiName}" is invalid.`);
  if (facts.header('x-kms-signaturemethod') !== INSTANCE_SIGNATURE_METHOD) throw invalidParam('x-kms-signaturemethod');
  const clientKeyId = facts.header('x-kms-acccesskeyid');
  if (clientKeyId === '') {
    throw new ApiError(400, 'MissingParameter', 'Parameter x-kms-acccesskeyid does not exist in http header or body.');
  }
  const date = Date.parse(facts.header('date'));
  if (Number.isNaN(date)) throw invalidParam('Date');
  if (Math.abs(settings.now() - date) > settings.timestampWindowMs) {
    throw new ApiError(400, 'RequestTimeTooSkewed', 'Request time exceeds server time more than 15 minutes.');
  }
  const digest = createHash('sha256').update(facts.body).digest('hex').toUpperCase();
  if (facts.header('content-sha256').toUpperCase() !== digest) throw invalidParam('content-sha256');
  const clientKey = settings.clientKeys.get(clientKeyId);
  if (clientKey === undefined) throw new ApiError(401, 'Unauthorized', 'The ClientKey is not found or not authorized.');
  const m = /^Bearer ([A-Za-z0-9+/]+={0,2})$/.exec(facts.header('authorization'));
  if (m === null) throw invalidParam('Authorization');
  let ok = false;
  try {
    ok = verify('sha256', Buffer.from(instanceStringToSign(facts), 'utf8'), clientKey.publicKey, Buffer.from(m[1]!, 'base64'));
  } catch {
    // A signature that is not even well formed for this key.
  }
  if (!ok) throw invalidParam('Authorization');
  // Checked once the signature verifies: only the key's holder learns that it expired.
  if (!isClientKeyValid(clientKey, settings.now())) throw new ApiError(401, 'Unauthorized', 'The ClientKey has expired or is not yet valid.');
  return apiName;
}
