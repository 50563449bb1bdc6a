/**
 * A bounded least-recently-used map: the caches of the intents (registered users,
 * intents, joined rooms) stay within a fixed size however many users a bridge sees.
 */

/**
 * A `Map` with a size bound: reading or writing a key makes it the most recent,
 * and writing past the bound drops the least recent.
 *
 * @example
 * ```ts
 * const cache = new LruMap<string, true>(2);
 * cache.set('a', true); cache.set('b', true); cache.get('a'); cache.set('c', true);
 * cache.has('b'); // false: the least recently used went first
 * ```
 */
export class LruMap<K, V> {
  readonly #entries = new Map<K, V>();

  /** @param limit The most entries kept (at least 1). */
  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`an LRU cache needs a whole size of at least 1, not ${limit}`);
  }

  /** How many entries it holds. */
  get size(): number {
    return this.#entries.size;
  }

  /** The value of `key`, which becomes the most recently used. */
  get(key: K): V | undefined {
    if (!this.#entries.has(key)) return undefined;
    const value = this.#entries.get(key) as V;
    this.#entries.delete(key);
    this.#entries.set(key, value);
    return value;
  }

  /** Whether `key` is held (without touching its recency). */
  has(key: K): boolean {
    return this.#entries.has(key);
  }

  /** Stores `value` as the most recently used, dropping the least recent past the limit. */
  set(key: K, value: V): this {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.limit) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    return this;
  }

  /** Forgets `key`. */
  delete(key: K): boolean {
    return this.#entries.delete(key);
  }
}
