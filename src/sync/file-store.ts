/**
 * The file store of the sync loop (Node, Deno and Bun): one JSON file per key,
 * written atomically. Exported from `matrix-fluent/node`, so that the main
 * entry stays free of Node modules.
 */
import { mkdir, readFile, rename, rm, writeFile, open } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { syncDirectory } from '../node-fs.js';
import type { SyncStore } from './store.js';
import { SyncStoreError } from './store-error.js';

/** Read errors that may go away by themselves: the loop retries them instead of stopping. */
const TRANSIENT_READ_ERRORS: ReadonlySet<string> = new Set(['EMFILE', 'ENFILE', 'EAGAIN', 'EBUSY', 'EINTR']);

const JOURNAL = 'journal.json';

/**
 * A store in a directory: one JSON file per key.
 *
 * Each file is written to a temporary name, flushed, then renamed over the old
 * one, so a crash leaves either the old or the new value. A multi-key `write`
 * first writes all its changes to a journal (atomically, the same way), then
 * applies them, then removes the journal; a journal found when the store is
 * opened is applied again, so a `write` is all or nothing.
 *
 * File names are the keys with every character outside `[A-Za-z0-9_-]`
 * escaped (`%2E` for `.`), so no key can leave the directory; very long keys
 * are hashed.
 *
 * A file that is not valid JSON, or that cannot be read (permissions, a
 * directory in its place), is a {@link SyncStoreError} naming the file: the
 * sync loop stops with `fatal` on it and writes nothing over it.
 *
 * @example
 * ```ts
 * const client = createClient({ baseUrl, accessToken, sync: { store: new FileStore('.bot-state') } });
 * await client.sync.start(); // resumes from the saved position after a restart
 * ```
 */
export class FileStore implements SyncStore {
  readonly directory: string;
  #ready: Promise<void> | undefined;
  /** Serializes writes, so changes land in the order they were made. */
  #queue: Promise<void> = Promise.resolve();
  #tmpCounter = 0;

  constructor(directory: string) {
    this.directory = directory;
  }

  /** Creates the directory and replays a journal left by a crash. */
  #open(): Promise<void> {
    // A failed open (a directory not yet writable, say) is tried again by the next call.
    this.#ready ??= (async () => {
      await mkdir(this.directory, { recursive: true });
      const journal = await this.#readJson(join(this.directory, JOURNAL));
      if (Array.isArray(journal)) {
        const entries = journal as ([string, 0] | [string, 1, unknown])[];
        await this.#apply(new Map(entries.map((e): [string, unknown] => [e[0], e[1] === 1 ? e[2] : undefined])));
        await rm(join(this.directory, JOURNAL), { force: true });
      }
    })().catch((error: unknown) => {
      this.#ready = undefined;
      throw error;
    });
    return this.#ready;
  }

  /** The file name of a key. */
  static fileName(key: string): string {
    const escaped = key.replace(/[^A-Za-z0-9_-]/g, (c) =>
      [...Buffer.from(c, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
    );
    if (escaped.length <= 180) return `${escaped}.json`;
    return `h-${createHash('sha256').update(key).digest('hex')}.json`;
  }

  /**
   * The file a key is kept in (named in a {@link SyncStoreError}).
   *
   * @example
   * ```ts
   * new FileStore('.bot-state').describe('sync.next_batch'); // '.bot-state/sync%2Enext_batch.json'
   * ```
   */
  describe(key: string): string {
    return join(this.directory, FileStore.fileName(key));
  }

  async #readJson(path: string): Promise<unknown> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return undefined;
      if (code !== undefined && TRANSIENT_READ_ERRORS.has(code)) throw error;
      throw new SyncStoreError('unreadable', path, code ?? String(error), { cause: error });
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      // No cause: the parser's message quotes the file's contents.
      throw new SyncStoreError('corrupted', path, `not valid JSON, ${text.length} characters`);
    }
  }

  async #writeAtomic(path: string, text: string): Promise<void> {
    const tmp = `${path}.${process.pid}.${this.#tmpCounter++}.tmp`;
    try {
      const handle = await open(tmp, 'w');
      try {
        await handle.writeFile(text, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(tmp, path);
    } catch (error) {
      await rm(tmp, { force: true }).catch(() => undefined);
      throw error;
    }
    // Makes the rename itself durable (a power loss after it keeps the new file). Some platforms
    // (Windows) cannot open or sync a directory: the rename is atomic all the same.
    await syncDirectory(this.directory).catch(() => undefined);
  }

  async #apply(changes: ReadonlyMap<string, unknown>): Promise<void> {
    for (const [key, value] of changes) {
      const path = join(this.directory, FileStore.fileName(key));
      if (value === undefined) await rm(path, { force: true });
      else await this.#writeAtomic(path, JSON.stringify(value));
    }
  }

  #enqueue(task: () => Promise<void>): Promise<void> {
    const next = this.#queue.then(task);
    this.#queue = next.catch(() => {});
    return next;
  }

  async get(key: string): Promise<unknown> {
    await this.#open();
    await this.#queue;
    return this.#readJson(join(this.directory, FileStore.fileName(key)));
  }

  async set(key: string, value: unknown): Promise<void> {
    await this.#open();
    return this.#enqueue(() => this.#apply(new Map([[key, value]])));
  }

  async delete(key: string): Promise<void> {
    await this.#open();
    return this.#enqueue(() => this.#apply(new Map([[key, undefined]])));
  }

  async write(changes: ReadonlyMap<string, unknown>): Promise<void> {
    await this.#open();
    if (changes.size === 0) return;
    if (changes.size === 1) return this.#enqueue(() => this.#apply(changes));
    return this.#enqueue(async () => {
      const journal = join(this.directory, JOURNAL);
      // Entries: [key, 1, value] stores a value, [key, 0] deletes the key.
      await this.#writeAtomic(journal, JSON.stringify([...changes].map(([k, v]) => (v === undefined ? [k, 0] : [k, 1, v]))));
      await this.#apply(changes);
      await rm(journal, { force: true });
    });
  }
}
