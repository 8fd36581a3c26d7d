/**
 * `dek encrypt -k A --also-to B ...` must name each key once: a repeated key would only add a
 * second slot for the same key. A repeat is refused (exit 2), by name before anything runs, and
 * by key id once the KMS can resolve aliases (the local keystore: `alias/default` and its key id
 * are the same key). A cloud KMS resolves aliases only when it wraps, so there names are compared.
 *
 * @module
 */
import type { KeyAdministration } from '@dek/kms-adapter';
import { usageError } from './errors.js';

/** A key as the user named it, and the option that named it. */
export interface NamedKey {
  readonly option: string;
  readonly ref: string;
}

function repeated(first: NamedKey, second: NamedKey, sameId?: string): Error {
  const why = sameId === undefined ? '' : ` (both are ${sameId})`;
  return usageError(`${second.option} '${second.ref}' names the same key as ${first.option} '${first.ref}'${why}`, 'name each key once: a file gets one slot per key');
}

/** Refuses two options naming the same key by the same name. */
export function refuseRepeatedNames(keys: readonly NamedKey[]): void {
  const seen = new Map<string, NamedKey>();
  for (const key of keys) {
    const first = seen.get(key.ref);
    if (first !== undefined) throw repeated(first, key);
    seen.set(key.ref, key);
  }
}

/**
 * Refuses two options naming the same key by different names (an alias and its key id), as the
 * KMS's key administration resolves them. A name it cannot resolve is left to the encryption to report.
 */
export async function refuseRepeatedKeys(keys: readonly NamedKey[], admin: KeyAdministration | undefined): Promise<void> {
  if (admin === undefined || keys.length < 2) return;
  const seen = new Map<string, NamedKey>();
  for (const key of keys) {
    const keyId = await admin.describeKey({ keyId: key.ref }).then(
      (r) => r.keyMetadata.keyId,
      () => undefined,
    );
    if (keyId === undefined) continue;
    const first = seen.get(keyId);
    if (first !== undefined) throw repeated(first, key, keyId);
    seen.set(keyId, key);
  }
}
