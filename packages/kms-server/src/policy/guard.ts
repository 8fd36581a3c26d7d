/**
 * The policy check of one request, as a wrapper of the backend handed to the dialect's action:
 * every backend call is checked before it runs, against the key it touches. That key is found
 * the way the call itself finds it: the `keyId` it names (an alias or ARN is resolved to its key
 * first, so a key is checked by what it is, not by how it was named), or for a decrypt the key
 * version inside the blob; `aliasName` adds the alias; a call that names no key (CreateKey,
 * ListKeys, ListAliases) is checked against the account resource (`*` for AWS). A key's aliases
 * count as its names too, so a policy may grant `.../alias/backup`.
 *
 * The wrapper also records, for the audit log, which key and key version the request used.
 *
 * @module
 */
import type { KmsBackend } from '../backend.js';
import { blobKeyId, versionKeyId } from '../blob-key.js';
import { policyAction } from './actions.js';
import type { PolicyDecision, PolicySet } from './policy-set.js';

/** What a request did, for the audit log: filled in as it is served. */
export interface RequestTrace {
  /** The authenticated credential (else what the request claimed). */
  credentialId?: string;
  /** The dialect's action name. */
  action?: string;
  keyId?: string;
  keyVersionId?: string;
}

/** How a dialect names resources in policies. */
export interface ResourceNames {
  key(keyId: string): string;
  /** `aliasName` is `alias/<name>`. */
  alias(aliasName: string): string;
  /** The resource of calls that name no key (`*` for AWS, the account's `key` / `alias` for RAM). */
  account(kind: 'key' | 'alias'): string;
}

/** A refused call: what was asked, on what, and whether a `Deny` matched. */
export interface Denial {
  readonly credentialId: string;
  readonly action: string;
  readonly resource: string;
  readonly explicit: boolean;
}

/** What the guard of one request needs. */
export interface GuardOptions {
  readonly kms: KmsBackend;
  /** Undefined: no policy, every call runs (only the trace is recorded). */
  readonly policy: PolicySet | undefined;
  readonly names: ResourceNames;
  /** The dialect's access-denied error. */
  readonly deny: (denial: Denial) => Error;
  readonly trace: RequestTrace;
}

const ALIAS_PAGE = 100;

const textOf = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const recordOf = (value: unknown): Record<string, unknown> => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {});

/**
 * The key a call is checked against, the one the backend will use: for an advance decrypt the key
 * inside an advance blob (its `$ 00 02` header decides the mode, whatever `keyId` or `iv` say), else
 * the named `keyId`, else (a non-advance decrypt naming only a version, as the instance API's
 * x-kms-migrationkeyversionid does) the version's key.
 */
function keyRefOf(method: string, request: Record<string, unknown>): string | undefined {
  const named = textOf(request['keyId']);
  const inBlob = method === 'advanceDecrypt' ? blobKeyId(request['ciphertextBlob']) : undefined;
  const version = textOf(request['keyVersionId']);
  return inBlob ?? named ?? blobKeyId(request['ciphertextBlob']) ?? (version === undefined ? undefined : versionKeyId(version));
}

/** Records the key and version a call answered with. */
function recordResult(trace: RequestTrace, result: unknown): void {
  const r = recordOf(result);
  const inner = { ...recordOf(r['keyMetadata']), ...recordOf(r['keyVersion']) };
  trace.keyId = textOf(r['keyId']) ?? textOf(inner['keyId']) ?? trace.keyId;
  trace.keyVersionId = textOf(r['keyVersionId']) ?? textOf(inner['keyVersionId']) ?? trace.keyVersionId;
}

/**
 * The backend as `credentialId` may use it while serving `action`: each call is checked first and
 * refused with `options.deny(...)` unless the policy allows it.
 */
export function guardBackend(options: GuardOptions, credentialId: string, action: string): KmsBackend {
  const { kms, policy, names, trace } = options;
  trace.credentialId = credentialId;
  trace.action = action;

  /** The key a reference names, resolved without the policy; the reference itself when it names none. */
  const resolve = async (ref: string): Promise<string> => {
    if (!ref.startsWith('alias/') && !ref.startsWith('acs:')) return ref;
    try {
      return (await kms.describeKey({ keyId: ref })).keyMetadata.keyId;
    } catch {
      return ref;
    }
  };
  const aliasesOf = async (keyId: string): Promise<string[]> => {
    const aliases: string[] = [];
    try {
      for (let pageNumber = 1; ; pageNumber++) {
        const page = await kms.listAliasesByKeyId({ keyId, pageNumber, pageSize: ALIAS_PAGE });
        aliases.push(...page.aliases.map((a) => a.aliasName));
        if (page.aliases.length === 0 || aliases.length >= page.totalCount) return aliases;
      }
    } catch {
      return aliases; // a key that does not exist has no aliases
    }
  };
  /** The key `ref` names and its resource names: its ARN and its aliases' ARNs (an unresolved alias as itself). */
  const keyNames = async (ref: string): Promise<{ keyId: string; names: string[] }> => {
    const keyId = await resolve(ref);
    if (keyId.startsWith('alias/')) return { keyId, names: [names.alias(keyId)] };
    trace.keyId = keyId;
    const aliases = policy!.namesAliases(credentialId) ? await aliasesOf(keyId) : [];
    return { keyId, names: [names.key(keyId), ...aliases.map((a) => names.alias(a))] };
  };
  const check = (needed: string, resources: readonly string[]): void => {
    const decision: PolicyDecision = policy!.decide(credentialId, needed, resources);
    if (decision !== 'allow') throw options.deny({ credentialId, action: needed, resource: resources[0]!, explicit: decision === 'explicit-deny' });
  };

  return new Proxy(kms, {
    get(target, property) {
      // Read on the backend itself: its methods may use private fields.
      const value: unknown = Reflect.get(target, property);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return async (request?: unknown) => {
        const r = recordOf(request);
        const ref = keyRefOf(property, r);
        if (ref !== undefined) trace.keyId = ref;
        let checked = request;
        if (policy !== undefined) {
          const needed = policyAction(action, property);
          const aliasName = textOf(r['aliasName']);
          if (aliasName !== undefined) check(needed, [names.alias(aliasName)]);
          if (ref !== undefined) {
            const key = await keyNames(ref);
            check(needed, key.names);
            // The call uses the key that was checked, even if an alias moves in between.
            if (r['keyId'] === ref && key.keyId !== ref) checked = { ...r, keyId: key.keyId };
          } else if (aliasName === undefined) {
            check(needed, [names.account(/alias/i.test(property) ? 'alias' : 'key')]);
          }
        }
        const result: unknown = await (value as (request?: unknown) => Promise<unknown>).call(target, checked);
        recordResult(trace, result);
        return result;
      };
    },
  });
}
