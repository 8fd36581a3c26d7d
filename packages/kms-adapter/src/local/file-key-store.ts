/**
 * A {@link KeyStore} in one keystore file (format: keystore-format.ts), for real use.
 *
 * Reads need no lock: writes replace the file by an atomic rename, so a reader sees one whole
 * version. Every update takes the lock file `<path>.lock`, re-reads the file under it, applies
 * the change, and commits with {@link writeFileAtomic}; so concurrent writers in several
 * processes lose nothing, and a writer killed at any point leaves the last committed file
 * (plus, at worst, a stale lock and a temp file, both cleaned up by the next writer).
 *
 * @module
 */
import { open, type FileHandle } from 'node:fs/promises';
import { withRequestId, ioFault, keystoreFault } from './faults.js';
import { emptyState } from './key-record.js';
import type { KeystoreState } from './key-record.js';
import type { KeyStore, KeystoreSnapshot } from './key-store.js';
import { decodeKeystore, encodeKeystore, MAX_KEYSTORE_BYTES, newKeystoreId } from './keystore-format.js';
import type { DecodedKeystore } from './keystore-format.js';
import { deriveKeystoreKeys } from './keystore-crypto.js';
import type { KeystoreKeys } from './keystore-crypto.js';
import { acquireLock } from './lock.js';
import type { HeldLock, LockOptions } from './lock.js';
import { removeOrphanTempFiles, writeFileAtomic } from './atomic-file.js';

/**
 * Reads `size` bytes (the size checked beforehand) from the start of `file`. A file that grew
 * meanwhile is cut at `size` (and then fails its MAC); one that shrank ends early.
 */
async function readAll(file: FileHandle, size: number, path: string): Promise<Uint8Array> {
  const bytes = new Uint8Array(size);
  let length = 0;
  while (length < size) {
    let bytesRead;
    try {
      ({ bytesRead } = await file.read(bytes, length, size - length, length));
    } catch (error) {
      throw ioFault('read keystore', path, error);
    }
    if (bytesRead === 0) break;
    length += bytesRead;
  }
  return bytes.subarray(0, length);
}

/** Options of {@link FileKeyStore}. */
export interface FileKeyStoreOptions {
  /** Lock timing. */
  readonly lock?: LockOptions;
  /**
   * Test hook for crash tests: runs after the new file is written and fsynced, before it is
   * renamed over the keystore.
   */
  readonly beforeCommit?: (tempPath: string) => void | Promise<void>;
}

/** Options of {@link FileKeyStore.create}. */
export interface CreateFileKeyStoreOptions extends FileKeyStoreOptions {
  /** Fills the new keystore before its first write (e.g. a default key). */
  readonly initialize?: (state: KeystoreState) => void;
}

/** A keystore file, its key material sealed under a master key. */
export class FileKeyStore implements KeyStore {
  /** Path of the keystore file. */
  readonly path: string;
  readonly #keys: KeystoreKeys;
  readonly #options: FileKeyStoreOptions;
  #queue: Promise<unknown> = Promise.resolve();
  #cache: { readonly bytes: Uint8Array; readonly state: KeystoreState } | undefined;

  private constructor(path: string, keys: KeystoreKeys, options: FileKeyStoreOptions) {
    this.path = path;
    this.#keys = keys;
    this.#options = options;
  }

  /**
   * Opens an existing keystore and checks the master key at once: `Keystore.NotFound`,
   * `Keystore.WrongMasterKey`, `Keystore.Corrupt`... The master key is not kept (only subkeys).
   */
  static async open(path: string, masterKey: Uint8Array, options: FileKeyStoreOptions = {}): Promise<FileKeyStore> {
    return withRequestId(async () => {
      const store = new FileKeyStore(path, deriveKeystoreKeys(masterKey), options);
      await store.#readSnapshot();
      return store;
    });
  }

  /** Creates a new keystore file (`Keystore.AlreadyExists` if there is one), written atomically. */
  static async create(path: string, masterKey: Uint8Array, options: CreateFileKeyStoreOptions = {}): Promise<FileKeyStore> {
    return withRequestId(async () => {
      const store = new FileKeyStore(path, deriveKeystoreKeys(masterKey), options);
      await store.#locked(async (lock) => {
        if ((await store.#readBytes(true)) !== undefined) {
          throw keystoreFault('Keystore.AlreadyExists', `A keystore already exists at ${path}.`);
        }
        const state = emptyState();
        options.initialize?.(state);
        await store.#commit(encodeKeystore(state, store.#keys, newKeystoreId())!, lock);
      });
      return store;
    });
  }

  async read(): Promise<KeystoreSnapshot> {
    return withRequestId(() => this.#readSnapshot());
  }

  async update<T>(change: (state: KeystoreState) => T): Promise<T> {
    return withRequestId(() =>
      this.#locked(async (lock) => {
        await removeOrphanTempFiles(this.path);
        const decoded = this.#decode((await this.#readBytes(false))!);
        const result = change(decoded.state);
        const text = encodeKeystore(decoded.state, this.#keys, decoded.keystoreId, decoded.contentJson);
        if (text !== undefined) await this.#commit(text, lock);
        return result;
      }),
    );
  }

  /** Runs `fn` holding the lock file, one call at a time within this process. */
  #locked<T>(fn: (lock: HeldLock) => Promise<T>): Promise<T> {
    const run = this.#queue.then(async () => {
      const lock = await acquireLock(`${this.path}.lock`, this.#options.lock);
      try {
        return await fn(lock);
      } finally {
        await lock.release();
      }
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #commit(text: string, lock: HeldLock): Promise<void> {
    await writeFileAtomic(this.path, text, {
      beforeCommit: async (temp) => {
        await this.#options.beforeCommit?.(temp);
        await lock.assertHeld();
      },
    });
  }

  /** The file's bytes, its size checked before anything is allocated (`Keystore.Corrupt` when over the limit). */
  async #readBytes(missingOk: boolean): Promise<Uint8Array | undefined> {
    let file;
    try {
      file = await open(this.path, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw ioFault('read keystore', this.path, error);
      if (missingOk) return undefined;
      throw keystoreFault('Keystore.NotFound', `No keystore at ${this.path} (create one with initLocalKms / \`dek init\`).`);
    }
    try {
      const { size } = await file.stat().catch((error: unknown) => {
        throw ioFault('read keystore', this.path, error);
      });
      if (size > MAX_KEYSTORE_BYTES) {
        throw keystoreFault('Keystore.Corrupt', `The keystore ${this.path} is ${size} bytes, over the limit of ${MAX_KEYSTORE_BYTES} bytes.`);
      }
      return await readAll(file, size, this.path);
    } finally {
      await file.close();
    }
  }

  #decode(bytes: Uint8Array): DecodedKeystore {
    return decodeKeystore(bytes, this.#keys);
  }

  async #readSnapshot(): Promise<KeystoreSnapshot> {
    const bytes = (await this.#readBytes(false))!;
    const cached = this.#cache;
    if (cached !== undefined && Buffer.compare(cached.bytes, bytes) === 0) return cached.state;
    const { state } = this.#decode(bytes);
    this.#cache = { bytes, state };
    return state;
  }
}
