/**
 * How LocalKms reports keys: ARNs, ISO dates without milliseconds, `KeyMetadata`.
 *
 * @module
 */
import type { KeyMetadata, KeyVersion } from '../admin.js';
import type { KeyRecord, KeyVersionRecord } from './key-record.js';
import { nextRotationDate } from './lifecycle.js';
import { formatRotationInterval } from './rotation-interval.js';

/** Region and account that ARNs name. */
export interface ArnScope {
  readonly region: string;
  readonly accountId: string;
}

/** ISO-8601 UTC without milliseconds, e.g. `2026-01-01T00:00:00Z`. */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `acs:kms:<region>:<account>:key/<keyId>`. */
export function keyArn(scope: ArnScope, keyId: string): string {
  return `acs:kms:${scope.region}:${scope.accountId}:key/${keyId}`;
}

/** `acs:kms:<region>:<account>:alias/<name>`. */
export function aliasArn(scope: ArnScope, aliasName: string): string {
  return `acs:kms:${scope.region}:${scope.accountId}:${aliasName}`;
}

/** The metadata DescribeKey reports for `key`. */
export function keyMetadata(scope: ArnScope, key: Readonly<KeyRecord>): KeyMetadata {
  const next = nextRotationDate(key);
  const policyOn = next !== undefined;
  return {
    keyId: key.keyId,
    arn: keyArn(scope, key.keyId),
    creationDate: isoDate(key.creationDate),
    description: key.description,
    keySpec: key.keySpec,
    keyState: key.keyState,
    keyUsage: key.keyUsage,
    origin: 'Aliyun_KMS',
    protectionLevel: 'SOFTWARE',
    primaryKeyVersion: key.primaryKeyVersion,
    lastRotationDate: isoDate(key.lastRotationDate),
    automaticRotation: !policyOn ? 'Disabled' : key.keyState === 'Enabled' ? 'Enabled' : 'Suspended',
    ...(policyOn ? { rotationInterval: formatRotationInterval(key.rotationInterval!), nextRotationDate: isoDate(next) } : {}),
    ...(key.deleteDate !== undefined ? { deleteDate: isoDate(key.deleteDate) } : {}),
  };
}

/** The public view of a version. */
export function keyVersion(keyId: string, version: KeyVersionRecord): KeyVersion {
  return { keyId, keyVersionId: version.keyVersionId, creationDate: isoDate(version.creationDate) };
}
