/**
 * Where LocalKms keeps its keys: {@link MemoryKeyStore} for tests and throwaway use, or
 * {@link FileKeyStore} (a keystore file under a master key) for real use.
 *
 * @module
 */
import type { KeyRecord, KeystoreState } from './key-record.js';

/** A state handed out for reading only. */
export interface KeystoreSnapshot {
  readonly revision: number;
  readonly keys: ReadonlyMap<string, Readonly<KeyRecord>>;
  readonly aliases: ReadonlyMap<string, string>;
}

/** Storage of a LocalKms. */
export interface KeyStore {
  /** The latest committed state. Read it, never change it. */
  read(): Promise<KeystoreSnapshot>;
  /**
   * Runs `change` on a private copy of the latest committed state (re-read under the store's
   * exclusion: lock file for a keystore file) and commits the copy when `change` returns. When
   * `change` throws, nothing is committed and the error propagates.
   */
  update<T>(change: (state: KeystoreState) => T): Promise<T>;
}
