/**
 * Request parsing of `@dek/kms-server`'s OpenAPI 2016-01-20 dialect (RPC/JSON): valid requests
 * of every crypto and read-only call, their parameters mutated (values, names, duplicates,
 * drops, base64 payloads decoded, mutated and re-encoded), then signed correctly (signature v1
 * or ACS3-HMAC-SHA256) so that they reach the parameter decoders, or with one signed parameter or
 * header changed after signing so that they exercise authentication.
 *
 * A finding: a 5xx answer (the server's InternalFailure means an untyped exception inside), an
 * answer that is not the gateway's JSON shape, a dropped connection, or a second or more.
 *
 * @module
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { CorpusEntry } from '../corpus.js';
import type { Harness } from '../harness.js';
import { tally, type Finding } from '../oracle.js';
import { exchange, type HttpRequest } from '../server/exchange.js';
import {
  ACCESS_KEY_ID,
  ACCESS_KEY_SECRET,
  ENCRYPTION_CONTEXT,
  KEY_ALIAS,
  closeServerFixture,
  fixtureAad,
  serverFixture,
  type ServerFixture,
} from '../server/fixture.js';
import { applyStringChange, looksBase64, pathArb, rarely, stringChangeArb, type StringChange } from '../server/strings.js';

type Param = [string, string];

/** One OpenAPI request before signing, and what to change after signing. */
export interface OpenApiCase {
  readonly signing: 'v1' | 'acs3';
  readonly method: string;
  /** Where the action's parameters travel. */
  readonly placement: 'query' | 'form';
  /** The action's parameters, `Action` first, after mutation. */
  readonly params: readonly Param[];
  /** The request target's path, when not `/` (its query string, if any, goes before the parameters). */
  readonly path?: string;
  /** A signed parameter (v1) or header (ACS3) to replace after signing (`null` value: remove it). */
  readonly afterSign?: { readonly name: string; readonly value: string | null };
  /** The key id of the run that made the case (replaced by the current one on replay). */
  readonly keyId: string;
  /** How the case was made. */
  readonly mutations: string;
}

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

function templates(f: ServerFixture): Param[][] {
  return [
    [['Action', 'GenerateDataKey'], ['KeyId', f.keyId], ['NumberOfBytes', '32'], ['EncryptionContext', ENCRYPTION_CONTEXT]],
    [['Action', 'GenerateDataKeyWithoutPlaintext'], ['KeyId', KEY_ALIAS], ['KeySpec', 'AES_128']],
    [['Action', 'Encrypt'], ['KeyId', KEY_ALIAS], ['Plaintext', 'hello fuzz'], ['EncryptionContext', ENCRYPTION_CONTEXT]],
    [['Action', 'Decrypt'], ['CiphertextBlob', f.openApiBlob], ['EncryptionContext', ENCRYPTION_CONTEXT]],
    [['Action', 'AdvanceGenerateDataKey'], ['KeyId', f.keyId], ['NumberOfBytes', '32'], ['Aad', b64(fixtureAad)]],
    [['Action', 'AdvanceEncrypt'], ['KeyId', f.keyId], ['Plaintext', b64(new Uint8Array(32).fill(1))], ['Aad', b64(fixtureAad)], ['Algorithm', 'AES_GCM']],
    [['Action', 'AdvanceDecrypt'], ['CiphertextBlob', b64(f.advanceBlob)], ['Aad', b64(fixtureAad)]],
    [['Action', 'AdvanceDecrypt'], ['CiphertextBlob', b64(f.basicBlob)], ['Aad', b64(fixtureAad)], ['KeyId', f.keyId], ['Iv', b64(f.basicIv)], ['Algorithm', 'AES_GCM']],
    [['Action', 'DescribeKey'], ['KeyId', f.keyId]],
    [['Action', 'ListKeys'], ['PageNumber', '1'], ['PageSize', '10']],
    [['Action', 'ListKeyVersions'], ['KeyId', f.keyId], ['PageSize', '5']],
    [['Action', 'DescribeKeyVersion'], ['KeyId', f.keyId], ['KeyVersionId', f.keyVersionId]],
    [['Action', 'ListAliases'], ['PageNumber', '1']],
    [['Action', 'ListAliasesByKeyId'], ['KeyId', f.keyId]],
  ];
}

/** A change to the parameter list. */
type ParamChange =
  | { readonly op: 'value'; readonly index: number; readonly change: StringChange }
  | { readonly op: 'name'; readonly index: number; readonly change: StringChange }
  | { readonly op: 'drop'; readonly index: number }
  | { readonly op: 'duplicate'; readonly index: number }
  | { readonly op: 'add'; readonly name: string; readonly value: string };

const PARAM_NAMES = ['KeyId', 'CiphertextBlob', 'Aad', 'Plaintext', 'Iv', 'Algorithm', 'NumberOfBytes', 'KeySpec', 'EncryptionContext', 'PageSize', 'PageNumber', 'Action', 'Version', 'Signature', 'Format', 'KeyVersionId', 'PaddingMode'];

function paramChangeArb(params: readonly Param[]): fc.Arbitrary<ParamChange> {
  const index = fc.nat({ max: params.length - 1 });
  const valueChange = index.chain((i) =>
    stringChangeArb(looksBase64(params[i]![1])).map((change): ParamChange => ({ op: 'value', index: i, change })),
  );
  return fc.oneof(
    { weight: 6, arbitrary: valueChange },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('name' as const), index, change: stringChangeArb(false) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('drop' as const), index }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('duplicate' as const), index }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('add' as const), name: fc.constantFrom(...PARAM_NAMES), value: fc.constantFrom('', 'x', '1', 'AES_GCM') }) },
  );
}

function applyParamChange(params: Param[], c: ParamChange): Param[] {
  const out = params.map((p): Param => [p[0], p[1]]);
  if (c.op === 'add') return [...out, [c.name, c.value]];
  if (out.length === 0) return out;
  const i = c.index % out.length;
  const p = out[i]!;
  switch (c.op) {
    case 'value':
      p[1] = applyStringChange(p[1], c.change);
      return out;
    case 'name':
      p[0] = applyStringChange(p[0], c.change);
      return out;
    case 'drop':
      return out.filter((_, j) => j !== i);
    case 'duplicate':
      return [...out, [p[0], p[1]]];
  }
}

// ---------------------------------------------------------------- signing (as the official clients do)

function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const byName = (a: Param, b: Param): number => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
const isoSeconds = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

function v1Sign(method: string, params: readonly Param[]): string {
  const canonical = [...params].sort(byName).map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&');
  const stringToSign = `${method}&${percentEncode('/')}&${percentEncode(canonical)}`;
  return createHmac('sha1', `${ACCESS_KEY_SECRET}&`).update(stringToSign, 'utf8').digest('base64');
}

function override(list: readonly Param[], change: OpenApiCase['afterSign']): Param[] {
  if (change === undefined) return [...list];
  const rest = list.filter(([k]) => k !== change.name);
  return change.value === null ? rest : [...rest, [change.name, change.value]];
}

function queryString(params: readonly Param[]): string {
  return new URLSearchParams(params.map(([k, v]): [string, string] => [k, v])).toString();
}

/** The request target: `path` (default `/`) with `query` appended. */
function target(path: string | undefined, query: string): string {
  const p = path ?? '/';
  if (query === '') return p;
  return `${p}${p.includes('?') ? '&' : '?'}${query}`;
}

/** The pathname the server will see for `path` (what ACS3 signs); `/` when it does not parse. */
function pathnameOf(path: string | undefined): string {
  try {
    return new URL(path ?? '/', 'http://localhost').pathname;
  } catch {
    return '/';
  }
}

/** Builds the HTTP request of a case, signed now. */
export function buildOpenApiRequest(c: OpenApiCase, port: number): HttpRequest {
  // What the server will decode: URLSearchParams round-trip (e.g. lone surrogates become U+FFFD).
  const params = [...new URLSearchParams(queryString(c.params)).entries()];
  const formType: Param = ['content-type', 'application/x-www-form-urlencoded'];
  if (c.signing === 'v1') {
    const auth: Param[] = [
      ['Format', 'JSON'],
      ['Version', '2016-01-20'],
      ['AccessKeyId', ACCESS_KEY_ID],
      ['SignatureMethod', 'HMAC-SHA1'],
      ['SignatureVersion', '1.0'],
      ['SignatureNonce', randomUUID()],
      ['Timestamp', isoSeconds()],
    ];
    const query = c.placement === 'query' ? [...auth, ...params] : auth;
    const form = c.placement === 'form' ? params : [];
    const signed: Param[] = [...query, ['Signature', v1Sign(c.method, [...query, ...form])]];
    const finalQuery = override(signed, c.afterSign);
    const body = c.placement === 'form' ? new TextEncoder().encode(queryString(form)) : new Uint8Array(0);
    return { method: c.method, path: target(c.path, queryString(finalQuery)), headers: c.placement === 'form' ? [formType] : [], body };
  }
  // ACS3: Action and Version in headers, the rest in the query or a form body.
  const action = params.find(([k]) => k === 'Action')?.[1] ?? '';
  const rest = params.filter(([k]) => k !== 'Action');
  const query = c.placement === 'query' ? rest : [];
  const body = c.placement === 'form' ? new TextEncoder().encode(queryString(rest)) : new Uint8Array(0);
  const payloadHash = createHash('sha256').update(body).digest('hex');
  const headers: Param[] = [
    ['host', `127.0.0.1:${port}`],
    ['x-acs-action', action],
    ['x-acs-version', '2016-01-20'],
    ['x-acs-date', isoSeconds()],
    ['x-acs-signature-nonce', randomUUID()],
    ['x-acs-content-sha256', payloadHash],
    ...(c.placement === 'form' ? [formType] : []),
  ];
  const decodedQuery = [...new URLSearchParams(queryString(query)).entries()];
  const signedHeaders = headers.map(([k]) => k).sort();
  const canonicalQuery = [...decodedQuery].sort(byName).map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&');
  const canonicalHeaders = signedHeaders.map((k) => `${k}:${(headers.find(([n]) => n === k)?.[1] ?? '').trim()}\n`).join('');
  const pathname = pathnameOf(c.path);
  const canonical = [c.method, pathname, canonicalQuery, canonicalHeaders, signedHeaders.join(';'), payloadHash].join('\n');
  const stringToSign = `ACS3-HMAC-SHA256\n${createHash('sha256').update(canonical, 'utf8').digest('hex')}`;
  const signature = createHmac('sha256', ACCESS_KEY_SECRET).update(stringToSign, 'utf8').digest('hex');
  const authorization = `ACS3-HMAC-SHA256 Credential=${ACCESS_KEY_ID},SignedHeaders=${signedHeaders.join(';')},Signature=${signature}`;
  const finalHeaders = override([...headers, ['authorization', authorization]], c.afterSign);
  return { method: c.method, path: target(c.path, queryString(query)), headers: finalHeaders, body };
}

// ---------------------------------------------------------------- the answer

function judge(status: number, contentType: string, body: Buffer): Finding | undefined {
  // Node's own HTTP parser answers 431 (no body) when the request line and headers pass the
  // server's maxHeaderSize, before any code of the server runs.
  if (status === 431) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return { kind: 'server-failure', message: `status ${status}: the body is not JSON (${contentType})` };
  }
  if (typeof parsed !== 'object' || parsed === null || typeof (parsed as { RequestId?: unknown }).RequestId !== 'string') {
    return { kind: 'server-failure', message: `status ${status}: the JSON body has no RequestId` };
  }
  tally(`${status} ${String((parsed as { Code?: unknown }).Code ?? '')}`);
  if (status !== 200) {
    const e = parsed as { Code?: unknown; Message?: unknown };
    if (typeof e.Code !== 'string' || typeof e.Message !== 'string') {
      return { kind: 'server-failure', message: `status ${status}: the error body lacks Code or Message` };
    }
  }
  return undefined;
}

const V1_AUTH = ['Format', 'Version', 'AccessKeyId', 'SignatureMethod', 'SignatureVersion', 'SignatureNonce', 'Timestamp', 'Signature'];
const ACS3_AUTH = ['host', 'x-acs-action', 'x-acs-version', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-content-sha256', 'authorization', 'content-type'];
const AUTH_VALUES = ['', 'x', '2016-01-20', '2017-01-01', 'HMAC-SHA1', 'HMAC-SHA256', '1.0', '2.0', ACCESS_KEY_ID, 'nobody', '2020-01-01T00:00:00Z',
  '2099-01-01T00:00:00Z', '2024-13-45T99:99:99Z', 'ACS3-HMAC-SHA256 Credential=,SignedHeaders=,Signature=', `ACS3-HMAC-SHA256 Credential=${ACCESS_KEY_ID},SignedHeaders=host,Signature=${'0'.repeat(64)}`,
  'application/json', 'text/plain', 'GenerateDataKey'];

let fixture: ServerFixture | undefined;

async function check(c: OpenApiCase): Promise<Finding | undefined> {
  const f = (fixture ??= await serverFixture());
  const sent = { ...c, params: c.params.map(([k, v]): Param => [k, v.replaceAll(c.keyId, f.keyId)]) };
  const { response, finding } = await exchange(f.server.port, f.agent, buildOpenApiRequest(sent, f.server.port));
  if (finding !== undefined) return finding;
  if (response === undefined) return undefined;
  return judge(response.status, String(response.headers['content-type'] ?? ''), response.body);
}

/** The OpenAPI dialect harness. */
export const serverOpenApiHarness: Harness<OpenApiCase> = {
  name: 'server-openapi',
  summary: 'kms-server OpenAPI (RPC/JSON) request parsing: mutated, correctly signed requests',
  shortRuns: 60,
  async prepare() {
    fixture = await serverFixture();
  },
  cases() {
    if (fixture === undefined) throw new Error('call prepare() first');
    const f = fixture;
    const all = templates(f);
    return fc
      .tuple(
        fc.nat({ max: all.length - 1 }),
        fc.constantFrom<OpenApiCase['signing']>('v1', 'acs3'),
        fc.constantFrom<OpenApiCase['placement']>('query', 'form'),
        fc.oneof({ weight: 9, arbitrary: fc.constant('POST') }, { weight: 1, arbitrary: fc.constantFrom('GET', 'PUT', 'DELETE', 'OPTIONS', 'PATCH') }),
        fc.integer({ min: 0, max: 3 }),
        pathArb,
        rarely(fc.record({ name: fc.constantFrom(...V1_AUTH, ...ACS3_AUTH), value: fc.option(fc.oneof(fc.constantFrom(...AUTH_VALUES), fc.string({ maxLength: 30 }))) }), 6),
      )
      .chain(([t, signing, placement, method, changes, path, afterSign]) => {
        const template = all[t]!;
        return fc.array(paramChangeArb(template), { minLength: changes, maxLength: changes }).map((list): OpenApiCase => {
          const params = list.reduce(applyParamChange, template.map((p): Param => [p[0], p[1]]));
          return {
            signing,
            method,
            placement: method === 'GET' ? 'query' : placement,
            params,
            ...(path === null ? {} : { path }),
            ...(afterSign === null ? {} : { afterSign }),
            keyId: f.keyId,
            mutations: `template ${t}; ${list.map((x) => x.op).join(',') || 'none'}`,
          };
        });
      });
  },
  check,
  toCorpus: (c, finding): CorpusEntry => ({ format: 'json', meta: { harness: 'server-openapi', finding: finding.kind, message: finding.message }, value: c }),
  fromCorpus(entry) {
    if (entry.format !== 'json') throw new Error('expected a json corpus entry');
    return entry.value as OpenApiCase;
  },
  async close() {
    fixture = undefined;
    await closeServerFixture();
  },
};
