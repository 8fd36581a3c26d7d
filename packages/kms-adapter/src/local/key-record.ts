/**
 * The data LocalKms keeps: keys with their versions and aliases. Times are epoch milliseconds.
 * Stores hand out a {@link KeystoreState}; only `KeyStore.update` callbacks may change one.
 *
 * @module
 */
import type { KeySpec, KeyUsage } from '../admin.js';

/**
 * Key material as a store holds it (plain in memory, sealed in a keystore file). `reveal()`
 * returns a fresh copy; zero it when done.
 */
export interface KeyMaterial {
  reveal(): Uint8Array;
}

/** Material held in memory. Keeps its own copy of the bytes. */
export class PlainKeyMaterial implements KeyMaterial {
  readonly #bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes.slice();
  }

  reveal(): Uint8Array {
    return this.#bytes.slice();
  }
}

/** One version of a key. Immutable once made. */
export interface KeyVersionRecord {
  readonly keyVersionId: string;
  readonly creationDate: number;
  readonly material: KeyMaterial;
}

/** States a LocalKms key can be in. */
export type LocalKeyState = 'Enabled' | 'Disabled' | 'PendingDeletion';

/** One key. */
export interface KeyRecord {
  readonly keyId: string;
  readonly keySpec: KeySpec;
  readonly keyUsage: KeyUsage;
  readonly description: string;
  readonly creationDate: number;
  keyState: LocalKeyState;
  /** Oldest first; `versions[0]` is the initial version. Never empty. */
  versions: KeyVersionRecord[];
  primaryKeyVersion: string;
  lastRotationDate: number;
  automaticRotation: boolean;
  /** Seconds; kept when the policy is switched off. */
  rotationInterval: number | undefined;
  /** Set exactly while `keyState` is `PendingDeletion`. */
  deleteDate: number | undefined;
}

/** Everything in a keystore. */
export interface KeystoreState {
  /** Bumped by every committed change. */
  revision: number;
  /** By key id, in creation order. */
  keys: Map<string, KeyRecord>;
  /** Alias name to key id. */
  aliases: Map<string, string>;
}

/** An empty keystore. */
export function emptyState(): KeystoreState {
  return { revision: 0, keys: new Map(), aliases: new Map() };
}

/** A copy that can be changed without touching `state` (versions and materials are shared: they are immutable). */
export function cloneState(state: KeystoreState): KeystoreState {
  const keys = new Map<string, KeyRecord>();
  for (const [id, key] of state.keys) keys.set(id, { ...key, versions: [...key.versions] });
  return { revision: state.revision, keys, aliases: new Map(state.aliases) };
}

/** The key's initial version (used by the non-advance calls). */
export function initialVersion(key: KeyRecord): KeyVersionRecord {
  return key.versions[0]!;
}

/** The key's primary version (used by the advance calls). */
export function primaryVersion(key: KeyRecord): KeyVersionRecord {
  const found = key.versions.find((v) => v.keyVersionId === key.primaryKeyVersion);
  if (found === undefined) throw new Error(`key ${key.keyId} has no primary version ${key.primaryKeyVersion}`);
  return found;
}
