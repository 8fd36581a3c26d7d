/**
 * Time-driven changes of LocalKms keys, applied lazily: on each call, whatever fell due since
 * the last one happens first. A key in state Enabled whose rotation policy is on rotates once
 * when `lastRotationDate + interval` has passed (however many intervals passed: one new primary
 * version, dated at the time of the call, and the next rotation is due one interval after it).
 * A key PendingDeletion whose `deleteDate` has passed is removed with its aliases.
 *
 * @module
 */
import type { KeySpec, KeyUsage } from '../admin.js';
import { newKeyId, newKeyVersionId } from './ids.js';
import { PlainKeyMaterial } from './key-record.js';
import type { KeyRecord, KeystoreState, KeyVersionRecord } from './key-record.js';
import type { KeystoreSnapshot } from './key-store.js';
import type { LocalKeySpec } from './key-spec.js';

/** What a new key needs. */
export interface NewKeyOptions {
  readonly keySpec: KeySpec;
  readonly spec: LocalKeySpec;
  readonly keyUsage: KeyUsage;
  readonly description: string;
  /** Seconds, when automatic rotation is on. */
  readonly rotationInterval: number | undefined;
}

function freshVersion(keyId: string, spec: LocalKeySpec, now: number, taken: ReadonlySet<string>): KeyVersionRecord {
  let keyVersionId = newKeyVersionId(keyId);
  while (taken.has(keyVersionId)) keyVersionId = newKeyVersionId(keyId);
  const bytes = spec.generate();
  const material = new PlainKeyMaterial(bytes);
  bytes.fill(0);
  return { keyVersionId, creationDate: now, material };
}

/** Adds a new Enabled key with one version (initial and primary) to `state`. */
export function addKey(state: KeystoreState, options: NewKeyOptions, now: number): KeyRecord {
  let keyId = newKeyId();
  while (state.keys.has(keyId)) keyId = newKeyId();
  const version = freshVersion(keyId, options.spec, now, new Set());
  const key: KeyRecord = {
    keyId,
    keySpec: options.keySpec,
    keyUsage: options.keyUsage,
    description: options.description,
    creationDate: now,
    keyState: 'Enabled',
    versions: [version],
    primaryKeyVersion: version.keyVersionId,
    lastRotationDate: now,
    automaticRotation: options.rotationInterval !== undefined,
    rotationInterval: options.rotationInterval,
    deleteDate: undefined,
  };
  state.keys.set(keyId, key);
  return key;
}

/** Adds a version to `key` and makes it primary (CreateKeyVersion, or a due rotation). */
export function rotateKey(key: KeyRecord, spec: LocalKeySpec, now: number): KeyVersionRecord {
  const taken = new Set(key.versions.map((v) => v.keyVersionId));
  const version = freshVersion(key.keyId, spec, now, taken);
  key.versions = [...key.versions, version];
  key.primaryKeyVersion = version.keyVersionId;
  key.lastRotationDate = now;
  return version;
}

/** When the key's next automatic rotation is due, or undefined while the policy is off. */
export function nextRotationDate(key: Readonly<KeyRecord>): number | undefined {
  if (!key.automaticRotation || key.rotationInterval === undefined) return undefined;
  return key.lastRotationDate + key.rotationInterval * 1000;
}

function rotationDue(key: Readonly<KeyRecord>, now: number): boolean {
  const next = nextRotationDate(key);
  return key.keyState === 'Enabled' && next !== undefined && now >= next;
}

function deletionDue(key: Readonly<KeyRecord>, now: number): boolean {
  return key.keyState === 'PendingDeletion' && key.deleteDate !== undefined && now >= key.deleteDate;
}

/** Whether anything in `state` is due at `now` (a cheap check before taking the write path). */
export function hasDueWork(state: KeystoreSnapshot, now: number): boolean {
  for (const key of state.keys.values()) if (rotationDue(key, now) || deletionDue(key, now)) return true;
  return false;
}

/** Applies every due rotation and deletion to `state`. `specOf` gives the spec to make material with. */
export function applyDueWork(state: KeystoreState, now: number, specOf: (key: KeyRecord) => LocalKeySpec): void {
  for (const [keyId, key] of [...state.keys]) {
    if (deletionDue(key, now)) {
      state.keys.delete(keyId);
      for (const [alias, target] of [...state.aliases]) if (target === keyId) state.aliases.delete(alias);
    } else if (rotationDue(key, now)) {
      rotateKey(key, specOf(key), now);
    }
  }
}
