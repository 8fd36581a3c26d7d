/**
 * Remembers the signature nonces of accepted requests, so that a captured request cannot be
 * replayed while its timestamp is still inside the accepted window.
 *
 * @module
 */

/**
 * A set of nonces that forgets each one after `ttlMs`. It holds at most `capacity` entries;
 * when full, the oldest entry is dropped (a replay of that one request then goes unnoticed for
 * the rest of its window, which only a flood of over `capacity` requests per window can cause).
 */
export class NonceCache {
  readonly #ttlMs: number;
  readonly #capacity: number;
  /** nonce -> expiry time; Map keeps insertion order, which is expiry order (constant TTL). */
  readonly #entries = new Map<string, number>();

  constructor(ttlMs: number, capacity = 100_000) {
    this.#ttlMs = ttlMs;
    this.#capacity = capacity;
  }

  /** Records `nonce` at time `now`; false when it was already recorded and has not expired. */
  add(nonce: string, now: number): boolean {
    this.#prune(now);
    if (this.#entries.has(nonce)) return false;
    if (this.#entries.size >= this.#capacity) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    this.#entries.set(nonce, now + this.#ttlMs);
    return true;
  }

  /** Number of remembered nonces. */
  get size(): number {
    return this.#entries.size;
  }

  #prune(now: number): void {
    for (const [nonce, expiry] of this.#entries) {
      if (expiry > now) break;
      this.#entries.delete(nonce);
    }
  }
}
