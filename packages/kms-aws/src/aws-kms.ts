/**
 * `AwsKms`: dek's {@link AdvanceKms} over AWS KMS, through the official `@aws-sdk/client-kms`.
 *
 * AWS has no Advance* calls, and needs none: a symmetric KMS key rotates its key material behind
 * one key id, and every `CiphertextBlob` names the material that made it. The conventions, chosen
 * here and fixed for every `aws-kms` slot:
 *
 * - `advanceGenerateDataKey` is `GenerateDataKey` (`NumberOfBytes`), `advanceEncrypt` is `Encrypt`
 *   and `advanceDecrypt` is `Decrypt`, all with the `SYMMETRIC_DEFAULT` algorithm (AES-256-GCM);
 * - `ciphertextBlob` is AWS's `CiphertextBlob`, byte for byte (opaque);
 * - `keyId` is the key ARN AWS reports; `keyVersionId` is `''` (AWS exposes no version, so the
 *   header slot has no `keyVersionId`); `iv` is empty (AWS keeps it inside the blob);
 * - `aad` travels as `EncryptionContext = {"dek-aad": base64(aad)}` (see encryption-context.ts);
 * - every failure is a {@link KmsServiceError} with AWS's status, error name as `code`, message
 *   and request id (see aws-error.ts).
 *
 * Credentials, region and endpoint follow the SDK's usual chain unless given.
 *
 * @module
 */
import { ArgumentError } from '@dek/core';
import type { KMSClient, KMSClientConfig } from '@aws-sdk/client-kms';
import { KmsServiceError } from '@dek/kms-adapter';
import type {
  AdvanceDecryptRequest,
  AdvanceDecryptResponse,
  AdvanceEncryptRequest,
  AdvanceEncryptResponse,
  AdvanceGenerateDataKeyRequest,
  AdvanceGenerateDataKeyResponse,
  AdvanceKms,
  ResolveKeyRequest,
  ResolveKeyResponse,
} from '@dek/kms-adapter';
import { awsKmsError } from './aws-error.js';
import { aadEncryptionContext } from './encryption-context.js';
import { awsKmsSdk, type AwsKmsSdkModule } from './sdk.js';

/** The slot provider id of {@link AwsKms}. */
export const AWS_KMS_PROVIDER = 'aws-kms';

/** Limits of AWS KMS, checked before a request is sent. */
const MAX_KEY_ID_LENGTH = 2048;
const MAX_NUMBER_OF_BYTES = 1024;
const MAX_PLAINTEXT_BYTES = 4096;
const MAX_CIPHERTEXT_BLOB_BYTES = 6144;
/** dek's own bound on `aad` (it becomes a base64 context value). */
const MAX_AAD_BYTES = 8192;

/** Options of {@link AwsKms}. Everything left out comes from the SDK's default chains. */
export interface AwsKmsOptions {
  /** Region, e.g. `us-east-1`; default `AWS_REGION`, then the profile's `region`. */
  readonly region?: string;
  /**
   * Endpoint URL, e.g. `http://127.0.0.1:8080` for a `@dek/kms-server`; default
   * `AWS_ENDPOINT_URL_KMS`, `AWS_ENDPOINT_URL`, then AWS's regional endpoint. Use `http://` only
   * on loopback: the answers carry data keys.
   */
  readonly endpoint?: string;
  /**
   * Credentials or a credentials provider; default the SDK's chain: `AWS_ACCESS_KEY_ID` /
   * `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`, SSO, the shared files, `credential_process`,
   * web identity, then container or instance metadata.
   */
  readonly credentials?: KMSClientConfig['credentials'];
  /** The profile of the shared config and credentials files; default `AWS_PROFILE`. */
  readonly profile?: string;
  /** Attempts per call, the first included (default 3): the SDK retries throttling, 5xx and network failures. */
  readonly maxAttempts?: number;
  /** Deadline of one attempt's response, in milliseconds (default 10000). */
  readonly timeoutMs?: number;
  /** Connect deadline, in milliseconds (default 5000). */
  readonly connectTimeoutMs?: number;
  /**
   * A client to use as is, instead of one built from the options above (give none of them with
   * it). {@link AwsKms.close} leaves it open.
   */
  readonly client?: KMSClient;
}

function positiveInteger(name: string, value: number | undefined): void {
  if (value !== undefined && (!Number.isSafeInteger(value) || value < 1)) {
    throw new ArgumentError(`${name} must be a positive integer, got ${String(value)}`, { field: name });
  }
}

function checkKeyId(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_KEY_ID_LENGTH) {
    throw new ArgumentError(`keyId must be a string of 1..${MAX_KEY_ID_LENGTH} characters`, { field: 'keyId' });
  }
  return value;
}

function checkBytes(name: string, value: unknown, min: number, max: number): Uint8Array {
  if (!(value instanceof Uint8Array) || value.length < min || value.length > max) {
    throw new ArgumentError(`${name} must be a Uint8Array of ${min}..${max} bytes`, { field: name });
  }
  return value;
}

function checkAad(value: unknown): Uint8Array | undefined {
  return value === undefined ? undefined : checkBytes('aad', value, 0, MAX_AAD_BYTES);
}

function checkAlgorithm(value: unknown): void {
  if (value !== undefined && value !== 'AES_GCM') {
    throw new ArgumentError(`algorithm must be AES_GCM, got ${String(value)}`, { field: 'algorithm' });
  }
}

function noIv(value: unknown, why: string): void {
  if (value !== undefined) throw new ArgumentError(`AWS KMS ${why}; leave iv out`, { field: 'iv' });
}

/** The facts every successful response must carry; `InvalidResponse` otherwise. */
function required<T>(value: T | undefined, what: string, requestId: string, httpStatus: number): T {
  if (value === undefined || value === null || value === '' || (value instanceof Uint8Array && value.length === 0)) {
    throw new KmsServiceError({ httpStatus, code: 'InvalidResponse', message: `AWS KMS returned no ${what}`, requestId });
  }
  return value;
}

interface Metadata {
  readonly $metadata: { readonly httpStatusCode?: number; readonly requestId?: string };
}

function requestIdOf(response: Metadata): string {
  return response.$metadata.requestId ?? '';
}

const NO_IV = (): Uint8Array => new Uint8Array(0);

/**
 * dek's {@link AdvanceKms} over AWS KMS (provider `aws-kms`); see the module documentation for
 * the conventions of its slots. Symmetric KMS keys only. The JSON answers of AWS carry the data
 * key as base64 text, which stays in memory until it is garbage collected; the returned
 * `plaintext` bytes are the caller's to zero.
 */
export class AwsKms implements AdvanceKms {
  /** The slot provider id, `aws-kms`. */
  readonly provider = AWS_KMS_PROVIDER;
  readonly #sdk: AwsKmsSdkModule = awsKmsSdk();
  readonly #client: KMSClient;
  readonly #ownsClient: boolean;

  constructor(options: AwsKmsOptions = {}) {
    const { client, ...rest } = options;
    if (client !== undefined) {
      const extra = Object.entries(rest).find(([, value]) => value !== undefined);
      if (extra !== undefined) throw new ArgumentError(`give either client or ${extra[0]}, not both`, { field: extra[0] });
      this.#client = client;
      this.#ownsClient = false;
      return;
    }
    positiveInteger('maxAttempts', options.maxAttempts);
    positiveInteger('timeoutMs', options.timeoutMs);
    positiveInteger('connectTimeoutMs', options.connectTimeoutMs);
    if (options.endpoint !== undefined) {
      let url: URL;
      try {
        url = new URL(options.endpoint);
      } catch {
        throw new ArgumentError(`endpoint must be a URL such as https://kms.us-east-1.amazonaws.com, got ${options.endpoint}`, { field: 'endpoint' });
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:') {
        throw new ArgumentError(`endpoint must be an http(s) URL, got ${url.protocol}`, { field: 'endpoint' });
      }
    }
    this.#client = new this.#sdk.KMSClient({
      ...(options.region === undefined ? {} : { region: options.region }),
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
      ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
      ...(options.profile === undefined ? {} : { profile: options.profile }),
      maxAttempts: options.maxAttempts ?? 3,
      requestHandler: { requestTimeout: options.timeoutMs ?? 10_000, connectionTimeout: options.connectTimeoutMs ?? 5_000 },
    });
    this.#ownsClient = true;
  }

  /** Closes the sockets of the client this instance built (not of a client passed in). */
  close(): void {
    if (this.#ownsClient) this.#client.destroy();
  }

  /** `GenerateDataKey`: a fresh data key and its AWS `CiphertextBlob`; `keyVersionId` is `''`. */
  async advanceGenerateDataKey(request: AdvanceGenerateDataKeyRequest): Promise<AdvanceGenerateDataKeyResponse> {
    const keyId = checkKeyId(request.keyId);
    const numberOfBytes = request.numberOfBytes;
    if (!Number.isSafeInteger(numberOfBytes) || numberOfBytes < 1 || numberOfBytes > MAX_NUMBER_OF_BYTES) {
      throw new ArgumentError(`numberOfBytes must be an integer in 1..${MAX_NUMBER_OF_BYTES}`, { field: 'numberOfBytes' });
    }
    const context = aadEncryptionContext(checkAad(request.aad));
    const r = await this.#send((client) =>
      client.send(
        new this.#sdk.GenerateDataKeyCommand({ KeyId: keyId, NumberOfBytes: numberOfBytes, ...(context === undefined ? {} : { EncryptionContext: context }) }),
      ),
    );
    const requestId = requestIdOf(r);
    const status = r.$metadata.httpStatusCode ?? 200;
    const plaintext = required(r.Plaintext, 'Plaintext', requestId, status);
    if (plaintext.length !== numberOfBytes) {
      plaintext.fill(0);
      throw new KmsServiceError({
        httpStatus: status,
        code: 'InvalidResponse',
        message: `AWS KMS returned a ${plaintext.length}-byte data key, not ${numberOfBytes}`,
        requestId,
      });
    }
    try {
      return {
        keyId: required(r.KeyId, 'KeyId', requestId, status),
        keyVersionId: '',
        plaintext,
        ciphertextBlob: required(r.CiphertextBlob, 'CiphertextBlob', requestId, status),
        iv: NO_IV(),
        algorithm: 'AES_GCM',
        requestId,
      };
    } catch (error) {
      plaintext.fill(0);
      throw error;
    }
  }

  /** `Encrypt` (at most 4096 bytes); AWS picks the IV, so `iv` must be left out. */
  async advanceEncrypt(request: AdvanceEncryptRequest): Promise<AdvanceEncryptResponse> {
    const keyId = checkKeyId(request.keyId);
    const plaintext = checkBytes('plaintext', request.plaintext, 1, MAX_PLAINTEXT_BYTES);
    noIv(request.iv, 'picks its own IV');
    checkAlgorithm(request.algorithm);
    const context = aadEncryptionContext(checkAad(request.aad));
    const r = await this.#send((client) =>
      client.send(
        new this.#sdk.EncryptCommand({
          KeyId: keyId,
          Plaintext: plaintext,
          EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
          ...(context === undefined ? {} : { EncryptionContext: context }),
        }),
      ),
    );
    const requestId = requestIdOf(r);
    const status = r.$metadata.httpStatusCode ?? 200;
    return {
      keyId: required(r.KeyId, 'KeyId', requestId, status),
      keyVersionId: '',
      ciphertextBlob: required(r.CiphertextBlob, 'CiphertextBlob', requestId, status),
      iv: NO_IV(),
      algorithm: 'AES_GCM',
      requestId,
    };
  }

  /**
   * `Decrypt` of an AWS `CiphertextBlob`. A `keyId`, when given, is sent along: AWS then refuses
   * a blob of another key (`IncorrectKeyException`). Blobs with a separate `iv` are not AWS's.
   */
  async advanceDecrypt(request: AdvanceDecryptRequest): Promise<AdvanceDecryptResponse> {
    const ciphertextBlob = checkBytes('ciphertextBlob', request.ciphertextBlob, 1, MAX_CIPHERTEXT_BLOB_BYTES);
    noIv(request.iv, 'blobs carry their IV inside');
    checkAlgorithm(request.algorithm);
    const keyId = request.keyId === undefined ? undefined : checkKeyId(request.keyId);
    const context = aadEncryptionContext(checkAad(request.aad));
    const r = await this.#send((client) =>
      client.send(
        new this.#sdk.DecryptCommand({
          CiphertextBlob: ciphertextBlob,
          EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
          ...(keyId === undefined ? {} : { KeyId: keyId }),
          ...(context === undefined ? {} : { EncryptionContext: context }),
        }),
      ),
    );
    const requestId = requestIdOf(r);
    const status = r.$metadata.httpStatusCode ?? 200;
    const plaintext = required(r.Plaintext, 'Plaintext', requestId, status);
    try {
      return { keyId: required(r.KeyId, 'KeyId', requestId, status), keyVersionId: '', plaintext, algorithm: 'AES_GCM', requestId };
    } catch (error) {
      plaintext.fill(0);
      throw error;
    }
  }

  /** `DescribeKey`: the key id and ARN a key id, key ARN, alias name or alias ARN names. */
  async resolveKey(request: ResolveKeyRequest): Promise<ResolveKeyResponse> {
    const keyId = checkKeyId(request.keyId);
    const r = await this.#send((client) => client.send(new this.#sdk.DescribeKeyCommand({ KeyId: keyId })));
    const requestId = requestIdOf(r);
    const status = r.$metadata.httpStatusCode ?? 200;
    const metadata = required(r.KeyMetadata, 'KeyMetadata', requestId, status);
    return { keyId: required(metadata.KeyId, 'KeyId', requestId, status), arn: required(metadata.Arn, 'Arn', requestId, status), requestId };
  }

  /** Runs one SDK call; whatever it throws becomes a {@link KmsServiceError}. */
  async #send<T extends Metadata>(call: (client: KMSClient) => Promise<T>): Promise<T> {
    try {
      return await call(this.#client);
    } catch (error) {
      throw awsKmsError(error);
    }
  }
}
