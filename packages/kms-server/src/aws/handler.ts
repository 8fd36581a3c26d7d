/**
 * Serves one AWS KMS request (JSON 1.1: `POST /`, `X-Amz-Target: TrentService.<Action>`,
 * `Content-Type: application/x-amz-json-1.1`, SigV4): authenticate, route by target, answer JSON.
 * Errors are AWS's `{"__type": "<Type>", "message": "..."}` with the type also in
 * `x-amzn-ErrorType`, which the official SDK turns into its exception classes.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ArgumentError } from '@dek/core';
import type { BackendFor } from '../policy/access.js';
import { AWS_ACTIONS } from './actions.js';
import { authenticateAws, type AwsAuthenticationSettings } from './authenticate.js';
import { serialization, toAwsError, unknownOperation, type AwsError } from './errors.js';
import type { AwsScope } from './ids.js';
import { AwsInput } from './input.js';

/** The content type of AWS JSON 1.1 requests and answers. */
export const AWS_JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';

/** The `X-Amz-Target` prefix of AWS KMS. */
export const AWS_KMS_TARGET_PREFIX = 'TrentService.';

/** The AWS KMS dialect's configuration (the `aws` option of `startKmsServer`). */
export interface AwsDialectOptions {
  /** AccessKeyId -> SecretAccessKey. Without any, every AWS request fails (`UnrecognizedClientException`). */
  readonly credentials: Readonly<Record<string, string>>;
  /** The region requests must be signed for and ARNs name (default `us-east-1`). */
  readonly region?: string;
  /** The 12-digit account id in ARNs (default `000000000000`). */
  readonly accountId?: string;
}

/** Everything the handler needs, made once by {@link awsSettings}. */
export interface AwsSettings extends AwsAuthenticationSettings {
  readonly scope: AwsScope;
}

/** An answer: status, headers and body bytes (wiped once written: it may hold a data key). */
export interface AwsAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

const REGION = /^[a-z0-9-]{1,64}$/;
const ACCOUNT_ID = /^\d{12}$/;

/** Checks the dialect's options and builds its settings; `ArgumentError` naming the bad option. */
export function awsSettings(options: AwsDialectOptions | undefined, timestampWindowMs: number, now: () => number): AwsSettings {
  const region = options?.region ?? 'us-east-1';
  const accountId = options?.accountId ?? '000000000000';
  if (!REGION.test(region)) throw new ArgumentError(`aws.region must be a region name such as us-east-1, got ${region}`, { field: 'aws.region' });
  if (!ACCOUNT_ID.test(accountId)) throw new ArgumentError(`aws.accountId must be 12 digits, got ${accountId}`, { field: 'aws.accountId' });
  return {
    credentials: new Map(Object.entries(options?.credentials ?? {})),
    region,
    timestampWindowMs,
    now,
    scope: { region, accountId },
  };
}

/** Whether a request is for this dialect: it carries `X-Amz-Target`. */
export function isAwsRequest(req: IncomingMessage): boolean {
  return req.headers['x-amz-target'] !== undefined;
}

/** The error answer of `error`. */
export function awsErrorAnswer(error: AwsError): AwsAnswer {
  return {
    status: error.status,
    headers: { 'x-amzn-errortype': error.type },
    body: Buffer.from(JSON.stringify({ __type: error.type, message: error.message })),
  };
}

function queryOf(rawQuery: string): Array<readonly [string, string]> {
  if (rawQuery === '') return [];
  return rawQuery.split('&').map((pair) => {
    const eq = pair.indexOf('=');
    const [name, value] = eq < 0 ? [pair, ''] : [pair.slice(0, eq), pair.slice(eq + 1)];
    try {
      return [decodeURIComponent(name), decodeURIComponent(value)] as const;
    } catch {
      throw serialization('The query string is not valid.');
    }
  });
}

/** Answers an AWS request whose body has been read. Never throws. */
export async function handleAws(req: IncomingMessage, body: Buffer, kms: BackendFor, settings: AwsSettings): Promise<AwsAnswer> {
  try {
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const header = (name: string): string => {
      const value = req.headers[name];
      return Array.isArray(value) ? value.join(',') : (value ?? '');
    };
    const { accessKeyId } = authenticateAws(
      {
        method: req.method ?? '',
        rawPath,
        query: queryOf(q < 0 ? '' : rawUrl.slice(q + 1)),
        header,
        headerNames: Object.keys(req.headers),
        payloadHash: createHash('sha256').update(body).digest('hex'),
      },
      settings,
    );
    if (req.method !== 'POST' || rawPath !== '/') throw unknownOperation('AWS KMS requests are POST /.');
    const contentType = header('content-type').split(';')[0]!.trim().toLowerCase();
    if (contentType !== AWS_JSON_CONTENT_TYPE) throw serialization(`The Content-Type must be ${AWS_JSON_CONTENT_TYPE}.`);
    const target = header('x-amz-target');
    const name = target.slice(AWS_KMS_TARGET_PREFIX.length);
    const action = target.startsWith(AWS_KMS_TARGET_PREFIX) ? AWS_ACTIONS.get(name) : undefined;
    if (action === undefined) throw unknownOperation(`The operation ${target} is not served.`);
    const output = await action(AwsInput.parse(body), { kms: kms(accessKeyId, name), scope: settings.scope });
    return { status: 200, headers: {}, body: output === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(output)) };
  } catch (error) {
    return awsErrorAnswer(toAwsError(error));
  }
}
