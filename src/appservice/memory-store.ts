/**
 * The in-memory application service store: not durable.
 */
import type { AcceptResult, AppserviceStore, DeadLetter, InboxTransaction, PendingTransaction } from './types.js';

/**
 * An {@link AppserviceStore} in memory. **Not durable**: a crash loses the inbox and the dedupe
 * index. For tests; use `FileAppserviceStore` from `matrix-fluent/node` in production.
 *
 * @example
 * ```ts
 * const appservice = createAppservice({ registration, homeserverUrl, serverName, store: new MemoryAppserviceStore() });
 * ```
 */
export class MemoryAppserviceStore implements AppserviceStore {
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
