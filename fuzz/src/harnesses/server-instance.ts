/**
 * Request parsing of `@dek/kms-server`'s KMS instance API (`dkms-gcs-0.2`, protobuf): valid
 * requests of every call, their protobuf bodies mutated field by field (values, blob sizes,
 * declared lengths that lie, wire types, field numbers, duplicates, drops) and byte by byte, then
 * signed correctly with the ClientKey so that they reach the decoders, or with one signed header
 * changed after signing so that they exercise authentication.
 *
 * A finding: a 5xx answer, an answer that is not a well-formed protobuf message (with ErrorCode
 * and StatusCode on errors), a dropped connection, or a second or more.
 *
 * @module
 */
import { createHash, createSign } from 'node:crypto';
import fc from 'fast-check';
import { fromHex, toHex } from '../bytes.js';
import type { CorpusEntry } from '../corpus.js';
import type { Harness } from '../harness.js';
import { applyMutations, mutationsArb, describeMutations, type Mutation } from '../mutate.js';
import { tally, type Finding } from '../oracle.js';
import { exchange, type HttpRequest } from '../server/exchange.js';
import { CLIENT_KEY_ID, closeServerFixture, fixtureAad, serverFixture, type ServerFixture } from '../server/fixture.js';
import { bin, encodeFields, int, parseFields, str, type WireField } from '../server/protobuf.js';
import { pathArb, rarely } from '../server/strings.js';

/** One instance API request: API name and protobuf body, and what to change after signing. */
export interface InstanceCase {
  readonly apiName: string;
  readonly body: Uint8Array;
  /** The request target, when not `/`. */
  readonly path?: string;
  /** A signed header to replace after signing (`null` value: remove it). */
  readonly afterSign?: { readonly name: string; readonly value: string | null };
  /** The key id of the run that made the case (replaced by the current one on replay). */
  readonly keyId: string;
  readonly mutations: string;
}

const API_NAMES = ['AdvanceGenerateDataKey', 'AdvanceEncrypt', 'AdvanceDecrypt', 'GenerateDataKey', 'Encrypt', 'Decrypt'];

function templates(f: ServerFixture): [string, WireField[]][] {
  return [
    ['AdvanceGenerateDataKey', [str(1, f.keyId), int(2, 32), bin(3, fixtureAad)]],
    ['AdvanceEncrypt', [str(1, f.keyId), bin(2, new Uint8Array(32).fill(3)), str(3, 'AES_GCM'), bin(4, fixtureAad)]],
    ['AdvanceDecrypt', [bin(1, f.advanceBlob), bin(4, fixtureAad)]],
    ['AdvanceDecrypt', [bin(1, f.basicBlob), str(2, f.keyId), str(3, 'AES_GCM'), bin(4, fixtureAad), bin(5, f.basicIv)]],
    ['GenerateDataKey', [str(1, f.keyId), int(3, 32), bin(4, fixtureAad)]],
    ['Encrypt', [str(1, f.keyId), bin(2, new Uint8Array(16).fill(4)), bin(4, fixtureAad)]],
    ['Decrypt', [bin(1, f.basicBlob), str(2, f.keyId), str(3, 'AES_GCM'), bin(4, fixtureAad), bin(5, f.basicIv)]],
  ];
}

/** A change to one field of the message. */
type FieldChange =
  | { readonly op: 'bytes'; readonly index: number; readonly mutations: readonly Mutation[] }
  | { readonly op: 'int'; readonly index: number; readonly value: number }
  | { readonly op: 'declared'; readonly index: number; readonly length: number }
  | { readonly op: 'wire'; readonly index: number; readonly wire: number }
  | { readonly op: 'number'; readonly index: number; readonly field: number }
  | { readonly op: 'drop'; readonly index: number }
  | { readonly op: 'duplicate'; readonly index: number };

const BLOB_LENGTHS = [0, 1, 12, 16, 66, 67, 68, 1024, 65603, 65604];
const INTS = [0, 1, 15, 16, 32, 33, 1024, 1025, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1];

const fieldChangeArb: fc.Arbitrary<FieldChange> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('bytes' as const), index: fc.nat(), mutations: mutationsArb({ lengths: BLOB_LENGTHS }, 3) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('int' as const), index: fc.nat(), value: fc.oneof(fc.constantFrom(...INTS), fc.nat()) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('declared' as const), index: fc.nat(), length: fc.oneof(fc.constantFrom(0, 1, 127, 128, 65536, 2 ** 31, 2 ** 32 - 1), fc.nat({ max: 300 })) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('wire' as const), index: fc.nat(), wire: fc.integer({ min: 0, max: 7 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('number' as const), index: fc.nat(), field: fc.oneof(fc.integer({ min: 0, max: 20 }), fc.constant(2 ** 29 - 1)) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('drop' as const), index: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('duplicate' as const), index: fc.nat() }) },
);

function applyFieldChange(fields: WireField[], c: FieldChange): WireField[] {
  if (fields.length === 0) return fields;
  const i = c.index % fields.length;
  const f = fields[i]!;
  const replace = (g: WireField): WireField[] => fields.map((x, j) => (j === i ? g : x));
  switch (c.op) {
    case 'bytes':
      return typeof f.value === 'number' ? fields : replace({ ...f, value: applyMutations(f.value, c.mutations) });
    case 'int':
      return replace({ field: f.field, wire: 0, value: c.value });
    case 'declared':
      return typeof f.value === 'number' ? fields : replace({ ...f, declaredLength: c.length });
    case 'wire':
      return replace({ ...f, wire: c.wire });
    case 'number':
      return replace({ ...f, field: c.field });
    case 'drop':
      return fields.filter((_, j) => j !== i);
    case 'duplicate':
      return [...fields, f];
  }
}

/** Builds the HTTP request of a case, signed now with the ClientKey. */
export function buildInstanceRequest(c: InstanceCase, f: ServerFixture): HttpRequest {
  const headers: [string, string][] = [
    ['content-type', 'application/x-protobuf'],
    ['content-sha256', createHash('sha256').update(c.body).digest('hex').toUpperCase()],
    ['date', new Date().toUTCString()],
    ['x-kms-apiversion', 'dkms-gcs-0.2'],
    ['x-kms-apiname', c.apiName.replace(/[^\t\x20-\x7e]/g, '')],
    ['x-kms-signaturemethod', 'RSA_PKCS1_SHA_256'],
    ['x-kms-acccesskeyid', CLIENT_KEY_ID],
  ];
  const get = (name: string): string => headers.find(([n]) => n === name)?.[1] ?? '';
  const kms = headers.filter(([n]) => n.startsWith('x-kms-')).map(([n]) => n).sort().map((n) => `${n}:${get(n).trim()}\n`).join('');
  const stringToSign = `POST\n${get('content-sha256')}\n${get('content-type')}\n${get('date')}\n${kms}/`;
  const signature = createSign('RSA-SHA256').update(stringToSign, 'utf8').sign(f.clientPrivateKey, 'base64');
  headers.push(['authorization', `Bearer ${signature}`]);
  let final = headers;
  if (c.afterSign !== undefined) {
    const { name, value } = c.afterSign;
    final = headers.filter(([n]) => n !== name);
    if (value !== null) final.push([name, value]);
  }
  return { method: 'POST', path: c.path ?? '/', headers: final, body: c.body };
}

function judge(status: number, body: Buffer): Finding | undefined {
  const fields = parseFields(body);
  if (fields === undefined) return { kind: 'server-failure', message: `status ${status}: the body is not a well-formed protobuf message` };
  const errorCode = fields.get(2)?.[0];
  tally(`${status} ${status !== 200 && errorCode instanceof Uint8Array ? Buffer.from(errorCode).toString('utf8') : ''}`);
  if (status !== 200) {
    const code = fields.get(2)?.[0];
    const statusCode = fields.get(1)?.[0];
    if (!(code instanceof Uint8Array) || code.length === 0 || statusCode !== status) {
      return { kind: 'server-failure', message: `status ${status}: the Error message lacks ErrorCode or a matching StatusCode` };
    }
  }
  return undefined;
}

const SIGNED_HEADERS = ['content-type', 'content-sha256', 'date', 'x-kms-apiversion', 'x-kms-apiname', 'x-kms-signaturemethod', 'x-kms-acccesskeyid', 'authorization'];
const HEADER_VALUES = ['', 'x', 'dkms-gcs-0.1', 'dkms-gcs-0.2', 'RSA_PKCS1_SHA_256', 'RSA_PSS_SHA_256', 'Bearer ', 'Bearer AAAA', 'Bearer !!', 'KAAP.nobody',
  'Thu, 01 Jan 1970 00:00:00 GMT', 'not a date', '2099-01-01', 'application/json', ...API_NAMES, 'Describe'];

let fixture: ServerFixture | undefined;

async function check(c: InstanceCase): Promise<Finding | undefined> {
  const f = (fixture ??= await serverFixture());
  const body = new Uint8Array(Buffer.from(Buffer.from(c.body).toString('latin1').replaceAll(c.keyId, f.keyId), 'latin1'));
  const { response, finding } = await exchange(f.server.port, f.agent, buildInstanceRequest({ ...c, body }, f));
  if (finding !== undefined) return finding;
  if (response === undefined) return undefined;
  return judge(response.status, response.body);
}

/** The instance API harness. */
export const serverInstanceHarness: Harness<InstanceCase> = {
  name: 'server-instance',
  summary: 'kms-server instance API (dkms-gcs-0.2, protobuf) request parsing: mutated, correctly signed requests',
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
        fc.array(fieldChangeArb, { minLength: 0, maxLength: 3 }),
        rarely(mutationsArb({}, 2), 3),
        rarely(fc.oneof(fc.constantFrom(...API_NAMES, '', 'advanceDecrypt', 'AdvanceDecrypt ', 'DescribeKey'), fc.string({ maxLength: 24 })), 10),
        pathArb,
        rarely(fc.record({ name: fc.constantFrom(...SIGNED_HEADERS), value: fc.option(fc.oneof(fc.constantFrom(...HEADER_VALUES), fc.string({ maxLength: 30 }))) }), 6),
      )
      .map(([t, changes, byteMutations, apiName, path, afterSign]): InstanceCase => {
        const [name, template] = all[t]!;
        const fields = changes.reduce(applyFieldChange, template);
        const encoded = encodeFields(fields);
        const body = byteMutations === null ? encoded : applyMutations(encoded, byteMutations);
        return {
          apiName: apiName ?? name,
          body,
          ...(path === null ? {} : { path }),
          ...(afterSign === null ? {} : { afterSign }),
          keyId: f.keyId,
          mutations: `template ${t}; ${changes.map((c) => c.op).join(',') || 'none'}${byteMutations === null ? '' : `; ${describeMutations(byteMutations)}`}`,
        };
      });
  },
  check,
  toCorpus: (c, finding): CorpusEntry => ({
    format: 'json',
    meta: { harness: 'server-instance', finding: finding.kind, message: finding.message },
    value: { ...c, body: toHex(c.body) },
  }),
  fromCorpus(entry) {
    if (entry.format !== 'json') throw new Error('expected a json corpus entry');
    const v = entry.value as Omit<InstanceCase, 'body'> & { body: string };
    return { ...v, body: fromHex(v.body) };
  },
  async close() {
    fixture = undefined;
    await closeServerFixture();
  },
};
