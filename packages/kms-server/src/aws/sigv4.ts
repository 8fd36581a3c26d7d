/**
 * AWS Signature Version 4 (`AWS4-HMAC-SHA256`), computed from what arrived: the canonical
 * request, the string to sign, the signing key and the signature, as AWS's signers build them
 * for services other than S3 (the path is URI-encoded a second time, dot segments removed).
 *
 * @module
 */
import { createHash, createHmac } from 'node:crypto';

/** The signing algorithm, first word of the `Authorization` header. */
export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';

/** One decoded query parameter, in arrival order. */
export type QueryParam = readonly [name: string, value: string];

/** The parts of an `Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...` header. */
export interface SigV4Authorization {
  readonly accessKeyId: string;
  /** `YYYYMMDD` of the credential scope. */
  readonly date: string;
  readonly region: string;
  readonly service: string;
  /** Lowercase header names, sorted, as given. */
  readonly signedHeaders: readonly string[];
  /** 64 lowercase hex digits. */
  readonly signature: string;
}

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request, ?SignedHeaders=([^,\s]+), ?Signature=([0-9a-f]{64})$/;

/**
 * Parses the `Authorization` header; undefined when it is malformed, or when its signed header
 * names are not lowercase, sorted and unique.
 */
export function parseSigV4Authorization(header: string): SigV4Authorization | undefined {
  const m = AUTHORIZATION.exec(header.trim());
  if (m === null) return undefined;
  const signedHeaders = m[5]!.split(';');
  for (const [i, name] of signedHeaders.entries()) {
    if (name === '' || name !== name.toLowerCase() || (i > 0 && signedHeaders[i - 1]! >= name)) return undefined;
  }
  return { accessKeyId: m[1]!, date: m[2]!, region: m[3]!, service: m[4]!, signedHeaders, signature: m[6]! };
}

/** RFC 3986 encoding of SigV4: every byte but `A-Z a-z 0-9 - _ . ~` as `%XX` (uppercase). */
export function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * The canonical URI of a path as it was sent (still percent-encoded): empty and `.` segments
 * dropped, `..` applied, then every segment encoded once more (`/` kept).
 */
export function canonicalUri(rawPath: string): string {
  const segments: string[] = [];
  for (const segment of rawPath.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const trailing = segments.length > 0 && rawPath.endsWith('/') ? '/' : '';
  return `/${segments.map(uriEncode).join('/')}${trailing}`;
}

/** The canonical query string: pairs encoded, sorted by name then value, joined by `&`. */
export function canonicalQuery(query: readonly QueryParam[]): string {
  return query
    .map(([name, value]) => [uriEncode(name), uriEncode(value)] as const)
    .sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

/** Inputs of the canonical request. */
export interface SigV4Request {
  readonly method: string;
  /** The path as sent, e.g. `/`. */
  readonly rawPath: string;
  readonly query: readonly QueryParam[];
  /** Header value by lowercase name (`''` when absent). */
  readonly header: (name: string) => string;
  readonly signedHeaders: readonly string[];
  /** Lowercase hex SHA-256 of the body (or the `x-amz-content-sha256` value that stands for it). */
  readonly payloadHash: string;
}

/** The canonical request: method, URI, query, `name:value` lines, signed header list, payload hash. */
export function sigV4CanonicalRequest(request: SigV4Request): string {
  const headers = request.signedHeaders.map((name) => `${name}:${request.header(name).trim().replace(/\s+/g, ' ')}\n`).join('');
  return [
    request.method,
    canonicalUri(request.rawPath),
    canonicalQuery(request.query),
    headers,
    request.signedHeaders.join(';'),
    request.payloadHash,
  ].join('\n');
}

/** The credential scope `YYYYMMDD/region/service/aws4_request`. */
export function credentialScope(date: string, region: string, service: string): string {
  return `${date}/${region}/${service}/aws4_request`;
}

/** The string to sign: algorithm, `x-amz-date`, credential scope, hex SHA-256 of the canonical request. */
export function sigV4StringToSign(amzDate: string, scope: string, canonicalRequest: string): string {
  return `${SIGV4_ALGORITHM}\n${amzDate}\n${scope}\n${createHash('sha256').update(canonicalRequest, 'utf8').digest('hex')}`;
}

const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();

/** The signing key: HMAC chain over `"AWS4" + secret`, date, region, service and `aws4_request`. */
export function sigV4SigningKey(secret: string, date: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
}

/** The signature: lowercase hex HMAC-SHA256 of the string to sign under the signing key. */
export function sigV4Signature(signingKey: Buffer, stringToSign: string): string {
  return createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
}
