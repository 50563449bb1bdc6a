/**
 * The file application service store: an append-only journal (node:fs).
 */
import type { AcceptResult, AppserviceStore, DeadLetter, InboxTransaction, PendingTransaction } from './types.js';

/** Options of {@link FileAppserviceStore}. */
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

/**
 * A durable {@link AppserviceStore} in a directory.
 *
 * @example
 * ```ts
 * const store = new FileAppserviceStore('.appservice-state');
 * const appservice = createAppservice({ registration, homeserverUrl, serverName, store });
 * ```
 */
export class FileAppserviceStore implements AppserviceStore {
  constructor(readonly directory: string, options: FileAppserviceStoreOptions = {}) {
    void options;
  }
  async open(): Promise<void> {}
  async accept(transaction: InboxTransaction): Promise<AcceptResult> {
    void transaction;
    throw new Error('not implemented yet');
  }
  async pending(): Promise<PendingTransaction[]> {
    return [];
  }
  async markDone(): Promise<void> {}
  async deadLetter(letter: DeadLetter): Promise<void> {
    void letter;
  }
  async deadLetters(): Promise<DeadLetter[]> {
    return [];
  }
  async removeDeadLetter(): Promise<DeadLetter | undefined> {
    return undefined;
  }
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}
