/**
 * How callers name KMS keys: the keys that wrap a data key ({@link WrapKey}) and the KMSs that may
 * unwrap one ({@link UnwrapKmsOptions}).
 *
 * @module
 */
import { ArgumentError, safeRemoteCode, safeRemoteMessage } from '@dek/core';
import type { AdvanceKms } from '@dek/kms-adapter';
import { checkAllowedKeys, type AllowList } from './allowed-keys.js';

/** One KMS key that wraps the data key. `kms` defaults to the operation's main `kms`. */
export interface WrapKey {
  /** The KMS holding the key; the operation's `kms` when left out. */
  readonly kms?: AdvanceKms;
  /** Key id, alias or ARN, as the KMS accepts it. */
  readonly keyId: string;
}

/** A {@link WrapKey} with its KMS resolved, and the option field it came from (for errors). */
export interface ResolvedWrapKey {
  readonly kms: AdvanceKms;
  readonly keyId: string;
  readonly field: string;
}

/**
 * The KMSs that may unwrap a data key. A header slot is tried only when a KMS for its provider id
 * (`slot.kms`) is given: `kmsByProvider[slot.kms]`, else `kms` when `kms.provider === slot.kms`.
 * At least one of the two is required.
 */
export interface UnwrapKmsOptions {
  /** One KMS, used for the slots of its `provider`. */
  readonly kms?: AdvanceKms;
  /** KMSs by provider id (`local`, `alibaba-kms`, `aws-kms`, ...). */
  readonly kmsByProvider?: Readonly<Record<string, AdvanceKms>>;
  /**
   * Only these keys may unwrap (key ids, aliases, ARNs; see allowed-keys.ts): slots naming any
   * other are never sent to a KMS, and a file with none fails with KeyNotAllowedError before
   * anything is unwrapped. Leave it out to try every slot (a file's author then chooses which
   * key your credentials are used with).
   */
  readonly allowedKeys?: readonly string[];
}

/** Provider id -> KMS, with the allow-list that goes with it, as built by {@link kmsLookup}. */
export interface KmsLookup {
  (provider: string): AdvanceKms | undefined;
  /** The keys that may unwrap; undefined: any. */
  readonly allowed?: AllowList;
}

function isKms(value: unknown): value is AdvanceKms {
  if (typeof value !== 'object' || value === null) return false;
  const kms = value as Partial<Record<keyof AdvanceKms, unknown>>;
  return (
    typeof kms.provider === 'string' &&
    typeof kms.advanceGenerateDataKey === 'function' &&
    typeof kms.advanceEncrypt === 'function' &&
    typeof kms.advanceDecrypt === 'function'
  );
}

/** Checks that `value` is an {@link AdvanceKms}; ArgumentError naming `field` otherwise. */
export function checkKms(value: unknown, field: string): AdvanceKms {
  if (!isKms(value)) throw new ArgumentError(`${field} must be an AdvanceKms (provider and advance calls)`, { field });
  return value;
}

/** Checks that a key id is a non-empty string; ArgumentError naming `field` otherwise. */
export function checkKeyId(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new ArgumentError(`${field} must be a non-empty string`, { field });
  }
  return value;
}

/**
 * Resolves `keys` (each `{ kms?, keyId }`) against `defaultKms`. ArgumentError naming
 * `field[i]` when a key has no KMS or an empty id.
 */
export function resolveWrapKeys(keys: readonly WrapKey[] | undefined, defaultKms: AdvanceKms | undefined, field: string): ResolvedWrapKey[] {
  if (keys === undefined) return [];
  if (!Array.isArray(keys)) throw new ArgumentError(`${field} must be an array`, { field });
  return keys.map((key: unknown, i) => {
    const at = `${field}[${i}]`;
    if (typeof key !== 'object' || key === null) throw new ArgumentError(`${at} must be an object`, { field: at });
    const { kms, keyId } = key as WrapKey;
    const resolved = kms === undefined ? defaultKms : checkKms(kms, `${at}.kms`);
    if (resolved === undefined) throw new ArgumentError(`${at} has no kms and no default kms was given`, { field: `${at}.kms` });
    return { kms: resolved, keyId: checkKeyId(keyId, `${at}.keyId`), field: at };
  });
}

/**
 * Returns the lookup `provider id -> KMS` for {@link UnwrapKmsOptions}, carrying its checked
 * `allowedKeys`; ArgumentError when neither `kms` nor `kmsByProvider` is given, one of them is
 * not a KMS, or `allowedKeys` is malformed.
 */
export function kmsLookup(options: UnwrapKmsOptions): KmsLookup {
  const allowed = checkAllowedKeys(options.allowedKeys);
  const kms = options.kms === undefined ? undefined : checkKms(options.kms, 'kms');
  const byProvider = options.kmsByProvider;
  if (byProvider !== undefined) {
    if (typeof byProvider !== 'object' || byProvider === null) {
      throw new ArgumentError('kmsByProvider must be an object', { field: 'kmsByProvider' });
    }
    for (const [provider, value] of Object.entries(byProvider)) checkKms(value, `kmsByProvider.${provider}`);
  } else if (kms === undefined) {
    throw new ArgumentError('a kms or kmsByProvider is needed to unwrap the data key', { field: 'kms' });
  }
  const lookup = (provider: string): AdvanceKms | undefined => {
    // Own properties only: a hostile header may name `constructor` or `__proto__`.
    if (byProvider !== undefined && Object.hasOwn(byProvider, provider)) return byProvider[provider];
    return kms !== undefined && kms.provider === provider ? kms : undefined;
  };
  return allowed === undefined ? lookup : Object.assign(lookup, { allowed });
}

/**
 * The code and message of a failed KMS call (Alibaba-style `code` when present, else the error
 * name), made safe to carry: a KMS may echo request content, data keys included, in its message.
 */
export function describeKmsFailure(error: unknown): { code: string; message: string } {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { code: safeRemoteCode(typeof code === 'string' && code.length > 0 ? code : error.name), message: safeRemoteMessage(error.message) };
  }
  return { code: 'Unknown', message: 'the KMS call failed with a non-Error value' };
}
