/**
 * The in-memory application service store: not durable.
 */
import { StoreState } from './store-state.js';
import type { AcceptResult, AppserviceStore, DeadLetter, InboxTransaction, PendingTransaction } from './types.js';

/**
 * An {@link AppserviceStore} in memory. **Not durable**: a crash loses the inbox and the dedupe
 * index, so the homeserver's pushes acknowledged but unprocessed are lost. For tests; use
 * `FileAppserviceStore` from `matrix-fluent/node` in production.
 *
 * @example
 * ```ts
 * const appservice = createAppservice({ registration, homeserverUrl, serverName, store: new MemoryAppserviceStore() });
 * ```
 */
export class MemoryAppserviceStore implements AppserviceStore {
  readonly #state: StoreState;

  /** @param options.remember transaction ids and event ids kept for the dedupe (default 10,000). */
  constructor(options: { remember?: number } = {}) {
    this.#state = new StoreState(options.remember ?? 10_000);
  }

  async open(): Promise<void> {}

  async accept(transaction: InboxTransaction): Promise<AcceptResult> {
    const decision = this.#state.decide(transaction);
    if (decision.record !== undefined) this.#state.applyAccept(decision.record);
    return decision.result;
  }

  async pending(): Promise<PendingTransaction[]> {
    return this.#state.pending();
  }

  async markDone(key: string, indexes: readonly number[], itemCount: number): Promise<void> {
    this.#state.applyDone(key, indexes, itemCount);
  }

  async deadLetter(letter: DeadLetter): Promise<void> {
    this.#state.applyDeadLetter(letter);
  }

  async deadLetters(): Promise<DeadLetter[]> {
    return this.#state.deadLetters();
  }

  async removeDeadLetter(id: string): Promise<DeadLetter | undefined> {
    return this.#state.applyRemoveDeadLetter(id);
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {}
}
