/**
 * The file application service store: an append-only journal in a directory
 * (node:fs). An accepted transaction is one record, synced before `accept`
 * resolves (concurrent ones share a sync); progress records are appended
 * without a sync. The journal is compacted into a new file once it grows past
 * a size.
 */
import * as fs from 'node:fs';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { syncDirectory } from '../node-fs.js';
import { frame, readRecords } from './journal.js';
import { eventIdsOf, parseTransactionBody } from './payload.js';
import { StoreState, type AcceptRecord } from './store-state.js';
import type { AcceptResult, AppserviceStore, DeadLetter, InboxTransaction, PendingTransaction } from './types.js';

/**
 * Options of {@link FileAppserviceStore}.
 *
 * @example
 * ```ts
 * const store = new FileAppserviceStore('.appservice-state', { compactBytes: 16 * 1024 * 1024, remember: 50_000 });
 * ```
 */
export interface FileAppserviceStoreOptions {
  /**
   * Journal size past which it is compacted, in bytes.
   * @default 64 MiB
   */
  compactBytes?: number;
  /**
   * Transaction ids and event ids remembered for the dedupe.
   * @default 10_000
   */
  remember?: number;
}

interface Write {
  buffers: Uint8Array[];
  sync: boolean;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** How long progress records may wait for a synced append to carry them. */
const LAZY_MS = 50;

// The callback API of node:fs: lighter than FileHandle on the path every transaction takes.
function openFd(path: string): Promise<number> {
  return new Promise((resolve, reject) => fs.open(path, 'a', (error, fd) => (error ? reject(error) : resolve(fd))));
}
function closeFd(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.close(fd, (error) => (error ? reject(error) : resolve())));
}
function datasync(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.fdatasync(fd, (error) => (error ? reject(error) : resolve())));
}
/** Writes every byte of `buffers` (a short write is continued). */
async function writeAll(fd: number, buffers: Uint8Array[], total: number): Promise<void> {
  let written = await new Promise<number>((resolve, reject) => fs.writev(fd, buffers, (error, n) => (error ? reject(error) : resolve(n))));
  if (written === total) return;
  const rest = Buffer.concat(buffers, total);
  while (written < total) {
    const n = await new Promise<number>((resolve, reject) => fs.write(fd, rest, written, total - written, null, (error, m) => (error ? reject(error) : resolve(m))));
    written += n;
  }
}

const JOURNAL = 'journal';
const TEMP = 'journal.tmp';
const LOCK = 'lock';

/** Whether a process of that id runs (one of another user counts: it answers EPERM). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code !== 'ESRCH';
  }
}

function record(type: string, meta: unknown): Uint8Array[] {
  return frame(Buffer.from(type + JSON.stringify(meta), 'utf8'));
}

/** An accepted transaction: its metadata line, then the body (the request's own bytes when it has them). */
function acceptRecord(r: AcceptRecord): Uint8Array[] {
  const head = Buffer.from(`A${JSON.stringify({ s: r.scope, t: r.txnId, h: r.hash, k: r.key, r: r.receivedAt, x: r.skipped })}\n`, 'utf8');
  return frame(head, typeof r.body === 'string' ? Buffer.from(r.body, 'utf8') : r.body);
}

/**
 * A durable {@link AppserviceStore} in a directory: an append-only journal (each record framed
 * with its length and a CRC-32), synced before a transaction is acknowledged. After a crash, a
 * torn last record is dropped; damage elsewhere stops `open()` with a clear error rather than
 * losing transactions. One process at a time per directory: `open()` takes a lock file holding
 * the process id (a lock of a process gone is taken over) and `close()` releases it.
 *
 * @example
 * ```ts
 * import { createAppservice, FileAppserviceStore } from 'matrix-fluent/node';
 * const store = new FileAppserviceStore('.appservice-state');
 * const appservice = createAppservice({ registration, homeserverUrl, serverName, store });
 * ```
 */
export class FileAppserviceStore implements AppserviceStore {
  readonly directory: string;
  readonly #compactBytes: number;
  readonly #remember: number;
  #state: StoreState;
  #fd: number | undefined;
  #lazy: Uint8Array[] = [];
  #lazyTimer: ReturnType<typeof setTimeout> | undefined;
  #size = 0;
  #nextCompact: number;
  #queue: Write[] = [];
  #writing: Promise<void> | undefined;
  #broken: Error | undefined;
  #opening: Promise<void> | undefined;
  #locked = false;
  readonly #durable = new Map<string, Promise<void>>();

  constructor(directory: string, options: FileAppserviceStoreOptions = {}) {
    this.directory = directory;
    this.#compactBytes = options.compactBytes ?? 64 * 1024 * 1024;
    this.#remember = options.remember ?? 10_000;
    this.#nextCompact = this.#compactBytes;
    this.#state = new StoreState(this.#remember);
  }

  open(): Promise<void> {
    if (this.#fd !== undefined) return Promise.resolve();
    this.#opening ??= this.#open().finally(() => (this.#opening = undefined));
    return this.#opening;
  }

  async #open(): Promise<void> {
    await mkdir(this.directory, { recursive: true });
    await this.#lock();
    try {
      await this.#load();
    } catch (error) {
      await this.#unlock();
      throw error;
    }
  }

  /** Takes the directory's lock file (holding this process's id); a lock of a process gone is taken over. */
  async #lock(): Promise<void> {
    const path = join(this.directory, LOCK);
    for (;;) {
      try {
        const fh = await open(path, 'wx');
        try {
          await fh.writeFile(`${process.pid}\n`);
        } finally {
          await fh.close();
        }
        this.#locked = true;
        return;
      } catch (error) {
        if ((error as { code?: string }).code !== 'EEXIST') throw error;
      }
      const pid = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
      if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
        throw new Error(`The application service store ${this.directory} is in use by process ${pid} (lock file ${path}): one process at a time per directory`);
      }
      await rm(path, { force: true });
    }
  }

  async #unlock(): Promise<void> {
    if (!this.#locked) return;
    this.#locked = false;
    await rm(join(this.directory, LOCK), { force: true });
  }

  async #load(): Promise<void> {
    // A temporary file is a compaction that did not finish: the journal is still whole.
    await rm(join(this.directory, TEMP), { force: true });
    const path = join(this.directory, JOURNAL);
    let buffer: Buffer;
    let created = false;
    try {
      buffer = await readFile(path);
    } catch (error) {
      if ((error as { code?: string }).code !== 'ENOENT') throw error;
      buffer = Buffer.alloc(0);
      created = true;
    }
    const { payloads, validBytes } = readRecords(buffer, path);
    const state = new StoreState(this.#remember);
    for (const payload of payloads) this.#replay(state, payload, path);
    const fh = await open(path, 'a');
    if (validBytes < buffer.length) {
      // A torn tail: an append a crash interrupted, never acknowledged. Cut it off.
      await fh.truncate(validBytes);
      await fh.datasync();
    }
    await fh.close();
    if (created) await syncDirectory(this.directory);
    this.#state = state;
    this.#fd = await openFd(path);
    this.#size = validBytes;
    this.#nextCompact = Math.max(this.#compactBytes, validBytes * 2);
    this.#broken = undefined;
  }

  #replay(state: StoreState, payload: Buffer, path: string): void {
    const text = payload.toString('utf8');
    const type = text[0];
    const newline = type === 'A' ? text.indexOf('\n') : -1;
    let meta: Record<string, unknown>;
    try {
      meta = JSON.parse(type === 'A' ? text.slice(1, newline) : text.slice(1)) as Record<string, unknown>;
    } catch {
      throw new Error(`The application service journal ${path} holds a record that is not readable: refusing to start`);
    }
    switch (type) {
      case 'A': {
        const body = text.slice(newline + 1);
        state.applyAccept({
          scope: meta['s'] as string,
          txnId: meta['t'] as string,
          hash: meta['h'] as string,
          key: meta['k'] as string,
          receivedAt: meta['r'] as number,
          skipped: meta['x'] as number[],
          body,
          eventIds: eventIdsOf(parseTransactionBody(body)),
        });
        break;
      }
      case 'D':
        state.applyDone(meta['k'] as string, meta['i'] as number[], meta['n'] as number);
        break;
      case 'C':
        state.applyComplete(meta['k'] as string);
        break;
      case 'L':
        state.applyDeadLetter(meta as unknown as DeadLetter);
        break;
      case 'R':
        state.applyRemoveDeadLetter(meta['id'] as string);
        break;
      case 'S':
        state.applySeen(meta['s'] as string, meta['h'] as string, meta['k'] as string);
        break;
      case 'E':
        state.applyEvents(meta['ids'] as string[]);
        break;
      default:
        throw new Error(`The application service journal ${path} holds a record of unknown type: refusing to start`);
    }
  }

  #ready(): void {
    if (this.#broken !== undefined) throw this.#broken;
    if (this.#fd === undefined) throw new Error('The application service store is not open');
  }

  /**
   * Queues an append. A `sync` one resolves once on disk; appends queued meanwhile share its
   * write and its sync (group commit). Others (progress) wait for the next synced append or a
   * short timer, so they cost no write of their own.
   */
  #append(buffers: Uint8Array[], sync: boolean): Promise<void> {
    if (!sync) {
      this.#lazy.push(...buffers);
      this.#lazyTimer ??= setTimeout(() => {
        this.#lazyTimer = undefined;
        // Written, not synced: progress never costs a sync of its own.
        if (this.#lazy.length > 0) void this.#enqueue([], false).catch(() => undefined);
      }, LAZY_MS);
      return Promise.resolve();
    }
    return this.#enqueue(buffers, true);
  }

  #enqueue(buffers: Uint8Array[], sync: boolean): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ buffers, sync, resolve, reject });
      this.#writing ??= this.#drain().finally(() => (this.#writing = undefined));
    });
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue;
      this.#queue = [];
      const fd = this.#fd;
      try {
        if (this.#broken !== undefined) throw this.#broken;
        if (fd === undefined) throw new Error('The application service store is closed');
        const buffers = this.#lazy.length > 0 ? [...this.#lazy, ...batch.flatMap((w) => w.buffers)] : batch.flatMap((w) => w.buffers);
        this.#lazy = [];
        let total = 0;
        for (const b of buffers) total += b.length;
        if (total > 0) await writeAll(fd, buffers, total);
        this.#size += total;
        if (batch.some((w) => w.sync)) await datasync(fd);
        for (const w of batch) w.resolve();
      } catch (error) {
        this.#broken ??= new Error(`The application service store failed to write its journal: ${(error as Error).message}`, { cause: error });
        for (const w of batch) w.reject(this.#broken);
        continue;
      }
      // Between batches, even under steady load (writes queued meanwhile wait for it).
      if (this.#size > this.#nextCompact) {
        try {
          await this.#compact();
        } catch {
          // The old journal is still whole and in use: try again later.
          this.#nextCompact = this.#size * 2;
        }
      }
    }
  }

  /** Writes the live state to a new journal, syncs it, renames it over the old one. */
  async #compact(): Promise<void> {
    const snapshot = this.#state.snapshot();
    const buffers: Uint8Array[] = [];
    for (const [scopeAndTxn, hash, key] of snapshot.seen) buffers.push(...record('S', { s: scopeAndTxn, h: hash, k: key }));
    for (let i = 0; i < snapshot.events.length; i += 1000) buffers.push(...record('E', { ids: snapshot.events.slice(i, i + 1000) }));
    for (const pending of snapshot.pending) buffers.push(...acceptRecord(pending));
    for (const letter of snapshot.dead) buffers.push(...record('L', letter));
    // The accepts above re-add their seen entries: write the seen index again so it wins.
    for (const [scopeAndTxn, hash, key] of snapshot.seen) buffers.push(...record('S', { s: scopeAndTxn, h: hash, k: key }));
    const temp = join(this.directory, TEMP);
    const fd = await new Promise<number>((resolve, reject) => fs.open(temp, 'w', (error, n) => (error ? reject(error) : resolve(n))));
    let size = 0;
    try {
      for (const b of buffers) size += b.length;
      await writeAll(fd, buffers, size);
      await datasync(fd);
    } finally {
      await closeFd(fd);
    }
    // Opened before the rename, so after it only the directory sync can fail.
    const next = await openFd(temp);
    try {
      await rename(temp, join(this.directory, JOURNAL));
    } catch (error) {
      await closeFd(next).catch(() => undefined);
      throw error;
    }
    const old = this.#fd;
    this.#fd = next;
    this.#size = size;
    this.#nextCompact = Math.max(this.#compactBytes, size * 2);
    if (old !== undefined) await closeFd(old).catch(() => undefined);
    try {
      await syncDirectory(this.directory);
    } catch (error) {
      // The rename may not survive a crash: nothing more is acknowledged from this store.
      this.#broken ??= new Error(`The application service store failed to sync its directory after compaction: ${(error as Error).message}`, { cause: error });
    }
  }

  accept(transaction: InboxTransaction): Promise<AcceptResult> {
    try {
      this.#ready();
    } catch (error) {
      return Promise.reject(error);
    }
    const decision = this.#state.decide(transaction);
    if (decision.record === undefined) {
      // A duplicate of a transaction still being synced is acknowledged only once it is on disk.
      const durable = this.#durable.get(decision.result.key);
      return durable === undefined ? Promise.resolve(decision.result) : durable.then(() => decision.result);
    }
    // Applied at once so a concurrent duplicate sees it; a failed write breaks the store for good.
    // The state keeps the request's bytes when given (off the JS heap), not the text.
    this.#state.applyAccept(decision.record);
    return this.#durably(decision.result, this.#append(acceptRecord(decision.record), true));
  }

  /** Resolves `result` once `written` is on disk (holding nothing else meanwhile). */
  async #durably(result: AcceptResult, written: Promise<void>): Promise<AcceptResult> {
    const key = result.key;
    this.#durable.set(key, written);
    try {
      await written;
    } finally {
      if (this.#durable.get(key) === written) this.#durable.delete(key);
    }
    return result;
  }

  async pending(): Promise<PendingTransaction[]> {
    this.#ready();
    return this.#state.pending();
  }

  async markDone(key: string, indexes: readonly number[], itemCount: number): Promise<void> {
    this.#ready();
    const wasPending = this.#state.isPending(key);
    this.#state.applyDone(key, indexes, itemCount);
    if (!wasPending) return;
    // Progress is not synced: losing it in a crash only means the items run again.
    await this.#append(
      this.#state.isPending(key) ? record('D', { k: key, i: indexes, n: itemCount }) : record('C', { k: key }),
      false,
    );
  }

  async deadLetter(letter: DeadLetter): Promise<void> {
    this.#ready();
    this.#state.applyDeadLetter(letter);
    await this.#append(record('L', letter), true);
  }

  async deadLetters(): Promise<DeadLetter[]> {
    this.#ready();
    return this.#state.deadLetters();
  }

  async removeDeadLetter(id: string): Promise<DeadLetter | undefined> {
    this.#ready();
    const letter = this.#state.applyRemoveDeadLetter(id);
    if (letter !== undefined) await this.#append(record('R', { id }), true);
    return letter;
  }

  async flush(): Promise<void> {
    if (this.#fd === undefined) return;
    await this.#append([], true);
  }

  async close(): Promise<void> {
    if (this.#fd === undefined) return;
    await this.flush().catch(() => undefined);
    while (this.#writing !== undefined) await this.#writing;
    clearTimeout(this.#lazyTimer);
    this.#lazyTimer = undefined;
    const fd = this.#fd;
    this.#fd = undefined;
    try {
      await closeFd(fd);
    } finally {
      await this.#unlock();
    }
  }
}
