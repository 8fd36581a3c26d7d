/**
 * `AlibabaInstanceKms`: a client of the Alibaba Cloud KMS instance API (`dkms-gcs-0.2`, the
 * dedicated gateway `<instance>.cryptoservice.kms.aliyuncs.com`). Alibaba publishes no Node SDK
 * for it; this one follows the official Go/Java SDKs: protobuf bodies, ClientKey RSA-SHA256
 * signatures, TLS verified against the instance CA, retries with backoff.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { ArgumentError, safeRemoteCode, safeRemoteMessage, zeroize } from '@dek/core';
import { KmsServiceError } from '@dek/kms-adapter';
import type {
  AdvanceDecryptRequest,
  AdvanceDecryptResponse,
  AdvanceEncryptRequest,
  AdvanceEncryptResponse,
  AdvanceGenerateDataKeyRequest,
  AdvanceGenerateDataKeyResponse,
  DecryptRequest,
  DecryptResponse,
  EncryptRequest,
  EncryptResponse,
  GenerateDataKeyRequest,
  GenerateDataKeyResponse,
  KeyManagementService,
  KmsAlgorithm,
} from '@dek/kms-adapter';
import { parseClientKey, parseClientKeyJson, type ClientKey, type ClientKeyContent } from './client-key.js';
import { post, type HttpResponse } from './http.js';
import {
  decodeInstanceMessage,
  encodeInstanceMessage,
  type InstanceMessageName,
  type InstanceMessages,
} from './instance-messages.js';
import { INSTANCE_SIGNATURE_METHOD, instanceAuthorization, instanceStringToSign } from './instance-signature.js';
import { retryPolicy, withRetry, type RetryOptions, type RetryPolicy } from './retry.js';

/** The API version header value of the instance API. */
export const INSTANCE_API_VERSION = 'dkms-gcs-0.2';
/** The response header that carries the key version of the non-advance calls. */
export const MIGRATION_KEY_VERSION_ID_HEADER = 'x-kms-migrationkeyversionid';

/** The slot provider id of {@link AlibabaInstanceKms}. */
export const ALIBABA_INSTANCE_PROVIDER = 'alibaba-kms';

/** Options of {@link AlibabaInstanceKms}. */
export interface AlibabaInstanceKmsOptions {
  /**
   * The instance endpoint: `host[:port]` (HTTPS), or a URL `https://host[:port]` (`http://` is
   * accepted for loopback tests only).
   */
  readonly endpoint: string;
  /** The ClientKey: its parsed JSON content or the JSON text. Exactly one of this and `clientKeyFile`. */
  readonly clientKey?: ClientKeyContent | string;
  /** Path of the ClientKey JSON file (read once, at construction). */
  readonly clientKeyFile?: string;
  /** The ClientKey password. */
  readonly password: string;
  /** The instance CA certificate(s), PEM. Without it (and `caFile`), the system CAs are used. */
  readonly ca?: string;
  /** Path of the instance CA certificate file (PEM). */
  readonly caFile?: string;
  /** Deadline of one attempt, in milliseconds (default 10000). */
  readonly timeoutMs?: number;
  /** Retries of throttling, 5xx, timeouts and network failures. */
  readonly retry?: RetryOptions;
  /** Sent as `user-agent`. */
  readonly userAgent?: string;
}

/** The instance API calls this client makes. */
type InstanceApiName = 'AdvanceGenerateDataKey' | 'AdvanceEncrypt' | 'AdvanceDecrypt' | 'GenerateDataKey' | 'Encrypt' | 'Decrypt';

/** Responses larger than this are refused (the API's request limit is 3 MB; answers are smaller). */
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

function endpointUrl(endpoint: string): URL {
  const url = new URL(/^[a-z]+:\/\//i.test(endpoint) ? endpoint : `https://${endpoint}`);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ArgumentError(`endpoint must be https:// (or http:// for loopback tests), got ${url.protocol}`, { field: 'endpoint' });
  }
  return new URL('/', url);
}

function algorithmOf(value: string, requestId: string): KmsAlgorithm {
  if (value === 'AES_GCM' || value === '') return 'AES_GCM';
  throw new KmsServiceError({
    httpStatus: 200,
    code: 'InvalidResponse',
    message: `the KMS answered with algorithm "${safeRemoteCode(value)}"; only AES_GCM is supported`,
    requestId,
  });
}

function header(response: HttpResponse, name: string): string {
  const value = response.headers[name];
  return typeof value === 'string' ? value : '';
}

/**
 * A {@link KeyManagementService} over the Alibaba Cloud KMS instance API. Advance calls use the
 * key's primary version; `generateDataKey` / `encrypt` the initial one (read the version from
 * the `x-kms-migrationkeyversionid` response header, empty when the server sends none).
 * Every failure is a {@link KmsServiceError} carrying the server's code, HTTP status and
 * request id (status 0 for timeouts, network failures and a bad ClientKey).
 */
export class AlibabaInstanceKms implements KeyManagementService {
  /** The slot provider id, `alibaba-kms`. */
  readonly provider = ALIBABA_INSTANCE_PROVIDER;
  readonly #url: URL;
  readonly #clientKey: ClientKey;
  readonly #agent: HttpAgent | HttpsAgent;
  readonly #timeoutMs: number;
  readonly #retry: RetryPolicy;
  readonly #userAgent: string;

  constructor(options: AlibabaInstanceKmsOptions) {
    this.#url = endpointUrl(options.endpoint);
    if ((options.clientKey === undefined) === (options.clientKeyFile === undefined)) {
      throw new ArgumentError('give exactly one of clientKey and clientKeyFile', { field: 'clientKey' });
    }
    const keyText = options.clientKeyFile === undefined ? options.clientKey! : readFileSync(options.clientKeyFile, 'utf8');
    const content = typeof keyText === 'string' ? parseClientKeyJson(keyText) : keyText;
    this.#clientKey = parseClientKey(content, options.password);
    const ca = options.ca ?? (options.caFile === undefined ? undefined : readFileSync(options.caFile, 'utf8'));
    this.#agent =
      this.#url.protocol === 'http:'
        ? new HttpAgent({ keepAlive: true })
        : new HttpsAgent({
            keepAlive: true,
            ...(ca === undefined ? {} : { ca }),
            ...(this.#clientKey.certificatePem === ''
              ? {}
              : { cert: this.#clientKey.certificatePem, key: this.#clientKey.privateKeyPem }),
          });
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    if (!Number.isSafeInteger(this.#timeoutMs) || this.#timeoutMs < 1) {
      throw new ArgumentError(`timeoutMs must be a positive integer, got ${String(options.timeoutMs)}`, { field: 'timeoutMs' });
    }
    this.#retry = retryPolicy(options.retry);
    this.#userAgent = options.userAgent ?? 'dek-kms-adapter (alibaba-kms)';
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.#agent.destroy();
  }

  async advanceGenerateDataKey(request: AdvanceGenerateDataKeyRequest): Promise<AdvanceGenerateDataKeyResponse> {
    const { message: r } = await this.#call('AdvanceGenerateDataKey', {
      KeyId: request.keyId,
      NumberOfBytes: request.numberOfBytes,
      Aad: request.aad ?? new Uint8Array(0),
    });
    return {
      keyId: r.KeyId,
      keyVersionId: r.KeyVersionId,
      plaintext: r.Plaintext,
      ciphertextBlob: r.CiphertextBlob,
      iv: r.Iv,
      algorithm: algorithmOf(r.Algorithm, r.RequestId),
      requestId: r.RequestId,
    };
  }

  async advanceEncrypt(request: AdvanceEncryptRequest): Promise<AdvanceEncryptResponse> {
    const { message: r } = await this.#call('AdvanceEncrypt', {
      KeyId: request.keyId,
      Plaintext: request.plaintext,
      Aad: request.aad ?? new Uint8Array(0),
      Iv: request.iv ?? new Uint8Array(0),
      Algorithm: request.algorithm ?? '',
    });
    return {
      keyId: r.KeyId,
      keyVersionId: r.KeyVersionId,
      ciphertextBlob: r.CiphertextBlob,
      iv: r.Iv,
      algorithm: algorithmOf(r.Algorithm, r.RequestId),
      requestId: r.RequestId,
    };
  }

  async advanceDecrypt(request: AdvanceDecryptRequest): Promise<AdvanceDecryptResponse> {
    const { message: r } = await this.#call('AdvanceDecrypt', {
      CiphertextBlob: request.ciphertextBlob,
      Aad: request.aad ?? new Uint8Array(0),
      KeyId: request.keyId ?? '',
      Iv: request.iv ?? new Uint8Array(0),
      Algorithm: request.algorithm ?? '',
    });
    return {
      keyId: r.KeyId,
      keyVersionId: r.KeyVersionId,
      plaintext: r.Plaintext,
      algorithm: algorithmOf(r.Algorithm, r.RequestId),
      requestId: r.RequestId,
    };
  }

  async generateDataKey(request: GenerateDataKeyRequest): Promise<GenerateDataKeyResponse> {
    const { message: r, keyVersionId } = await this.#call('GenerateDataKey', {
      KeyId: request.keyId,
      NumberOfBytes: request.numberOfBytes ?? 32,
      Aad: request.aad ?? new Uint8Array(0),
    });
    return {
      keyId: r.KeyId,
      keyVersionId,
      plaintext: r.Plaintext,
      ciphertextBlob: r.CiphertextBlob,
      iv: r.Iv,
      algorithm: algorithmOf(r.Algorithm, r.RequestId),
      requestId: r.RequestId,
    };
  }

  async encrypt(request: EncryptRequest): Promise<EncryptResponse> {
    const { message: r, keyVersionId } = await this.#call('Encrypt', {
      KeyId: request.keyId,
      Plaintext: request.plaintext,
      Aad: request.aad ?? new Uint8Array(0),
    });
    return {
      keyId: r.KeyId,
      keyVersionId,
      ciphertextBlob: r.CiphertextBlob,
      iv: r.Iv,
      algorithm: algorithmOf(r.Algorithm, r.RequestId),
      requestId: r.RequestId,
    };
  }

  async decrypt(request: DecryptRequest): Promise<DecryptResponse> {
    // A version travels as Alibaba's SDKs send it: in the signed x-kms-migrationkeyversionid header.
    const version: Record<string, string> = request.keyVersionId === undefined ? {} : { [MIGRATION_KEY_VERSION_ID_HEADER]: request.keyVersionId };
    const { message: r, keyVersionId } = await this.#call(
      'Decrypt',
      {
        CiphertextBlob: request.ciphertextBlob,
        KeyId: request.keyId ?? '',
        Iv: request.iv,
        Algorithm: request.algorithm,
        Aad: request.aad ?? new Uint8Array(0),
      },
      version,
    );
    return {
      keyId: r.KeyId,
      keyVersionId,
      plaintext: r.Plaintext,
      algorithm: algorithmOf(r.Algorithm, r.RequestId),
      requestId: r.RequestId,
    };
  }

  /** One API call with retries; the request body is zeroed once the call is over. */
  async #call<A extends InstanceApiName>(
    apiName: A,
    request: Partial<InstanceMessages[`${A}Request`]>,
    extraHeaders: Readonly<Record<string, string>> = {},
  ): Promise<{ message: InstanceMessages[`${A}Response`]; keyVersionId: string }> {
    const body = encodeInstanceMessage(`${apiName}Request`, request);
    try {
      return await withRetry(this.#retry, () => this.#attempt(apiName, `${apiName}Response`, body, extraHeaders));
    } finally {
      zeroize(body);
    }
  }

  async #attempt<R extends InstanceMessageName>(
    apiName: string,
    responseName: R,
    body: Uint8Array,
    extraHeaders: Readonly<Record<string, string>>,
  ): Promise<{ message: InstanceMessages[R]; keyVersionId: string }> {
    const headers: Record<string, string> = {
      ...extraHeaders,
      accept: 'application/x-protobuf',
      'content-type': 'application/x-protobuf',
      'content-length': String(body.length),
      'content-sha256': createHash('sha256').update(body).digest('hex').toUpperCase(),
      date: new Date().toUTCString(),
      'user-agent': this.#userAgent,
      'x-kms-apiversion': INSTANCE_API_VERSION,
      'x-kms-apiname': apiName,
      'x-kms-signaturemethod': INSTANCE_SIGNATURE_METHOD,
      'x-kms-acccesskeyid': this.#clientKey.keyId,
    };
    headers['authorization'] = instanceAuthorization(this.#clientKey.privateKey, instanceStringToSign('POST', headers));
    const response = await post(this.#url, {
      headers,
      body,
      timeoutMs: this.#timeoutMs,
      maxResponseBytes: MAX_RESPONSE_BYTES,
      agent: this.#agent,
    });
    try {
      if (response.status !== 200) throw errorFrom(response);
      return {
        message: decodeResponse(responseName, response),
        keyVersionId: header(response, MIGRATION_KEY_VERSION_ID_HEADER),
      };
    } finally {
      response.body.fill(0);
    }
  }
}

function decodeResponse<R extends InstanceMessageName>(name: R, response: HttpResponse): InstanceMessages[R] {
  try {
    return decodeInstanceMessage(name, response.body);
  } catch {
    // No `cause`: a protobuf decode error may carry the partly decoded message, data key and all.
    throw new KmsServiceError({ httpStatus: response.status, code: 'InvalidResponse', message: `the KMS answered with a malformed ${name}`, requestId: '' });
  }
}

/**
 * Turns a 4xx/5xx answer (a protobuf `Error`, if the server is well behaved) into a KmsServiceError,
 * its message made safe by `safeRemoteMessage` (never a verbatim copy of what the server said).
 */
function errorFrom(response: HttpResponse): KmsServiceError {
  try {
    const e = decodeInstanceMessage('Error', response.body);
    if (e.ErrorCode !== '') {
      return new KmsServiceError({
        httpStatus: response.status,
        code: safeRemoteCode(e.ErrorCode),
        message: safeRemoteMessage(e.ErrorMessage),
        requestId: safeRemoteCode(e.RequestId),
      });
    }
  } catch {
    // Not a protobuf Error: fall through to a generic error carrying the status.
  }
  return new KmsServiceError({
    httpStatus: response.status,
    code: response.status >= 500 ? 'InternalFailure' : 'InvalidResponse',
    message: `the KMS answered HTTP ${response.status} without a protobuf Error body`,
    requestId: '',
  });
}
