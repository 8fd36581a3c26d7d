/**
 * The two request signatures of Alibaba Cloud's OpenAPI gateway, computed from what arrived.
 *
 * - v1 (`SignatureVersion=1.0`, HMAC-SHA1, RPC style): sent by `@alicloud/kms20160120` and by
 *   `@alicloud/openapi-client` with `signatureAlgorithm: 'v2'`.
 * - ACS3-HMAC-SHA256: the default of `@alicloud/openapi-client`.
 *
 * @module
 */
import { createHash, createHmac } from 'node:crypto';

/** One decoded request parameter, in arrival order. */
export type Param = readonly [name: string, value: string];

/** RFC 3986 percent-encoding, as Alibaba's signers do it (`encodeURIComponent` plus `!'()*`). */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const byName = (a: Param, b: Param): number => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/**
 * The v1 string to sign: `METHOD & enc("/") & enc(canonical)`, where `canonical` joins the
 * sorted `enc(k)=enc(v)` pairs of every query and form parameter except `Signature`.
 */
export function v1StringToSign(method: string, params: readonly Param[]): string {
  const canonical = params
    .filter(([name]) => name !== 'Signature')
    .sort(byName)
    .map(([name, value]) => `${percentEncode(name)}=${percentEncode(value)}`)
    .join('&');
  return `${method}&${percentEncode('/')}&${percentEncode(canonical)}`;
}

/** The v1 signature: base64 of HMAC-SHA1 with key `secret + "&"`. */
export function v1Signature(secret: string, stringToSign: string): string {
  return createHmac('sha1', `${secret}&`).update(stringToSign, 'utf8').digest('base64');
}

/** The parts of an `Authorization: ACS3-HMAC-SHA256 ...` header. */
export interface Acs3Authorization {
  readonly accessKeyId: string;
  /** Lowercase header names, in the order given. */
  readonly signedHeaders: readonly string[];
  /** Lowercase hex. */
  readonly signature: string;
}

const ACS3 = /^ACS3-HMAC-SHA256 Credential=([^,\s]+),SignedHeaders=([^,\s]+),Signature=([0-9a-f]{64})$/;

/** Parses the ACS3 `Authorization` header; undefined when it is malformed. */
export function parseAcs3Authorization(header: string): Acs3Authorization | undefined {
  const m = ACS3.exec(header.trim());
  if (m === null) return undefined;
  const signedHeaders = m[2]!.split(';');
  if (signedHeaders.some((h) => h === '' || h !== h.toLowerCase())) return undefined;
  return { accessKeyId: m[1]!, signedHeaders, signature: m[3]! };
}

/** Inputs of the ACS3 canonical request. */
export interface Acs3Request {
  readonly method: string;
  /** The request path, e.g. `/`. */
  readonly pathname: string;
  readonly query: readonly Param[];
  /** Header values by lowercase name. */
  readonly headers: (name: string) => string;
  readonly signedHeaders: readonly string[];
  /** Lowercase hex SHA-256 of the body as received. */
  readonly payloadHash: string;
}

/** The ACS3 string to sign: `"ACS3-HMAC-SHA256\n" + hex(sha256(canonicalRequest))`. */
export function acs3StringToSign(request: Acs3Request): string {
  const query = [...request.query]
    .sort(byName)
    .map(([name, value]) => `${percentEncode(name)}=${percentEncode(value)}`)
    .join('&');
  const headers = request.signedHeaders.map((name) => `${name}:${request.headers(name).trim()}\n`).join('');
  const canonicalRequest = [
    request.method,
    request.pathname,
    query,
    headers,
    request.signedHeaders.join(';'),
    request.payloadHash,
  ].join('\n');
  return `ACS3-HMAC-SHA256\n${createHash('sha256').update(canonicalRequest, 'utf8').digest('hex')}`;
}

/** The ACS3 signature: lowercase hex of HMAC-SHA256 keyed with the secret itself. */
export function acs3Signature(secret: string, stringToSign: string): string {
  return createHmac('sha256', secret).update(stringToSign, 'utf8').digest('hex');
}
