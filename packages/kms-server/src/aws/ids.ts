/**
 * AWS names of the backend's keys: key ARNs `arn:aws:kms:<region>:<account>:key/<keyId>` and
 * alias ARNs `arn:aws:kms:<region>:<account>:alias/<name>`, with the backend's own key ids and
 * its aliases (`alias/...`, shared with the Alibaba dialects).
 *
 * @module
 */
import { notFound, validation } from './errors.js';

/** The region and account this server's ARNs name. */
export interface AwsScope {
  readonly region: string;
  readonly accountId: string;
}

/** `arn:aws:kms:<region>:<account>:key/<keyId>`. */
export function awsKeyArn(scope: AwsScope, keyId: string): string {
  return `arn:aws:kms:${scope.region}:${scope.accountId}:key/${keyId}`;
}

/** `arn:aws:kms:<region>:<account>:alias/<name>` for `aliasName` = `alias/<name>`. */
export function awsAliasArn(scope: AwsScope, aliasName: string): string {
  return `arn:aws:kms:${scope.region}:${scope.accountId}:${aliasName}`;
}

const ARN = /^arn:aws:kms:([^:]*):([^:]*):((?:key|alias)\/.+)$/;

/**
 * The backend's name for a `KeyId` member: a key id as is, a key ARN of this region and account
 * as its key id, an alias or alias ARN as `alias/<name>` (only where `aliases` is true; else a
 * `ValidationException`). An ARN of another region, account or partition, or a backend ARN
 * (`acs:...`), names no key here: `NotFoundException`.
 */
export function backendKeyRef(scope: AwsScope, keyId: string, member: string, aliases: boolean): string {
  let name = keyId;
  if (name.startsWith('arn:') || name.startsWith('acs:')) {
    const m = ARN.exec(name);
    if (m === null || m[1] !== scope.region || m[2] !== scope.accountId) throw notFound(`Invalid arn ${keyId}`);
    name = m[3]!.startsWith('key/') ? m[3]!.slice('key/'.length) : m[3]!;
  }
  if (name.startsWith('alias/') && !aliases) {
    throw validation(member, 'Member must be a key id or key ARN, not an alias');
  }
  return name;
}
