/**
 * Authentication of OpenAPI requests, as the Alibaba Cloud gateway does it: find the scheme
 * (ACS3 `Authorization` header, else v1 `Signature` parameter), check the API version, the
 * AccessKey, the timestamp window, the signature (in constant time) and finally the nonce.
 *
 * @module
 */
import { timingSafeEqual } from 'node:crypto';
import { ApiError, missingParameter } from '../api-error.js';
import { redactedParams } from '../echo.js';
import type { NonceCache } from './nonce-cache.js';
import {
  acs3Signature,
  acs3StringToSign,
  parseAcs3Authorization,
  v1Signature,
  v1StringToSign,
  type Param,
} from './signature.js';

/** The only API version served. */
export const OPENAPI_VERSION = '2016-01-20';

/** What authentication needs to know about a request. */
export interface OpenApiRequestFacts {
  readonly method: string;
  readonly pathname: string;
  /** Decoded query parameters. */
  readonly query: readonly Param[];
  /** Decoded form-body parameters (empty for other bodies). */
  readonly form: readonly Param[];
  /** Header value by lowercase name (`''` when absent). */
  readonly header: (name: string) => string;
  /** Names of the headers present, lowercase. */
  readonly headerNames: readonly string[];
  /** Lowercase hex SHA-256 of the raw body. */
  readonly payloadHash: string;
}

/** Server settings authentication depends on. */
export interface AuthenticationSettings {
  /** AccessKeyId -> AccessKeySecret. */
  readonly accessKeys: ReadonlyMap<string, string>;
  /** Largest accepted distance between the request timestamp and `now()`, in milliseconds. */
  readonly timestampWindowMs: number;
  readonly now: () => number;
  readonly nonces: NonceCache;
}

/** An authenticated request: who sent it and which action it calls. */
export interface Authenticated {
  readonly accessKeyId: string;
  readonly action: string;
}

/** Headers every ACS3 request must sign (besides every other `x-acs-*` header it carries). */
const ACS3_REQUIRED_SIGNED = ['host', 'x-acs-action', 'x-acs-version', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-content-sha256'];

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z$/;

const incompleteSignature = (): ApiError =>
  new ApiError(400, 'IncompleteSignature', 'The request signature does not conform to Alibaba Cloud standards.');

function equalText(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

function checkVersion(version: string): void {
  if (version === '') throw missingParameter('Version');
  if (version !== OPENAPI_VERSION) {
    throw new ApiError(400, 'InvalidVersion', 'Specified parameter Version is not valid.');
  }
}

function secretOf(settings: AuthenticationSettings, accessKeyId: string): string {
  const secret = settings.accessKeys.get(accessKeyId);
  if (secret === undefined) throw new ApiError(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
  return secret;
}

function checkTimestamp(settings: AuthenticationSettings, name: string, value: string): void {
  if (value === '') {
    throw new ApiError(400, 'IllegalTimestamp', `The input parameter "${name}" that is mandatory for processing this request is not supplied.`);
  }
  const time = TIMESTAMP.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(time)) {
    throw new ApiError(400, 'InvalidTimeStamp.Format', 'Specified time stamp or date value is not well formatted.');
  }
  if (Math.abs(settings.now() - time) > settings.timestampWindowMs) {
    throw new ApiError(400, 'InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.');
  }
}

/** `echo` gives the string to sign over the redacted parameters (see echo.ts): never their values. */
function checkSignature(expected: string, given: string, echo: () => string): void {
  if (!equalText(expected, given)) {
    throw new ApiError(
      400,
      'SignatureDoesNotMatch',
      `Specified signature is not matched with our calculation. server string to sign is:${echo()}`,
    );
  }
}

function checkNonce(settings: AuthenticationSettings, accessKeyId: string, nonce: string): void {
  if (!settings.nonces.add(`${accessKeyId}\n${nonce}`, settings.now())) {
    throw new ApiError(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.');
  }
}

function single(params: readonly Param[], name: string): string {
  return params.find(([n]) => n === name)?.[1] ?? '';
}

function authenticateAcs3(facts: OpenApiRequestFacts, settings: AuthenticationSettings, authorization: string): Authenticated {
  const auth = parseAcs3Authorization(authorization);
  if (auth === undefined) throw incompleteSignature();
  const signed = new Set(auth.signedHeaders);
  const mustSign = [...ACS3_REQUIRED_SIGNED, ...facts.headerNames.filter((h) => h.startsWith('x-acs-') || h === 'content-type')];
  if (mustSign.some((h) => !signed.has(h))) throw incompleteSignature();
  const action = facts.header('x-acs-action');
  if (action === '') throw missingParameter('Action');
  checkVersion(facts.header('x-acs-version'));
  const secret = secretOf(settings, auth.accessKeyId);
  checkTimestamp(settings, 'x-acs-date', facts.header('x-acs-date'));
  const nonce = facts.header('x-acs-signature-nonce');
  if (nonce === '') throw missingParameter('x-acs-signature-nonce');
  const canonical = {
    method: facts.method,
    pathname: facts.pathname,
    query: facts.query,
    headers: facts.header,
    signedHeaders: auth.signedHeaders,
    payloadHash: facts.payloadHash,
  };
  const stringToSign = acs3StringToSign(canonical);
  checkSignature(acs3Signature(secret, stringToSign), auth.signature, () => acs3StringToSign({ ...canonical, query: redactedParams(facts.query) }));
  checkNonce(settings, auth.accessKeyId, nonce);
  return { accessKeyId: auth.accessKeyId, action };
}

function authenticateV1(facts: OpenApiRequestFacts, settings: AuthenticationSettings): Authenticated {
  const params = [...facts.query, ...facts.form];
  const get = (name: string): string => single(params, name);
  for (const name of ['Signature', 'AccessKeyId', 'SignatureNonce', 'Action']) {
    if (get(name) === '') throw missingParameter(name);
  }
  if (get('SignatureMethod') !== 'HMAC-SHA1' || get('SignatureVersion') !== '1.0') throw incompleteSignature();
  checkVersion(get('Version'));
  const accessKeyId = get('AccessKeyId');
  const secret = secretOf(settings, accessKeyId);
  checkTimestamp(settings, 'Timestamp', get('Timestamp'));
  const stringToSign = v1StringToSign(facts.method, params);
  checkSignature(v1Signature(secret, stringToSign), get('Signature'), () => v1StringToSign(facts.method, redactedParams(params)));
  checkNonce(settings, accessKeyId, get('SignatureNonce'));
  return { accessKeyId, action: get('Action') };
}

/**
 * Authenticates an OpenAPI request or throws the gateway's error: `IncompleteSignature`,
 * `MissingParameter`, `InvalidVersion`, `InvalidAccessKeyId.NotFound` (404), `IllegalTimestamp`,
 * `InvalidTimeStamp.Format`, `InvalidTimeStamp.Expired`, `SignatureDoesNotMatch` (its echoed string
 * to sign has every value but the signing protocol's redacted) or `SignatureNonceUsed` (400 unless
 * noted). The nonce is recorded only once the signature verifies.
 */
export function authenticate(facts: OpenApiRequestFacts, settings: AuthenticationSettings): Authenticated {
  const authorization = facts.header('authorization');
  if (authorization !== '') return authenticateAcs3(facts, settings, authorization);
  return authenticateV1(facts, settings);
}
