/**
 * SigV4 authentication of AWS KMS requests, checked in this order: an `Authorization` header is
 * present (`MissingAuthenticationTokenException`) and well formed, and it signs `host`,
 * `x-amz-date`, `content-type` and every `x-amz-*` header sent (`IncompleteSignatureException`);
 * `x-amz-date` is valid (`IncompleteSignatureException`); the credential scope names the same
 * day, this server's region and the service `kms` (`InvalidSignatureException`); no session
 * token is sent and the access key is known (`UnrecognizedClientException`); `x-amz-date` is
 * inside the window and `x-amz-content-sha256`, when sent, is the body's hash
 * (`InvalidSignatureException`); finally the signature, compared in constant time
 * (`InvalidSignatureException`). All 400.
 *
 * @module
 */
import { timingSafeEqual } from 'node:crypto';
import { redactedParams } from '../echo.js';
import { AwsError } from './errors.js';
import {
  credentialScope,
  parseSigV4Authorization,
  sigV4CanonicalRequest,
  sigV4Signature,
  sigV4SigningKey,
  sigV4StringToSign,
  type QueryParam,
} from './sigv4.js';

/** AWS's clock window: a request dated more than 5 minutes from the server's clock is refused. */
export const SIGV4_WINDOW_MS = 5 * 60 * 1000;

/** The service name of AWS KMS in credential scopes. */
export const AWS_KMS_SERVICE = 'kms';

/** What authentication needs to know about a request. */
export interface AwsRequestFacts {
  readonly method: string;
  /** The path as sent, still percent-encoded. */
  readonly rawPath: string;
  readonly query: readonly QueryParam[];
  /** Header value by lowercase name (`''` when absent). */
  readonly header: (name: string) => string;
  /** Names of the headers present, lowercase. */
  readonly headerNames: readonly string[];
  /** Lowercase hex SHA-256 of the raw body. */
  readonly payloadHash: string;
}

/** Server settings authentication depends on. */
export interface AwsAuthenticationSettings {
  /** AccessKeyId -> SecretAccessKey. */
  readonly credentials: ReadonlyMap<string, string>;
  /** The region requests must be signed for. */
  readonly region: string;
  /** Largest accepted distance between `x-amz-date` and `now()`, in milliseconds. */
  readonly timestampWindowMs: number;
  readonly now: () => number;
}

const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

const incomplete = (message: string): AwsError => new AwsError('IncompleteSignatureException', message);
const invalidSignature = (message: string): AwsError => new AwsError('InvalidSignatureException', message);
const unrecognized = (): AwsError => new AwsError('UnrecognizedClientException', 'The security token included in the request is invalid.');

/** Milliseconds since the epoch of an `x-amz-date`, or NaN when it is not a real time. */
function parseAmzDate(value: string): number {
  const m = AMZ_DATE.exec(value);
  if (m === null) return Number.NaN;
  const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`;
  const ms = Date.parse(iso);
  // Date.parse rolls over impossible dates (Feb 30); refuse them.
  return Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 19) !== iso.slice(0, 19) ? Number.NaN : ms;
}

function amzDateOf(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

function equalText(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Authenticates a request or throws the {@link AwsError} AWS would answer; returns the access key id. */
export function authenticateAws(facts: AwsRequestFacts, settings: AwsAuthenticationSettings): { readonly accessKeyId: string } {
  const header = facts.header('authorization');
  if (header === '') throw new AwsError('MissingAuthenticationTokenException', 'Missing Authentication Token');
  const auth = parseSigV4Authorization(header);
  if (auth === undefined) {
    throw incomplete(
      "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters, with algorithm AWS4-HMAC-SHA256 and sorted lowercase header names.",
    );
  }
  const signed = new Set(auth.signedHeaders);
  const mustSign = ['host', 'x-amz-date', 'content-type', ...facts.headerNames.filter((h) => h.startsWith('x-amz-'))];
  const unsigned = mustSign.find((h) => !signed.has(h));
  if (unsigned !== undefined) throw incomplete(`The header '${unsigned}' must be signed.`);

  const amzDate = facts.header('x-amz-date');
  const time = parseAmzDate(amzDate);
  if (Number.isNaN(time)) throw incomplete("The 'x-amz-date' header must be an ISO-8601 basic format date and time, e.g. 20260101T000000Z.");
  if (auth.date !== amzDate.slice(0, 8)) {
    throw invalidSignature('Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP.');
  }
  if (auth.region !== settings.region) throw invalidSignature(`Credential should be scoped to a valid region, not '${auth.region}'.`);
  if (auth.service !== AWS_KMS_SERVICE) throw invalidSignature(`Credential should be scoped to correct service: '${AWS_KMS_SERVICE}'.`);

  if (facts.header('x-amz-security-token') !== '') throw unrecognized();
  const secret = settings.credentials.get(auth.accessKeyId);
  if (secret === undefined) throw unrecognized();

  const now = settings.now();
  const windowMinutes = Math.round(settings.timestampWindowMs / 60_000);
  if (time < now - settings.timestampWindowMs) {
    throw invalidSignature(`Signature expired: ${amzDate} is now earlier than ${amzDateOf(now - settings.timestampWindowMs)} (${amzDateOf(now)} - ${windowMinutes} min.)`);
  }
  if (time > now + settings.timestampWindowMs) {
    throw invalidSignature(`Signature not yet current: ${amzDate} is still later than ${amzDateOf(now + settings.timestampWindowMs)} (${amzDateOf(now)} + ${windowMinutes} min.)`);
  }
  const claimedHash = facts.header('x-amz-content-sha256');
  if (claimedHash !== '' && claimedHash !== facts.payloadHash) {
    throw invalidSignature("The provided 'x-amz-content-sha256' header does not match what was computed.");
  }

  const request = {
    method: facts.method,
    rawPath: facts.rawPath,
    query: facts.query,
    header: facts.header,
    signedHeaders: auth.signedHeaders,
    payloadHash: facts.payloadHash,
  };
  const scope = credentialScope(auth.date, auth.region, auth.service);
  const stringToSign = sigV4StringToSign(amzDate, scope, sigV4CanonicalRequest(request));
  const expected = sigV4Signature(sigV4SigningKey(secret, auth.date, auth.region, auth.service), stringToSign);
  if (!equalText(expected, auth.signature)) {
    // The echo, as AWS gives it, over the redacted query (see echo.ts); the body is never in it.
    const echoed = sigV4CanonicalRequest({ ...request, query: redactedParams(facts.query) });
    throw invalidSignature(
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.' +
        `\n\nThe Canonical String for this request should have been\n'${echoed}'\n\nThe String-to-Sign should have been\n'${sigV4StringToSign(amzDate, scope, echoed)}'\n`,
    );
  }
  return { accessKeyId: auth.accessKeyId };
}
