/**
 * One HTTP(S) POST with a deadline and a bounded response, for the instance API client.
 * Failures before a response arrives become {@link KmsServiceError}s with status 0 and code
 * `RequestTimeout` or `NetworkFailure` (both retryable).
 *
 * @module
 */
import type { Agent as HttpAgent, IncomingHttpHeaders } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type Agent as HttpsAgent } from 'node:https';
import { KmsServiceError } from '@dek/kms-adapter';

/** A complete HTTP response. */
export interface HttpResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** Settings of one POST. */
export interface PostOptions {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
  /** Deadline for the whole exchange, in milliseconds. */
  readonly timeoutMs: number;
  /** Responses longer than this fail (as `NetworkFailure`). */
  readonly maxResponseBytes: number;
  readonly agent: HttpAgent | HttpsAgent;
}

function failure(code: 'RequestTimeout' | 'NetworkFailure', message: string, cause?: unknown): KmsServiceError {
  return new KmsServiceError({ httpStatus: 0, code, message, requestId: '' }, cause === undefined ? undefined : { cause });
}

/** POSTs `body` to `url` and collects the whole response. */
export function post(url: URL, options: PostOptions): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
    const req = send(url, { method: 'POST', headers: options.headers, agent: options.agent });
    const fail = (error: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      reject(error instanceof KmsServiceError ? error : failure('NetworkFailure', `request to ${url.host} failed: ${String(error)}`, error));
    };
    const timer = setTimeout(() => {
      fail(failure('RequestTimeout', `no complete response from ${url.host} within ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    req.on('error', fail);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let length = 0;
      res.on('data', (chunk: Buffer) => {
        length += chunk.length;
        if (length > options.maxResponseBytes) {
          fail(failure('NetworkFailure', `response from ${url.host} exceeds ${options.maxResponseBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('error', fail);
      res.on('aborted', () => fail(failure('NetworkFailure', `response from ${url.host} was cut off`)));
      res.on('end', () => {
        const body = Buffer.concat(chunks, length);
        for (const chunk of chunks) chunk.fill(0);
        if (settled) {
          body.fill(0);
          return;
        }
        settled = true;
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
    });
    req.end(options.body);
  });
}
