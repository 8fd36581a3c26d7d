/**
 * Mutations of request parameters (name/value strings) for the server harnesses: replace a value
 * by one of many interesting strings, mutate its UTF-8 bytes, or (for base64 parameters) mutate
 * the decoded bytes and re-encode them, so that a well-formed request reaches the field decoders.
 *
 * @module
 */
import fc from 'fast-check';
import { applyMutations, mutationsArb, type Mutation } from '../mutate.js';

/** Values that tend to break parameter parsers. */
export const INTERESTING_STRINGS: readonly string[] = [
  '', ' ', '0', '-1', '00', '01', '1.5', '1e3', '0x10', '32', '1024', '1025', '2147483647', '2147483648', '4294967296',
  '99999999999999999999999', 'NaN', 'Infinity', 'true', 'false', 'null', '{}', '[]', '{"a":1}', '{"a":{"b":"c"}}',
  '{"__proto__":"x"}', '{"a":"1","a":"2"}', '"x"', '[1,2]', '%', '%zz', '\u0000', '\u{1f642}', 'é', '\ufffd', '=', '====',
  'AAAA', 'AA==', 'A===', 'AAA', '!!!!', 'alias/', 'alias/fuzz', 'alias/none', 'key-', 'acs:kms:local:0:key/x',
  'AES_GCM', 'AES_256', 'AES_128', 'NO_PADDING', 'PKCS7_PADDING', 'HMAC-SHA1', '1.0', '2016-01-20', 'JSON', 'XML',
  'x'.repeat(300), 'A'.repeat(12_000), `${'A'.repeat(8192)}==`,
];

/** One change to a string. */
export type StringChange =
  | { readonly op: 'replace'; readonly value: string }
  | { readonly op: 'bytes'; readonly mutations: readonly Mutation[] }
  | { readonly op: 'base64'; readonly mutations: readonly Mutation[] }
  | { readonly op: 'repeat'; readonly times: number };

/** Resizes worth trying on decoded binary parameters (blob limits among them). */
const BINARY_LENGTHS = [0, 1, 12, 15, 16, 66, 67, 68, 8192, 8193, 65603, 65604];

/** An arbitrary change; `base64` mutations only when the value is base64. */
export function stringChangeArb(isBase64: boolean): fc.Arbitrary<StringChange> {
  const arbs: fc.Arbitrary<StringChange>[] = [
    fc.record({ op: fc.constant('replace' as const), value: fc.oneof(fc.constantFrom(...INTERESTING_STRINGS), fc.string({ maxLength: 20 })) }),
    fc.record({ op: fc.constant('bytes' as const), mutations: mutationsArb({}, 3) }),
    fc.record({ op: fc.constant('repeat' as const), times: fc.integer({ min: 2, max: 200 }) }),
  ];
  if (isBase64) {
    const b64 = fc.record({ op: fc.constant('base64' as const), mutations: mutationsArb({ lengths: BINARY_LENGTHS }, 3) });
    arbs.push(b64, b64, b64);
  }
  return fc.oneof(...arbs);
}

const utf8 = new TextDecoder();

/** Applies `change` to `value` (the result is always well-formed UTF-16). */
export function applyStringChange(value: string, change: StringChange): string {
  switch (change.op) {
    case 'replace':
      return Buffer.from(change.value, 'utf8').toString('utf8');
    case 'bytes':
      return utf8.decode(applyMutations(new TextEncoder().encode(value), change.mutations));
    case 'base64':
      return Buffer.from(applyMutations(new Uint8Array(Buffer.from(value, 'base64')), change.mutations)).toString('base64');
    case 'repeat':
      return value.repeat(change.times).slice(0, 70_000);
  }
}

/** Whether a parameter value is (standard, padded) base64 worth decoding. */
export function looksBase64(value: string): boolean {
  return value.length >= 4 && value.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(value);
}

/** `arb` once in `every` cases, null otherwise (unlike `fc.option`, whose `freq` sets how often it is null). */
export function rarely<T>(arb: fc.Arbitrary<T>, every: number): fc.Arbitrary<T | null> {
  return fc.oneof({ weight: every - 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arb });
}

/** Request targets other than `/` (the request line is input too). */
export const PATHS: readonly string[] = ['//', '/x', '/?', '/?=', '/#', '//[', '//x/', '//localhost:1/', '/%', '/%2F', '/..', '/./', '/\\', '/?Action=DescribeKey'];

/** An arbitrary request target: `/` mostly, odd ones sometimes. */
export const pathArb: fc.Arbitrary<string | null> = rarely(
  fc.oneof(fc.constantFrom(...PATHS), fc.string({ maxLength: 12 }).map((s) => `/${s.replace(/[^\x21-\x7e]/g, '')}`)),
  8,
);
