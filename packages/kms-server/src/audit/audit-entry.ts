/**
 * One line of the audit log: who asked what of which key, from where, and what was answered.
 * It never holds a key, plaintext, blob, signature or secret: only names (credential id, action,
 * key id and version), the source address, the answer's status and code, and the request id.
 *
 * @module
 */
import type { IncomingMessage } from 'node:http';
import { decodeMessage } from '../instance/messages.js';
import type { RequestTrace } from '../policy/guard.js';
import { safeJson } from '../policy/json-source.js';

/** The wire protocol of a request. */
export type Dialect = 'aws' | 'openapi' | 'instance';

/** One audit record. `null` where the request did not get that far (e.g. no key named). */
export interface AuditEntry {
  /** ISO 8601 time the answer was sent. */
  readonly time: string;
  readonly dialect: Dialect;
  /** The credential id: the authenticated one, else the one the request claimed. */
  readonly credential: string | null;
  /** The dialect's action name (`GenerateDataKey`, `AdvanceDecrypt`, ...). */
  readonly action: string | null;
  readonly keyId: string | null;
  readonly keyVersionId: string | null;
  /** The peer's IP address. */
  readonly source: string | null;
  /** The HTTP status of the answer. */
  readonly status: number;
  /** `OK`, or the error code answered (`Forbidden.RAM`, `AccessDeniedException`, ...). */
  readonly code: string;
  readonly requestId: string;
}

/** Longest credential id or action name recorded: they may come from an unauthenticated request. */
const MAX_NAME = 128;

const named = (value: string | undefined): string | null => (value === undefined || value === '' ? null : value.slice(0, MAX_NAME));

function header(req: IncomingMessage, name: string): string {
  const value = req.headers[name];
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
}

/**
 * The credential id and action a request claims, read from its headers and URL before it is
 * authenticated (so that a refused request is logged with them too).
 */
export function claimedTrace(dialect: Dialect, req: IncomingMessage): RequestTrace {
  const credential = /Credential=([^/,\s]+)/.exec(header(req, 'authorization'))?.[1];
  if (dialect === 'aws') {
    const target = header(req, 'x-amz-target');
    return { credentialId: credential, action: target.slice(target.indexOf('.') + 1) };
  }
  if (dialect === 'instance') return { credentialId: header(req, 'x-kms-acccesskeyid'), action: header(req, 'x-kms-apiname') };
  let query: URLSearchParams;
  try {
    query = new URL(`http://localhost${req.url ?? '/'}`).searchParams;
  } catch {
    query = new URLSearchParams();
  }
  return { credentialId: credential ?? query.get('AccessKeyId') ?? undefined, action: header(req, 'x-acs-action') || (query.get('Action') ?? undefined) };
}

/** The error code of an answer about to be sent (`OK` for a success). */
export function answerCode(dialect: Dialect, status: number, body: unknown, headers: Readonly<Record<string, string>> | undefined): string {
  if (status === 200) return 'OK';
  if (dialect === 'aws') return headers?.['x-amzn-errortype'] ?? 'Unknown';
  if (dialect === 'openapi') return String((body as { Code?: unknown }).Code ?? 'Unknown');
  try {
    return String(decodeMessage('Error', body as Uint8Array)['ErrorCode'] ?? 'Unknown');
  } catch {
    return 'Unknown';
  }
}

/** The audit record of a served request. */
export function auditEntry(dialect: Dialect, req: IncomingMessage, trace: RequestTrace, requestId: string, status: number, code: string): AuditEntry {
  return {
    time: new Date().toISOString(),
    dialect,
    credential: named(trace.credentialId),
    action: named(trace.action),
    keyId: named(trace.keyId),
    keyVersionId: named(trace.keyVersionId),
    source: req.socket.remoteAddress ?? null,
    status,
    code: code.slice(0, MAX_NAME),
    requestId,
  };
}

/** An entry as one line of JSON; characters a terminal could act on are escaped too. */
export function auditLine(entry: AuditEntry): string {
  return `${safeJson(entry)}\n`;
}
