/**
 * `startKmsServer`: an HTTP(S) server that speaks Alibaba Cloud KMS's two wire protocols over a
 * {@link KmsBackend} (e.g. `LocalKms`): the OpenAPI 2016-01-20 RPC/JSON dialect of the official
 * Node clients, the KMS instance API (`dkms-gcs-0.2`, protobuf), and AWS KMS's JSON 1.1 protocol,
 * all on the same port. A request carrying `x-amz-target` is an AWS request; one carrying
 * `x-kms-apiname` or `x-kms-apiversion` an instance API request; anything else is OpenAPI.
 *
 * @module
 */
import { randomUUID, type KeyObject } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { ArgumentError } from '@dek/core';
import { ApiError, requestTimedOut, toApiError } from './api-error.js';
import { answerCode, auditEntry, claimedTrace, type AuditEntry, type Dialect } from './audit/audit-entry.js';
import {
  AWS_JSON_CONTENT_TYPE,
  awsErrorAnswer,
  awsSettings,
  handleAws,
  isAwsRequest,
  type AwsAnswer,
  type AwsDialectOptions,
} from './aws/handler.js';
import { SIGV4_WINDOW_MS } from './aws/authenticate.js';
import { toAwsError } from './aws/errors.js';
import type { KmsBackend } from './backend.js';
import { readBody } from './http/body.js';
import { registerClientKeys } from './instance/client-keys.js';
import { handleInstance, isInstanceRequest, protobufError, type ProtobufAnswer } from './instance/handler.js';
import { NonceCache } from './openapi/nonce-cache.js';
import { handleOpenApi, jsonError, type JsonAnswer } from './openapi/handler.js';
import { AccessControl } from './policy/access.js';
import type { RequestTrace } from './policy/guard.js';
import type { PolicySet } from './policy/policy-set.js';

/** The TLS identity of an HTTPS server (PEM). */
export interface KmsServerTls {
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
  /** Chain certificates to send along, if any. */
  readonly ca?: string | Buffer;
}

/** Options of {@link startKmsServer}. */
export interface KmsServerOptions {
  /** The KMS that answers (crypto calls and key administration), e.g. a `LocalKms`. */
  readonly kms: KmsBackend;
  /** Address to listen on (default `127.0.0.1`). */
  readonly host?: string;
  /** Port to listen on (default 0: a free port, see {@link KmsServer.port}). */
  readonly port?: number;
  /** Serve HTTPS with this identity; plain HTTP without it. */
  readonly tls?: KmsServerTls;
  /** OpenAPI credentials: AccessKeyId -> AccessKeySecret. Without any, every OpenAPI call fails. */
  readonly accessKeys?: Readonly<Record<string, string>>;
  /**
   * Instance API credentials: ClientKey id -> its public key (a PEM public key or certificate,
   * or a `KeyObject`). Without any, every instance API call fails. A certificate must be valid
   * (ArgumentError otherwise), and requests are refused (401 `Unauthorized`) once it expires.
   */
  readonly clientKeys?: Readonly<Record<string, string | KeyObject>>;
  /** AWS KMS dialect (JSON 1.1, SigV4): credentials, region and account. Without it, every AWS call fails. */
  readonly aws?: AwsDialectOptions;
  /**
   * Accepted clock skew of signed requests, in milliseconds. Default: 15 minutes for the Alibaba
   * dialects, 5 minutes for AWS (each service's own window); when given, it applies to all.
   */
  readonly timestampWindowMs?: number;
  /** Deadline of one request, reading included, in milliseconds (default 30000); then 503. */
  readonly requestTimeoutMs?: number;
  /** Largest request body, in bytes (default 3 MiB); larger bodies get 413. */
  readonly maxBodyBytes?: number;
  /** How long `close()` lets requests in flight finish before cutting connections (default 10000 ms). */
  readonly shutdownGraceMs?: number;
  /** The clock for timestamp checks (default `Date.now`). */
  readonly now?: () => number;
  /**
   * Who may do what (see `PolicySet`); without it, every credential may call every action on
   * every key. A credential the policy does not name is denied everything.
   */
  readonly policy?: PolicySet;
  /** Called once per request, just before its answer is sent (e.g. `AuditLog.write`). */
  readonly audit?: (entry: AuditEntry) => void;
  /** Region and account of the backend's `acs:` ARNs, for RAM policies (default LocalKms's: `local`, `0`). */
  readonly alibaba?: { readonly region?: string; readonly accountId?: string };
}

/** A running server. */
export interface KmsServer {
  /** `http://host:port` or `https://host:port`. */
  readonly url: string;
  readonly host: string;
  /** The port actually bound. */
  readonly port: number;
  /**
   * Stops accepting connections, lets requests in flight finish (up to `shutdownGraceMs`), then
   * resolves. Idempotent.
   */
  close(): Promise<void>;
  /** Replaces the policy (e.g. on reload); requests in flight finish under the one they started with. */
  setPolicy(policy: PolicySet): void;
}

/** The default request body limit: 3 MiB, the instance API's documented limit. */
export const DEFAULT_MAX_BODY_BYTES = 3 * 1024 * 1024;
/** Node's header limit is raised to this (the OpenAPI client puts every parameter in the URL). */
export const MAX_HEADER_BYTES = 64 * 1024;

function positive(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new ArgumentError(`${name} must be a positive integer, got ${String(value)}`, { field: name });
  return value;
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** Starts a server; resolves once it listens. */
export async function startKmsServer(options: KmsServerOptions): Promise<KmsServer> {
  const host = options.host ?? '127.0.0.1';
  const timestampWindowMs = positive('timestampWindowMs', options.timestampWindowMs ?? 15 * 60 * 1000);
  const requestTimeoutMs = positive('requestTimeoutMs', options.requestTimeoutMs ?? 30_000);
  const maxBodyBytes = positive('maxBodyBytes', options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
  const shutdownGraceMs = positive('shutdownGraceMs', options.shutdownGraceMs ?? 10_000);
  const now = options.now ?? Date.now;
  const kms = options.kms;
  const openApi = {
    accessKeys: new Map(Object.entries(options.accessKeys ?? {})),
    timestampWindowMs,
    now,
    // A nonce must outlive every timestamp that could still carry it.
    nonces: new NonceCache(2 * timestampWindowMs),
  };
  const instance = {
    clientKeys: registerClientKeys(options.clientKeys ?? {}, now()),
    timestampWindowMs,
    now,
  };

  const aws = awsSettings(options.aws, options.timestampWindowMs === undefined ? SIGV4_WINDOW_MS : timestampWindowMs, now);
  const access = new AccessControl({
    kms,
    policy: options.policy,
    alibaba: { region: options.alibaba?.region ?? 'local', accountId: options.alibaba?.accountId ?? '0' },
    aws: aws.scope,
    trace: options.audit !== undefined,
  });

  let closing = false;
  let server: Server;

  const write = (res: ServerResponse, requestId: string, answer: JsonAnswer | ProtobufAnswer | AwsAnswer, dialect: Dialect): void => {
    if (res.headersSent || res.destroyed) return;
    const close = closing || answer.status === 413 ? { connection: 'close' } : {};
    if (dialect === 'aws') {
      const { body, headers } = answer as AwsAnswer;
      res.writeHead(answer.status, { 'content-type': AWS_JSON_CONTENT_TYPE, 'x-amzn-requestid': requestId, ...headers, ...close });
      // The body may hold a data key: wipe it once it has been handed to the socket.
      res.end(body, () => body.fill(0));
    } else if (dialect === 'openapi') {
      res.writeHead(answer.status, {
        'content-type': 'application/json;charset=utf-8',
        'x-acs-request-id': requestId,
        ...close,
      });
      res.end(JSON.stringify((answer as JsonAnswer).body));
    } else {
      const { body, headers } = answer as ProtobufAnswer;
      res.writeHead(answer.status, { 'content-type': 'application/x-protobuf', 'x-kms-requestid': requestId, ...headers, ...close });
      // The body may hold a data key: wipe it once it has been handed to the socket.
      res.end(body, () => body.fill(0));
    }
  };

  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = randomUUID().toUpperCase();
    const dialect: Dialect = isAwsRequest(req) ? 'aws' : isInstanceRequest(req) ? 'instance' : 'openapi';
    const trace: RequestTrace = options.audit === undefined ? {} : claimedTrace(dialect, req);
    const kmsFor = access.backendFor(dialect, trace);
    const finish = (answer: JsonAnswer | ProtobufAnswer | AwsAnswer): void => {
      // Before writing: writing wipes the body the code is read from.
      const headers = 'headers' in answer ? answer.headers : undefined;
      options.audit?.(auditEntry(dialect, req, trace, requestId, answer.status, answerCode(dialect, answer.status, answer.body, headers)));
      write(res, requestId, answer, dialect);
    };
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(requestTimedOut()), requestTimeoutMs);
    });
    const work = async (): Promise<JsonAnswer | ProtobufAnswer | AwsAnswer> => {
      const body = await readBody(req, maxBodyBytes);
      if (dialect === 'aws') return handleAws(req, body, kmsFor, aws);
      return dialect === 'openapi' ? handleOpenApi(req, body, kmsFor, openApi, requestId) : handleInstance(req, body, kmsFor, instance, requestId);
    };
    try {
      finish(await Promise.race([work(), deadline]));
    } catch (error) {
      if (dialect === 'aws') {
        finish(awsErrorAnswer(toAwsError(error)));
        return;
      }
      const apiError = error instanceof ApiError ? error : toApiError(error);
      const answer = dialect === 'openapi' ? jsonError(apiError, requestId, req.headers.host ?? 'localhost') : protobufError(apiError, requestId);
      finish(answer);
    } finally {
      clearTimeout(timer);
    }
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    // Once closing, every finished response may leave an idle keep-alive connection: drop it.
    res.on('finish', () => {
      if (closing) server.closeIdleConnections();
    });
    void serve(req, res);
  };
  const serverOptions = {
    maxHeaderSize: MAX_HEADER_BYTES,
    requestTimeout: requestTimeoutMs,
    headersTimeout: Math.min(requestTimeoutMs, 60_000),
  };
  server = options.tls === undefined
    ? createHttpServer(serverOptions, onRequest)
    : createHttpsServer({ ...serverOptions, cert: options.tls.cert, key: options.tls.key, ...(options.tls.ca === undefined ? {} : { ca: options.tls.ca }) }, onRequest);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= new Promise<void>((resolve) => {
      closing = true;
      const force = setTimeout(() => server.closeAllConnections(), shutdownGraceMs);
      force.unref();
      server.close(() => {
        clearTimeout(force);
        resolve();
      });
      server.closeIdleConnections();
    });
    return closed;
  };

  return {
    url: `${options.tls === undefined ? 'http' : 'https'}://${hostForUrl(host)}:${port}`,
    host,
    port,
    close,
    setPolicy: (policy) => access.setPolicy(policy),
  };
}
