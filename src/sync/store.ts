/**
 * Where the sync loop keeps its position (`next_batch`) and the room state:
 * a small async key-value store of JSON values.
 */

/**
 * An async store of JSON values by key.
 *
 * `write` applies several changes at once, all or nothing: the sync loop commits
 * `next_batch` and the room state of a batch with one `write`.
 *
 * @example
 * ```ts
 * const store: SyncStore = new MemoryStore();
 * const client = createClient({ baseUrl, accessToken, sync: { store } });
 * ```
 */
export interface SyncStore {
  /** The value stored under `key`, or `undefined`. */
  get(key: string): Promise<unknown>;
  /** Stores a JSON value under `key`. */
  set(key: string, value: unknown): Promise<void>;
  /** Removes `key` (nothing happens when it is absent). */
  delete(key: string): Promise<void>;
  /**
   * Applies every change atomically: a value is stored, `undefined` deletes the key.
   * After a crash either all of the changes are visible or none.
   */
  write(changes: ReadonlyMap<string, unknown>): Promise<void>;
  /**
   * Where a key is kept (a file path, say), for error messages. Optional: the key
   * itself names the data otherwise.
   */
  describe?(key: string): string;
}

/**
 * A store in memory: nothing survives the process. Values are kept by
 * reference (not copied): do not change a value after storing it.
 *
 * @example
 * ```ts
 * const client = createClient({ baseUrl, accessToken, sync: { store: new MemoryStore() } });
 * ```
 */
export class MemoryStore implements SyncStore {
  readonly #map = new Map<string, unknown>();

  get(key: string): Promise<unknown> {
    return Promise.resolve(this.#map.get(key));
  }

  set(key: string, value: unknown): Promise<void> {
    if (value === undefined) this.#map.delete(key);
    else this.#map.set(key, value);
    return Promise.resolve();
  }

  delete(key: string): Promise<void> {
    this.#map.delete(key);
    return Promise.resolve();
  }

  write(changes: ReadonlyMap<string, unknown>): Promise<void> {
    for (const [key, value] of changes) {
      if (value === undefined) this.#map.delete(key);
      else this.#map.set(key, value);
    }
    return Promise.resolve();
  }

  /** The keys stored (for tests and debugging). */
  keys(): string[] {
    return [...this.#map.keys()];
  }
}
