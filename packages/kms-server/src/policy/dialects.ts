/**
 * How each dialect names resources in policies and how it says "access denied", in the cloud's
 * own words:
 *
 * - OpenAPI (Alibaba RAM): 403 `Forbidden.RAM`, "User not authorized to operate on the specified
 *   resource, or this API doesn't support RAM.", with an `AccessDeniedDetail` naming the action;
 * - instance API: 403 `Forbidden.NoPermission`, "This operation is forbidden by permission
 *   system.", in the protobuf `Error` body;
 * - AWS: 400 `AccessDeniedException`, "User: <arn> is not authorized to perform: kms:Decrypt on
 *   resource: <key arn> because no identity-based policy allows the kms:Decrypt action" (or
 *   "with an explicit deny in an identity-based policy").
 *
 * @module
 */
import { ApiError } from '../api-error.js';
import { AwsError } from '../aws/errors.js';
import { awsAliasArn, awsKeyArn, type AwsScope } from '../aws/ids.js';
import type { Denial, ResourceNames } from './guard.js';

/** The region and account of `acs:` ARNs. */
export interface AlibabaScope {
  readonly region: string;
  readonly accountId: string;
}

/** RAM resource names: `acs:kms:<region>:<account>:key/<id>`, `...:alias/<name>`, `...:key`. */
export function ramNames(scope: AlibabaScope): ResourceNames {
  const prefix = `acs:kms:${scope.region}:${scope.accountId}:`;
  return { key: (keyId) => `${prefix}key/${keyId}`, alias: (aliasName) => `${prefix}${aliasName}`, account: (kind) => `${prefix}${kind}` };
}

/** IAM resource names: key and alias ARNs; `*` for calls that name no key. */
export function iamNames(scope: AwsScope): ResourceNames {
  return { key: (keyId) => awsKeyArn(scope, keyId), alias: (aliasName) => awsAliasArn(scope, aliasName), account: () => '*' };
}

/** The OpenAPI gateway's RAM denial, with the `AccessDeniedDetail` the official clients expose as `accessDeniedDetail`. */
export const openApiDenied = ({ credentialId, action, explicit }: Denial): Error =>
  new ApiError(403, 'Forbidden.RAM', "User not authorized to operate on the specified resource, or this API doesn't support RAM.", {
    AccessDeniedDetail: {
      AuthAction: action,
      AuthPrincipalType: 'SubUser',
      AuthPrincipalDisplayName: credentialId,
      NoPermissionType: explicit ? 'ExplicitDeny' : 'ImplicitDeny',
      PolicyType: 'AccountLevelIdentityBasedPolicy',
    },
  });

/** The instance API's denial. */
export const instanceDenied = (): Error => new ApiError(403, 'Forbidden.NoPermission', 'This operation is forbidden by permission system.');

/** AWS's denial, naming the caller as an IAM user of the account named by its access key id. */
export function awsDenied(scope: AwsScope): (denial: Denial) => Error {
  return ({ credentialId, action, resource, explicit }) =>
    new AwsError(
      'AccessDeniedException',
      `User: arn:aws:iam::${scope.accountId}:user/${credentialId} is not authorized to perform: ${action} on resource: ${resource} ` +
        (explicit ? 'with an explicit deny in an identity-based policy' : `because no identity-based policy allows the ${action} action`),
    );
}
