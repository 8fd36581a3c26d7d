/**
 * `AlibabaOpenApiKms`: dek's {@link AdvanceKms} over the Alibaba Cloud KMS OpenAPI 2016-01-20
 * (the shared gateway `kms.<region>.aliyuncs.com`), through the official `@alicloud/kms20160120`
 * client.
 *
 * The gateway has no Advance* calls, but its `GenerateDataKey` and `Encrypt` already wrap under
 * the key's **primary** version, which is what an envelope needs. The conventions, chosen here
 * and fixed for every `alibaba-openapi` slot:
 *
 * - **Binary travels as base64 text.** The gateway encrypts the UTF-8 bytes of its `Plaintext`
 *   string; `GenerateDataKey` itself encrypts `base64(dataKey)`. So `advanceEncrypt` sends
 *   `Plaintext = base64(bytes)` and `advanceDecrypt` base64-decodes what `Decrypt` returns:
 *   blobs from either call decrypt the same way.
 * - **`ciphertextBlob` = the UTF-8 bytes of the OpenAPI `CiphertextBlob` string**, exactly as the
 *   gateway returned it (`base64(KeyVersionId | IV | ciphertext | tag)`). It is not the advance
 *   layout: its plaintext is base64 text, so it must never be handed to an instance-API
 *   `AdvanceDecrypt` as if it were.
 * - **`aad` travels as `EncryptionContext = {"dek-aad": base64(aad)}`** (a JSON string; no
 *   context at all when `aad` is absent or empty). The gateway binds it as GCM AAD
 *   `SHA-256("dek-aad=<base64>")`; the same `aad` is needed to decrypt.
 *
 * @module
 */
import { createRequire } from 'node:module';
import { ArgumentError, decodeOpenApiBlob, FormatError, safeRemoteCode, safeRemoteMessage } from '@dek/core';
import type * as $Kms from '@alicloud/kms20160120';
import type * as $Util from '@alicloud/tea-util';
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
import { retryPolicy, withRetry, type RetryOptions, type RetryPolicy } from './retry.js';

/** The slot provider id of {@link AlibabaOpenApiKms}. */
export const ALIBABA_OPENAPI_PROVIDER = 'alibaba-openapi';

/** The EncryptionContext key that carries the caller's `aad`. */
export const OPENAPI_AAD_CONTEXT_KEY = 'dek-aad';

/** Options of {@link AlibabaOpenApiKms}. Credentials default to the usual environment variables. */
export interface AlibabaOpenApiKmsOptions {
  /** Gateway host (`host[:port]`); default `kms.<regionId>.aliyuncs.com`. */
  readonly endpoint?: string;
  /** Region id, e.g. `cn-hangzhou`; default `ALIBABA_CLOUD_REGION_ID`. Needed when `endpoint` is absent. */
  readonly regionId?: string;
  /** Default `ALIBABA_CLOUD_ACCESS_KEY_ID`. */
  readonly accessKeyId?: string;
  /** Default `ALIBABA_CLOUD_ACCESS_KEY_SECRET`. */
  readonly accessKeySecret?: string;
  /** STS token; default `ALIBABA_CLOUD_SECURITY_TOKEN` (when set). */
  readonly securityToken?: string;
  /** `https` (default) or `http` (loopback emulators only). */
  readonly protocol?: 'https' | 'http';
  /** Read deadline of one attempt, in milliseconds (default 10000). */
  readonly timeoutMs?: number;
  /** Connect deadline, in milliseconds (default 5000). */
  readonly connectTimeoutMs?: number;
  /** Retries of throttling, 5xx, timeouts and network failures. */
  readonly retry?: RetryOptions;
  /** Where to read the default credentials from (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

type KmsModule = typeof $Kms;
type KmsClientClass = typeof $Kms.default.default;
type KmsClient = InstanceType<KmsClientClass>;
type RuntimeOptions = $Util.RuntimeOptions;

/** What a call needs: the SDK module (request classes), a client and the runtime options. */
interface Session {
  readonly sdk: KmsModule;
  readonly client: KmsClient;
  readonly runtime: RuntimeOptions;
}

/**
 * The client class of `@alicloud/kms20160120`, a CommonJS module with `exports.default`: `require`
 * hands out the class as `default`; an ESM import (or a bundler) may wrap it once more.
 */
function kmsClientClass(sdk: KmsModule): KmsClientClass {
  const candidate: unknown = sdk.default;
  const inner: unknown = typeof candidate === 'object' && candidate !== null ? (candidate as { default?: unknown }).default : candidate;
  return inner as KmsClientClass;
}

// The SDK costs ~0.15 s to load: load it on the first call, not with the package.
const requireLazily = createRequire(import.meta.url);
let sdkModules: [KmsModule, typeof $Util] | undefined;
function loadSdk(): [KmsModule, typeof $Util] {
  sdkModules ??= [requireLazily('@alicloud/kms20160120') as KmsModule, requireLazily('@alicloud/tea-util') as typeof $Util];
  return sdkModules;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function required(name: string, value: string | undefined, variable: string): string {
  if (value === undefined || value === '') {
    throw new ArgumentError(`${name} is needed: pass it or set ${variable}`, { field: name });
  }
  return value;
}

function invalidResponse(message: string, requestId: string): KmsServiceError {
  return new KmsServiceError({ httpStatus: 200, code: 'InvalidResponse', message, requestId });
}

/** Strict base64 decoding of a value the gateway returned. */
function fromBase64(value: string, what: string, requestId: string): Uint8Array {
  if (!BASE64.test(value)) throw invalidResponse(`the gateway returned a ${what} that is not base64`, requestId);
  return new Uint8Array(Buffer.from(value, 'base64'));
}

/**
 * The `EncryptionContext` request field for `aad`, or nothing. The official models type it as a
 * map, which the client would flatten into `EncryptionContext.k=v`; the gateway wants the JSON
 * text, so the string is passed through the map-typed field.
 */
function encryptionContext(aad: Uint8Array | undefined): { encryptionContext?: Record<string, unknown> } {
  if (aad === undefined || aad.length === 0) return {};
  const json = JSON.stringify({ [OPENAPI_AAD_CONTEXT_KEY]: Buffer.from(aad).toString('base64') });
  return { encryptionContext: json as unknown as Record<string, unknown> };
}

/** The shape of the errors the official rpc-client throws. */
interface TeaError {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly data?: { readonly Code?: unknown; readonly Message?: unknown; readonly RequestId?: unknown } | null;
}

/**
 * Converts what the official client throws into a {@link KmsServiceError}. A service error
 * (`data.Code` set) keeps its code, request id and HTTP status (parsed from the client's
 * `code: <status>,` message) and its message made safe by `safeRemoteMessage` (the gateway's
 * `SignatureDoesNotMatch` quotes a string to sign holding every parameter, `Plaintext`
 * included); a timeout or connection failure gets status 0 and code `RequestTimeout` /
 * `NetworkFailure`; anything else (a malformed answer) `InvalidResponse`. The client's own error
 * is not kept as `cause`: its text holds the request URL, and the gateway's text.
 */
export function openApiError(error: unknown): KmsServiceError {
  if (error instanceof KmsServiceError) return error;
  const e = (typeof error === 'object' && error !== null ? error : {}) as TeaError;
  const message = typeof e.message === 'string' ? e.message : '';
  const data = e.data;
  if (data !== null && typeof data === 'object' && typeof data.Code === 'string') {
    const status = /code: (\d{3}),/.exec(message)?.[1];
    return new KmsServiceError({
      httpStatus: status === undefined ? 0 : Number(status),
      code: safeRemoteCode(data.Code),
      message: typeof data.Message === 'string' ? safeRemoteMessage(data.Message) : '',
      requestId: typeof data.RequestId === 'string' ? safeRemoteCode(data.RequestId) : '',
    });
  }
  const name = typeof e.name === 'string' ? e.name : '';
  const code = typeof e.code === 'string' ? e.code : '';
  const kind = /timeout/i.test(name)
    ? 'RequestTimeout'
    : /^E[A-Z]+$/.test(code) || /RequestError$/.test(name)
      ? 'NetworkFailure'
      : 'InvalidResponse';
  return new KmsServiceError({ httpStatus: 0, code: kind, message: `KMS OpenAPI call failed: ${safeRemoteMessage(message)}`, requestId: '' });
}

/**
 * dek's {@link AdvanceKms} over the Alibaba Cloud KMS OpenAPI (provider `alibaba-openapi`); see
 * the module documentation for the conventions of its blobs. JavaScript strings cannot be
 * wiped: the base64 form of each data key stays in memory until it is garbage collected.
 */
export class AlibabaOpenApiKms implements AdvanceKms {
  /** The slot provider id, `alibaba-openapi`. */
  readonly provider = ALIBABA_OPENAPI_PROVIDER;
  readonly #config: Record<string, string>;
  readonly #timeouts: { readonly readTimeout: number; readonly connectTimeout: number };
  readonly #retry: RetryPolicy;
  #session: Promise<Session> | undefined;

  constructor(options: AlibabaOpenApiKmsOptions = {}) {
    const env = options.env ?? process.env;
    const regionId = options.regionId ?? env['ALIBABA_CLOUD_REGION_ID'];
    const endpoint = options.endpoint ?? `kms.${required('regionId', regionId, 'ALIBABA_CLOUD_REGION_ID')}.aliyuncs.com`;
    const securityToken = options.securityToken ?? env['ALIBABA_CLOUD_SECURITY_TOKEN'];
    const config = {
      endpoint,
      regionId: regionId ?? 'cn-hangzhou',
      protocol: options.protocol ?? 'https',
      accessKeyId: required('accessKeyId', options.accessKeyId ?? env['ALIBABA_CLOUD_ACCESS_KEY_ID'], 'ALIBABA_CLOUD_ACCESS_KEY_ID'),
      accessKeySecret: required(
        'accessKeySecret',
        options.accessKeySecret ?? env['ALIBABA_CLOUD_ACCESS_KEY_SECRET'],
        'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
      ),
      ...(securityToken === undefined || securityToken === '' ? {} : { securityToken }),
    };
    this.#config = config;
    this.#timeouts = { readTimeout: options.timeoutMs ?? 10_000, connectTimeout: options.connectTimeoutMs ?? 5_000 };
    this.#retry = retryPolicy(options.retry);
  }

  #open(): Promise<Session> {
    this.#session ??= Promise.resolve().then(() => {
      const [sdk, util] = loadSdk();
      // The client's Config class lives in @alicloud/rpc-client; it accepts the plain fields.
      const KmsClient = kmsClientClass(sdk);
      return {
        sdk,
        client: new KmsClient(this.#config as unknown as ConstructorParameters<KmsClientClass>[0]),
        runtime: new util.RuntimeOptions({ autoretry: false, ...this.#timeouts }),
      };
    });
    return this.#session;
  }

  async advanceGenerateDataKey(request: AdvanceGenerateDataKeyRequest): Promise<AdvanceGenerateDataKeyResponse> {
    const context = encryptionContext(request.aad);
    const r = await this.#call(({ sdk, client, runtime }) =>
      client.generateDataKeyEx(
        new sdk.GenerateDataKeyRequest({
          keyId: request.keyId,
          numberOfBytes: request.numberOfBytes,
          ...context,
        }),
        runtime,
      ),
    );
    const plaintext = fromBase64(r.plaintext, 'Plaintext', r.requestId);
    if (plaintext.length !== request.numberOfBytes) {
      plaintext.fill(0);
      throw invalidResponse(`the gateway returned a ${plaintext.length}-byte data key, not ${request.numberOfBytes}`, r.requestId);
    }
    return {
      keyId: r.keyId,
      keyVersionId: r.keyVersionId,
      plaintext,
      ciphertextBlob: new TextEncoder().encode(r.ciphertextBlob),
      iv: this.#ivOf(r.ciphertextBlob, r.requestId),
      algorithm: 'AES_GCM',
      requestId: r.requestId,
    };
  }

  async advanceEncrypt(request: AdvanceEncryptRequest): Promise<AdvanceEncryptResponse> {
    if (request.iv !== undefined) {
      throw new ArgumentError('the KMS OpenAPI picks its own IV; leave iv out', { field: 'iv' });
    }
    const context = encryptionContext(request.aad);
    const r = await this.#call(({ sdk, client, runtime }) =>
      client.encryptEx(
        new sdk.EncryptRequest({
          keyId: request.keyId,
          plaintext: Buffer.from(request.plaintext).toString('base64'),
          ...context,
        }),
        runtime,
      ),
    );
    return {
      keyId: r.keyId,
      keyVersionId: r.keyVersionId,
      ciphertextBlob: new TextEncoder().encode(r.ciphertextBlob),
      iv: this.#ivOf(r.ciphertextBlob, r.requestId),
      algorithm: 'AES_GCM',
      requestId: r.requestId,
    };
  }

  async advanceDecrypt(request: AdvanceDecryptRequest): Promise<AdvanceDecryptResponse> {
    const blob = new TextDecoder().decode(request.ciphertextBlob);
    try {
      decodeOpenApiBlob(blob);
    } catch (cause) {
      const reason = cause instanceof FormatError ? cause.message : 'malformed';
      throw new ArgumentError(`ciphertextBlob is not an alibaba-openapi blob (base64 OpenAPI CiphertextBlob): ${reason}`, {
        field: 'ciphertextBlob',
      });
    }
    const context = encryptionContext(request.aad);
    const r = await this.#call(({ sdk, client, runtime }) =>
      client.decryptEx(
        new sdk.DecryptRequest({ ciphertextBlob: blob, ...context }),
        runtime,
      ),
    );
    return {
      keyId: r.keyId,
      keyVersionId: r.keyVersionId,
      plaintext: fromBase64(r.plaintext, 'Plaintext', r.requestId),
      algorithm: 'AES_GCM',
      requestId: r.requestId,
    };
  }

  /** `DescribeKey`: the key id and ARN a key id, alias or ARN names. */
  async resolveKey(request: ResolveKeyRequest): Promise<ResolveKeyResponse> {
    const r = await this.#call(({ sdk, client, runtime }) => client.describeKeyEx(new sdk.DescribeKeyRequest({ keyId: request.keyId }), runtime));
    if (typeof r.keyMetadata?.keyId !== 'string' || r.keyMetadata.keyId === '') throw invalidResponse('DescribeKey returned no KeyId', r.requestId);
    return { keyId: r.keyMetadata.keyId, arn: r.keyMetadata.arn, requestId: r.requestId };
  }

  #ivOf(blob: string, requestId: string): Uint8Array {
    try {
      return decodeOpenApiBlob(blob).iv;
    } catch {
      throw invalidResponse('the gateway returned a CiphertextBlob that is not an OpenAPI blob', requestId);
    }
  }

  async #call<T>(call: (session: Session) => Promise<T>): Promise<T> {
    const session = await this.#open();
    return withRetry(this.#retry, async () => {
      try {
        return await call(session);
      } catch (error) {
        throw openApiError(error);
      }
    });
  }
}
