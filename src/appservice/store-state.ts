/**
 * The state every embedded application service store keeps in memory: the
 * dedupe index (transaction ids and event ids, bounded), the pending
 * transactions with their progress, and the dead letters. The memory store is
 * this alone; the file store journals each change before applying it.
 */
import type { AcceptResult, DeadLetter, InboxTransaction, PendingTransaction } from './types.js';

/** A transaction id seen in a scope: the digest of its events and the key it was stored under. */
interface SeenTransaction {
  hash: string;
  key: string;
}

interface PendingEntry {
  scope: string;
  hash: string;
  key: string;
  txnId: string;
  /** The body as text, or as its UTF-8 bytes (kept off the JS heap; decoded when asked for). */
  body: string | Uint8Array;
  receivedAt: number;
  done: Set<number>;
}

/** A decided accept, to be journaled then applied. */
export interface AcceptDecision {
  result: AcceptResult;
  /** Absent for a duplicate (nothing to record). */
  record?: AcceptRecord;
}

/** What an accepted transaction adds to the state. */
export interface AcceptRecord {
  scope: string;
  txnId: string;
  hash: string;
  key: string;
  /** The body as text, or as its UTF-8 bytes when the receiver had them. */
  body: string | Uint8Array;
  receivedAt: number;
  eventIds: readonly string[];
  skipped: readonly number[];
}

const UTF8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** The shared in-memory state of an embedded store. */
export class StoreState {
  readonly #seen = new Map<string, SeenTransaction>();
  readonly #events = new Map<string, true>();
  readonly #pending = new Map<string, PendingEntry>();
  readonly #dead = new Map<string, DeadLetter>();
  readonly #remember: number;

  constructor(remember: number) {
    this.#remember = remember;
  }

  /** Decides what a transaction is, without changing anything. */
  decide(transaction: InboxTransaction): AcceptDecision {
    const seenKey = `${transaction.scope}\n${transaction.txnId}`;
    const seen = this.#seen.get(seenKey);
    if (seen !== undefined && seen.hash === transaction.contentHash) {
      return { result: { status: 'duplicate', key: seen.key, skipped: [] } };
    }
    const key = `${transaction.scope}/${transaction.txnId}/${transaction.contentHash}`;
    const skipped: number[] = [];
    const inThis = new Set<string>();
    transaction.eventIds.forEach((id, index) => {
      if (id === '') return;
      if (this.#events.has(id) || inThis.has(id)) skipped.push(index);
      inThis.add(id);
    });
    return {
      result: { status: seen === undefined ? 'new' : 'reset', key, skipped },
      record: {
        scope: transaction.scope,
        txnId: transaction.txnId,
        hash: transaction.contentHash,
        key,
        body: transaction.bodyBytes ?? transaction.body,
        receivedAt: transaction.receivedAt,
        eventIds: transaction.eventIds,
        skipped,
      },
    };
  }

  /** Applies an accepted transaction. */
  applyAccept(record: AcceptRecord): void {
    const seenKey = `${record.scope}\n${record.txnId}`;
    this.#seen.delete(seenKey);
    this.#seen.set(seenKey, { hash: record.hash, key: record.key });
    trim(this.#seen, this.#remember);
    for (const id of record.eventIds) {
      if (id === '') continue;
      this.#events.delete(id);
      this.#events.set(id, true);
    }
    trim(this.#events, this.#remember);
    const existing = this.#pending.get(record.key);
    if (existing !== undefined) {
      // The same record again (a compacted journal followed by its queued append): keep the progress.
      for (const index of record.skipped) existing.done.add(index);
      return;
    }
    this.#pending.set(record.key, {
      scope: record.scope,
      hash: record.hash,
      key: record.key,
      txnId: record.txnId,
      body: record.body,
      receivedAt: record.receivedAt,
      done: new Set(record.skipped),
    });
  }

  /** Applies progress; the transaction is complete (forgotten) when `itemCount` items are done. */
  applyDone(key: string, indexes: readonly number[], itemCount: number): void {
    const entry = this.#pending.get(key);
    if (entry === undefined) return;
    for (const index of indexes) entry.done.add(index);
    if (entry.done.size >= itemCount) this.#pending.delete(key);
  }

  /** Marks a transaction complete (compaction records). */
  applyComplete(key: string): void {
    this.#pending.delete(key);
  }

  applyDeadLetter(letter: DeadLetter): void {
    this.#dead.set(letter.id, letter);
    const entry = this.#pending.get(letter.key);
    entry?.done.add(letter.index);
  }

  applyRemoveDeadLetter(id: string): DeadLetter | undefined {
    const letter = this.#dead.get(id);
    this.#dead.delete(id);
    return letter;
  }

  /** Restores a seen transaction id (compaction records). */
  applySeen(scopeAndTxn: string, hash: string, key: string): void {
    this.#seen.set(scopeAndTxn, { hash, key });
  }

  /** Restores seen event ids (compaction records). */
  applyEvents(ids: readonly string[]): void {
    for (const id of ids) this.#events.set(id, true);
  }

  isPending(key: string): boolean {
    return this.#pending.has(key);
  }

  pending(): PendingTransaction[] {
    return [...this.#pending.values()].map((entry) => ({
      key: entry.key,
      txnId: entry.txnId,
      body: typeof entry.body === 'string' ? entry.body : UTF8.decode(entry.body),
      receivedAt: entry.receivedAt,
      done: [...entry.done],
    }));
  }

  deadLetters(): DeadLetter[] {
    return [...this.#dead.values()];
  }

  hasDeadLetter(id: string): boolean {
    return this.#dead.has(id);
  }

  /** How many entries each part holds: the dedupe index is bounded by `remember`, the rest by the work not yet done. */
  sizes(): { seen: number; events: number; pending: number; dead: number } {
    return { seen: this.#seen.size, events: this.#events.size, pending: this.#pending.size, dead: this.#dead.size };
  }

  /** Everything, for a compacted snapshot. */
  snapshot(): { seen: [string, string, string][]; events: string[]; pending: AcceptRecord[]; dead: DeadLetter[] } {
    return {
      seen: [...this.#seen].map(([k, v]) => [k, v.hash, v.key]),
      events: [...this.#events.keys()],
      pending: [...this.#pending.values()].map((e) => ({
        scope: e.scope,
        txnId: e.txnId,
        hash: e.hash,
        key: e.key,
        body: e.body,
        receivedAt: e.receivedAt,
        eventIds: [],
        skipped: [...e.done],
      })),
      dead: this.deadLetters(),
    };
  }
}

/** Drops the oldest entries of an insertion-ordered map beyond `limit`. */
function trim(map: Map<string, unknown>, limit: number): void {
  if (map.size <= limit) return;
  let excess = map.size - limit;
  for (const key of map.keys()) {
    if (excess-- <= 0) break;
    map.delete(key);
  }
}
