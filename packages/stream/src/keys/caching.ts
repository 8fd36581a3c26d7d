/**
 * A data-key cache for many small messages: one data key (and its slots) serves messages with the
 * same suite, key list and context until it is too old, has served too many messages or too many
 * bytes; then the KMS is asked again. Every message still has its own salt, hence its own chunk key.
 *
 * @module
 */
import { ArgumentError, StateError, zeroize } from '@dek/core';
import type { AdvanceKms } from '@dek/kms-adapter';
import type { DataKeyLease, DataKeyProvider, DataKeyRequest } from './data-keys.js';
import { generateWrappedDataKey } from './wrap.js';

/** Limits of a {@link CachingDataKeyProvider}. */
export interface DataKeyCacheOptions {
  /** Longest time a data key serves new messages, in milliseconds (required, > 0). */
  readonly maxAge: number;
  /** Most messages per data key (default 2^32). */
  readonly maxMessages?: number;
  /** Most plaintext bytes per data key (default 2^53 - 1). A message that crosses it finishes with its key. */
  readonly maxBytes?: number;
  /** Most cached keys at once, least recently used evicted first (default 64). */
  readonly maxEntries?: number;
  /** Clock in milliseconds (default `Date.now`); for tests. */
  readonly now?: () => number;
}

interface Entry {
  readonly key: string;
  readonly dataKey: Uint8Array;
  readonly slots: DataKeyLease['slots'];
  readonly created: number;
  messages: number;
  bytes: number;
  retired: boolean;
}

function checkLimit(value: number | undefined, field: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value > 0) || (field !== 'maxAge' && !Number.isSafeInteger(value))) {
    throw new ArgumentError(`${field} must be a positive ${field === 'maxAge' ? 'number' : 'integer'}`, { field });
  }
  return value;
}

/**
 * Caching {@link DataKeyProvider}: pass it as `dataKeys` to the encrypt functions. Each message gets
 * a private copy of the cached key (zeroed by the encryptor); the cache zeroes its own copy when
 * the entry retires, is evicted, or on {@link CachingDataKeyProvider.close}.
 */
export class CachingDataKeyProvider implements DataKeyProvider {
  readonly #maxAge: number;
  readonly #maxMessages: number;
  readonly #maxBytes: number;
  readonly #maxEntries: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, Entry>();
  readonly #pending = new Map<string, Promise<Entry>>();
  readonly #kmsIds = new WeakMap<AdvanceKms, number>();
  #nextKmsId = 0;
  #closed = false;

  constructor(options: DataKeyCacheOptions) {
    if (typeof options !== 'object' || options === null) throw new ArgumentError('cache options are required', { field: 'options' });
    if (options.maxAge === undefined) throw new ArgumentError('maxAge is required', { field: 'maxAge' });
    this.#maxAge = checkLimit(options.maxAge, 'maxAge', 0);
    this.#maxMessages = checkLimit(options.maxMessages, 'maxMessages', 2 ** 32);
    this.#maxBytes = checkLimit(options.maxBytes, 'maxBytes', Number.MAX_SAFE_INTEGER);
    this.#maxEntries = checkLimit(options.maxEntries, 'maxEntries', 64);
    const now = options.now ?? Date.now;
    if (typeof now !== 'function') throw new ArgumentError('now must be a function', { field: 'now' });
    this.#now = now;
  }

  /** Number of data keys currently cached. */
  get size(): number {
    return this.#entries.size;
  }

  /** Zeroes every cached key; later `acquire` calls throw StateError. Leases already given stay valid. */
  close(): void {
    this.#closed = true;
    for (const entry of this.#entries.values()) this.#retire(entry);
    this.#entries.clear();
  }

  /** The cache key: suite, each wrapping key (KMS instance and key id, in order), and CTX. */
  #cacheKey(request: DataKeyRequest): string {
    const keys = request.keys.map(({ kms, keyId }) => {
      let id = this.#kmsIds.get(kms);
      if (id === undefined) this.#kmsIds.set(kms, (id = this.#nextKmsId++));
      return [id, kms.provider, keyId];
    });
    let ctx = '';
    for (const b of request.encodedContext) ctx += b.toString(16).padStart(2, '0');
    return JSON.stringify([request.suite.name, keys, ctx]);
  }

  #usable(entry: Entry, now: number): boolean {
    return !entry.retired && now - entry.created < this.#maxAge && entry.messages < this.#maxMessages && entry.bytes < this.#maxBytes;
  }

  #retire(entry: Entry): void {
    if (entry.retired) return;
    entry.retired = true;
    zeroize(entry.dataKey);
    if (this.#entries.get(entry.key) === entry) this.#entries.delete(entry.key);
  }

  /** Takes one message from `entry` and lends a private copy of its key. */
  #lease(entry: Entry): DataKeyLease {
    const dataKey = entry.dataKey.slice();
    entry.messages++;
    if (entry.messages >= this.#maxMessages) this.#retire(entry);
    return {
      dataKey,
      slots: entry.slots,
      countBytes: (length) => {
        entry.bytes += length;
        if (entry.bytes >= this.#maxBytes) this.#retire(entry);
      },
      release: () => zeroize(dataKey),
    };
  }

  #sweep(now: number): void {
    for (const entry of [...this.#entries.values()]) if (!this.#usable(entry, now)) this.#retire(entry);
  }

  async acquire(request: DataKeyRequest): Promise<DataKeyLease> {
    const key = this.#cacheKey(request);
    for (;;) {
      if (this.#closed) throw new StateError('the data key cache is closed');
      this.#sweep(this.#now());
      const cached = this.#entries.get(key);
      if (cached !== undefined) {
        this.#entries.delete(key);
        this.#entries.set(key, cached); // most recently used last
        return this.#lease(cached);
      }
      const pending = this.#pending.get(key);
      if (pending === undefined) return this.#fetch(key, request);
      // Another message is already asking the KMS for this key: share its answer.
      const entry = await pending;
      if (this.#usable(entry, this.#now())) return this.#lease(entry);
    }
  }

  /** Asks the KMS; the first message is taken before other waiters can see the entry. */
  async #fetch(key: string, request: DataKeyRequest): Promise<DataKeyLease> {
    let first: DataKeyLease | undefined;
    const promise = (async (): Promise<Entry> => {
      const { dataKey, slots } = await generateWrappedDataKey(request.suite, request.aad, request.keys);
      const entry: Entry = { key, dataKey, slots, created: this.#now(), messages: 0, bytes: 0, retired: false };
      if (this.#closed) {
        zeroize(dataKey);
        throw new StateError('the data key cache was closed');
      }
      first = this.#lease(entry);
      if (!entry.retired) {
        this.#entries.set(key, entry);
        for (const old of this.#entries.values()) {
          if (this.#entries.size <= this.#maxEntries) break;
          this.#retire(old);
        }
      }
      return entry;
    })();
    this.#pending.set(key, promise);
    try {
      await promise;
    } finally {
      if (this.#pending.get(key) === promise) this.#pending.delete(key);
    }
    return first!;
  }
}
