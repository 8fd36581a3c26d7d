/**
 * Serves one OpenAPI 2016-01-20 request: authenticate, route by action, answer JSON (errors as
 * the gateway's `{RequestId, HostId, Code, Message, Recommend}` body, which both official Node
 * clients turn into coded errors).
 *
 * @module
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ApiError, toApiError } from '../api-error.js';
import type { BackendFor } from '../policy/access.js';
import { OPENAPI_ACTIONS, type JsonBody } from './actions.js';
import { authenticate, type AuthenticationSettings } from './authenticate.js';
import { Params } from './params.js';
import type { Param } from './signature.js';

/** An answer: status and JSON body. */
export interface JsonAnswer {
  readonly status: number;
  readonly body: JsonBody;
}

function paramsOf(search: URLSearchParams): Param[] {
  return [...search.entries()];
}

function isForm(req: IncomingMessage): boolean {
  return (req.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');
}

/** The JSON error body of the gateway. */
export function jsonError(error: ApiError, requestId: string, hostId: string): JsonAnswer {
  return {
    status: error.status,
    body: {
      RequestId: requestId,
      HostId: hostId,
      Code: error.code,
      Message: error.message,
      Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(error.code)}&product=Kms`,
      HttpStatus: error.status,
      ...error.extra,
    },
  };
}

/**
 * Parses the request target. It must be origin-form (`/path?query`); it is appended to a fixed
 * origin rather than resolved against it, so `//host`-like targets stay paths instead of throwing.
 */
function requestUrl(target: string): URL {
  if (!target.startsWith('/')) throw new ApiError(400, 'InvalidParameter', 'The request target is not valid.');
  try {
    return new URL(`http://localhost${target}`);
  } catch {
    throw new ApiError(400, 'InvalidParameter', 'The request target is not valid.');
  }
}

/** Answers an OpenAPI request whose body has been read. Never throws. */
export async function handleOpenApi(
  req: IncomingMessage,
  body: Buffer,
  kms: BackendFor,
  settings: AuthenticationSettings,
  requestId: string,
): Promise<JsonAnswer> {
  const hostId = req.headers.host ?? 'localhost';
  try {
    const method = req.method ?? '';
    if (method !== 'POST' && method !== 'GET') {
      throw new ApiError(403, 'UnsupportedHTTPMethod', 'This http method is not supported.');
    }
    const url = requestUrl(req.url ?? '/');
    const query = paramsOf(url.searchParams);
    const form = isForm(req) ? paramsOf(new URLSearchParams(body.toString('utf8'))) : [];
    const headerNames = Object.keys(req.headers);
    const header = (name: string): string => {
      const value = req.headers[name];
      return Array.isArray(value) ? value.join(',') : (value ?? '');
    };
    const { action, accessKeyId } = authenticate(
      {
        method,
        pathname: url.pathname,
        query,
        form,
        header,
        headerNames,
        payloadHash: createHash('sha256').update(body).digest('hex'),
      },
      settings,
    );
    const run = url.pathname === '/' ? OPENAPI_ACTIONS.get(action) : undefined;
    if (run === undefined) {
      throw new ApiError(404, 'InvalidAction.NotFound', 'Specified api is not found, please check your url and method.');
    }
    const answer = await run(new Params([...query, ...form]), kms(accessKeyId, action));
    return { status: 200, body: { RequestId: requestId, ...answer } };
  } catch (error) {
    return jsonError(toApiError(error), requestId, hostId);
  }
}
