/**
 * A {@link KeyStore} in memory: nothing persists beyond the process.
 *
 * @module
 */
import { cloneState, emptyState } from './key-record.js';
import type { KeystoreState } from './key-record.js';
import type { KeyStore, KeystoreSnapshot } from './key-store.js';

/** Keeps the keystore in memory. Each update works on a copy, so a failed change leaves no trace. */
export class MemoryKeyStore implements KeyStore {
  #state: KeystoreState = emptyState();

  async read(): Promise<KeystoreSnapshot> {
    return this.#state;
  }

  async update<T>(change: (state: KeystoreState) => T): Promise<T> {
    const next = cloneState(this.#state);
    const result = change(next);
    next.revision = this.#state.revision + 1;
    this.#state = next;
    return result;
  }
}
