/**
 * Finding the key a `KeyId` parameter names: a key id, an alias (`alias/...`), or an ARN
 * (`acs:kms:<region>:<account>:key/<id>` or `...:alias/<name>`) of this KMS's region and account.
 *
 * @module
 */
import { aliasNotFound, keyNotFound } from './faults.js';
import type { ArnScope } from './metadata.js';

/** The parts of a state that name keys. */
export interface Named<K> {
  readonly keys: ReadonlyMap<string, K>;
  readonly aliases: ReadonlyMap<string, string>;
}

/** The key `keyId` names; 404 `Forbidden.AliasNotFound` or `Forbidden.KeyNotFound` when none. */
export function resolveKey<K>(state: Named<K>, keyId: string, scope: ArnScope): K {
  let name = keyId;
  const arnPrefix = `acs:kms:${scope.region}:${scope.accountId}:`;
  if (name.startsWith('acs:')) {
    if (!name.startsWith(arnPrefix)) throw name.includes(':alias/') ? aliasNotFound() : keyNotFound();
    name = name.slice(arnPrefix.length);
    if (name.startsWith('key/')) name = name.slice('key/'.length);
    else if (!name.startsWith('alias/')) throw keyNotFound();
  }
  if (name.startsWith('alias/')) {
    const target = state.aliases.get(name);
    if (target === undefined) throw aliasNotFound();
    name = target;
  }
  const key = state.keys.get(name);
  if (key === undefined) throw keyNotFound();
  return key;
}
