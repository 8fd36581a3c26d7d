/**
 * What a signature error may echo of a request. Alibaba's gateway answers a bad signature with
 * its string to sign and AWS with its canonical request, so a client can find where the two sides
 * differ; but those hold every parameter, a `Plaintext` data key or a `CiphertextBlob` included,
 * and clients copy such messages into logs and error output. This server echoes the names of all
 * parameters and the values of the signing protocol's own only; every other value reads
 * {@link REDACTED}.
 *
 * @module
 */

/** What an echoed parameter value is replaced with. */
export const REDACTED = 'REDACTED';

/**
 * Parameters whose values are echoed: the OpenAPI v1 signing protocol's own, and key names. None
 * carries key, plaintext or blob bytes.
 */
const ECHOED_PARAMS: ReadonlySet<string> = new Set([
  'AccessKeyId',
  'Action',
  'Format',
  'RegionId',
  'SignatureMethod',
  'SignatureNonce',
  'SignatureType',
  'SignatureVersion',
  'Timestamp',
  'Version',
  'KeyId',
  'KeyVersionId',
  'AliasName',
]);

/** The parameters as they may be echoed: names kept, values of all but {@link ECHOED_PARAMS} redacted. */
export function redactedParams<P extends readonly [string, string]>(params: readonly P[]): Array<readonly [string, string]> {
  return params.map(([name, value]) => [name, ECHOED_PARAMS.has(name) ? value : REDACTED] as const);
}
