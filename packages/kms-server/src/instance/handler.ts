/**
 * Serves one KMS instance API request: authenticate, decode the protobuf request, call the
 * backend, encode the protobuf response (errors as a protobuf `Error` body).
 *
 * @module
 */
import type { IncomingMessage } from 'node:http';
import { ApiError, toApiError } from '../api-error.js';
import type { BackendFor } from '../policy/access.js';
import { INSTANCE_ACTIONS, KEY_VERSION_HEADER } from './actions.js';
import { authenticateInstance, type InstanceAuthenticationSettings } from './authenticate.js';
import { decodeMessage, encodeMessage } from './messages.js';

export { KEY_VERSION_HEADER };

/** An answer: status, protobuf body and extra headers. */
export interface ProtobufAnswer {
  readonly status: number;
  readonly body: Uint8Array;
  readonly headers: Readonly<Record<string, string>>;
}

const API_NAMES: ReadonlySet<string> = new Set(INSTANCE_ACTIONS.keys());

/** The protobuf `Error` answer. */
export function protobufError(error: ApiError, requestId: string): ProtobufAnswer {
  return {
    status: error.status,
    body: encodeMessage('Error', {
      StatusCode: error.status,
      ErrorCode: error.code,
      ErrorMessage: error.message,
      RequestId: requestId,
    }),
    headers: {},
  };
}

/** True when a request speaks the instance API (it carries `x-kms-apiname` or `x-kms-apiversion`). */
export function isInstanceRequest(req: IncomingMessage): boolean {
  return req.headers['x-kms-apiname'] !== undefined || req.headers['x-kms-apiversion'] !== undefined;
}

/** Answers an instance API request whose body has been read. Never throws. */
export async function handleInstance(
  req: IncomingMessage,
  body: Buffer,
  kms: BackendFor,
  settings: InstanceAuthenticationSettings,
  requestId: string,
): Promise<ProtobufAnswer> {
  try {
    if (req.method !== 'POST') throw new ApiError(400, 'UnsupportedOperation', 'Only POST is supported.');
    const header = (name: string): string => {
      const value = req.headers[name];
      return Array.isArray(value) ? value.join(',') : (value ?? '');
    };
    const apiName = authenticateInstance(
      { method: 'POST', header, headerNames: Object.keys(req.headers), body },
      API_NAMES,
      settings,
    );
    let request;
    try {
      request = decodeMessage(`${apiName}Request`, body);
    } catch {
      throw new ApiError(400, 'InvalidParameter', 'The specified parameter is not valid.');
    } finally {
      body.fill(0);
    }
    const answer = await INSTANCE_ACTIONS.get(apiName)!(request, kms(header('x-kms-acccesskeyid'), apiName), header);
    const encoded = encodeMessage(`${apiName}Response`, { ...answer.fields, RequestId: requestId });
    const plaintext = answer.fields['Plaintext'];
    if (plaintext instanceof Uint8Array) plaintext.fill(0);
    return { status: 200, body: encoded, headers: answer.keyVersionId === '' ? {} : { [KEY_VERSION_HEADER]: answer.keyVersionId } };
  } catch (error) {
    return protobufError(toApiError(error), requestId);
  }
}
