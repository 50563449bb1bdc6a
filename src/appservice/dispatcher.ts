/**
 * Runs the inbox: serial queues (per room, per target device, …) that advance
 * when an item's handlers have finished, under a global concurrency cap; a
 * failing handler is retried with backoff, then its item is dead-lettered.
 */
import { abortableSleep } from '../transport/delay.js';
import { backoffDelay } from '../transport/retry.js';
import type { TransportLogger } from '../transport/options.js';
import type { AnyHandler, HandlerFailures, HandlerRegistry } from '../sync/emitter.js';
import type { WorkItem } from './payload.js';
import type { EventShape, ValidationHook } from '../validation/types.js';
import type {
  AppserviceEventContext,
  AppserviceMetrics,
  AppserviceStore,
  AppserviceTransactionInfo,
  DeadLetter,
} from './types.js';

/** A transaction being processed: what its items need to know. */
export interface ActiveTransaction {
  readonly info: AppserviceTransactionInfo;
  /** Items in the whole transaction (done ones included): it is complete when that many are done. */
  readonly itemCount: number;
}

interface Queued {
  txn: ActiveTransaction;
  item: WorkItem;
}

interface Queue {
  items: Queued[];
  head: number;
  /** In the ready list or running. */
  scheduled: boolean;
}

/** What failed in an attempt: the handlers per call index, and the last error. */
interface Failed {
  failed: Map<number, Set<AnyHandler>>;
  lastError: unknown;
}

/** Items a pump runs to their end synchronously before it lets the event loop turn. */
const SYNC_BUDGET = 1_000;

/** A call of one registry name for an item. */
interface Call {
  name: string;
  a: unknown;
  b: unknown;
}

/** Settings of the dispatcher, resolved. */
export interface DispatcherOptions {
  registry: HandlerRegistry;
  store: AppserviceStore;
  concurrency: number;
  retryLimit: number;
  backoffBase: number;
  backoffLimit: number;
  sleep: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
  now: () => number;
  metrics: AppserviceMetrics;
  logger: TransportLogger;
  /** The opt-in event validation, checked before an item's first attempt. */
  validation: ValidationHook | undefined;
}

/** The shape each kind of work item is checked as (the others carry no event). */
const SHAPES: Partial<Record<WorkItem['kind'], EventShape>> = { event: 'event', ephemeral: 'basic', toDevice: 'basic' };

/** Registry key of a Matrix event type (kept apart from group and lifecycle names). */
export const EVENT_PREFIX = 'event:';

/** Calls a metrics hook; a hook that throws is ignored. */
export function callHook<A>(hook: ((arg: A) => void) | undefined, arg: A): void {
  if (hook === undefined) return;
  try {
    hook(arg);
  } catch {
    // Metrics never break the receiver.
  }
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

/** Registry keys of the event types seen, so that an event does not build its key again (bounded: types come from the homeserver). */
const eventKeys = new Map<string, string>();

/** The registry key of an event type. */
function eventKey(type: string): string {
  let key = eventKeys.get(type);
  if (key === undefined) {
    key = EVENT_PREFIX + type;
    if (eventKeys.size < 256) eventKeys.set(type, key);
  }
  return key;
}

/** The call of an event type's handlers, with the context they are given. */
function typedCall(name: string, payload: unknown, source: AppserviceEventContext['source'], roomId: string | undefined, info: AppserviceTransactionInfo, attempt: number): Call {
  const context: AppserviceEventContext = { source, roomId, transaction: info, attempt };
  return { name, a: payload, b: context };
}

/** The registry calls of an item: its event type's handlers, then its groups. */
export function callsOf(item: WorkItem, info: AppserviceTransactionInfo, attempt: number, has: (name: string) => boolean = () => true): Call[] {
  const payload = item.payload;
  const type = field(payload, 'type');
  const roomId = field(payload, 'room_id');
  const room = typeof roomId === 'string' ? roomId : undefined;
  const calls: Call[] = [];
  const typedName = typeof type === 'string' ? eventKey(type) : undefined;
  const typed = typedName !== undefined && has(typedName);
  switch (item.kind) {
    case 'event':
      if (typed) calls.push(typedCall(typedName, payload, 'timeline', room, info, attempt));
      if (has('timeline')) calls.push({ name: 'timeline', a: { roomId: room ?? '', events: [payload] }, b: info });
      if (has('state') && typeof field(payload, 'state_key') === 'string') calls.push({ name: 'state', a: { roomId: room ?? '', events: [payload] }, b: info });
      break;
    case 'ephemeral': {
      if (typed) calls.push(typedCall(typedName, payload, 'ephemeral', room, info, attempt));
      const content = field(payload, 'content');
      if (type === 'm.typing' && room !== undefined && has('typing')) {
        const ids = field(content, 'user_ids');
        calls.push({ name: 'typing', a: { roomId: room, userIds: Array.isArray(ids) ? ids : [] }, b: info });
      } else if (type === 'm.receipt' && room !== undefined && has('receipt')) {
        calls.push({ name: 'receipt', a: { roomId: room, content: content ?? {} }, b: info });
      } else if (type === 'm.presence' && has('presence')) {
        calls.push({ name: 'presence', a: { events: [payload] }, b: info });
      }
      if (has('ephemeral')) calls.push({ name: 'ephemeral', a: { roomId: room, event: payload }, b: info });
      break;
    }
    case 'toDevice':
      if (typed) calls.push(typedCall(typedName, payload, 'to_device', room, info, attempt));
      if (has('toDevice')) calls.push({ name: 'toDevice', a: { events: [payload] }, b: info });
      break;
    default:
      if (has(item.kind)) calls.push({ name: item.kind, a: payload, b: info });
  }
  return calls;
}

function describeError(error: unknown): { name: string; message: string } {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

/** The queues, the cap, the retries and the dead letters. */
export class Dispatcher {
  readonly #o: DispatcherOptions;
  readonly #queues = new Map<string, Queue>();
  #ready: string[] = [];
  #readyHead = 0;
  #running = 0;
  #depth = 0;
  #halted = false;
  /** Bumped by `reset()`: a handler still running from before a restart touches nothing when it ends. */
  #generation = 0;
  #abort = new AbortController();
  readonly #depthWaiters = new Set<() => void>();
  /** Items whose handlers were started and have not returned, halted runs included (`reset()` keeps it). */
  #active = 0;
  readonly #settleWaiters = new Set<() => void>();
  #doneBuffer = new Map<string, { indexes: number[]; itemCount: number }>();
  #doneFlush: Promise<void> | undefined;

  readonly #has: (name: string) => boolean;
  /** Inside {@link Dispatcher.#pump}: an item settled meanwhile leaves the next to its loop. */
  #pumping = false;
  #pumpTimer: ReturnType<typeof setTimeout> | undefined;
  /**
   * `invalid` handler runs not yet returned: they hold no queue, but take a place under
   * the concurrency cap and `idle()` waits for them (`reset()` keeps the count).
   */
  #invalidRunning = 0;

  constructor(options: DispatcherOptions) {
    this.#o = options;
    this.#has = (name) => options.registry.has(name);
  }

  /** Work items accepted and not yet finished. */
  get depth(): number {
    return this.#depth;
  }

  /** Queues items of a transaction (those not done yet). */
  enqueue(txn: ActiveTransaction, items: readonly WorkItem[], done: ReadonlySet<number>): void {
    let added = 0;
    for (const item of items) {
      if (done.has(item.index)) continue;
      let queue = this.#queues.get(item.queue);
      if (queue === undefined) {
        queue = { items: [], head: 0, scheduled: false };
        this.#queues.set(item.queue, queue);
      }
      queue.items.push({ txn, item });
      added++;
      if (!queue.scheduled) {
        queue.scheduled = true;
        this.#ready.push(item.queue);
      }
    }
    if (added === 0) return;
    this.#depth += added;
    callHook(this.#o.metrics.inboxDepth, this.#depth);
    this.#pump();
  }

  /** Resolves at the first change of depth (or at once when halted). */
  #depthChanged(): Promise<void> {
    return new Promise((resolve) => this.#depthWaiters.add(resolve));
  }

  #notifyDepth(): void {
    if (this.#depthWaiters.size === 0) return;
    const waiters = [...this.#depthWaiters];
    this.#depthWaiters.clear();
    for (const wake of waiters) wake();
  }

  /**
   * Waits until `count` more items fit under `limit` (an empty inbox takes anything), up to
   * `budgetMs`. Resolves whether they fit.
   */
  async waitForRoom(count: number, limit: number, budgetMs: number, isAccepting: () => boolean): Promise<boolean> {
    const fits = (): boolean => this.#depth === 0 || this.#depth + count <= limit;
    if (fits()) return true;
    return this.#waitUntil(fits, budgetMs, isAccepting);
  }

  /**
   * Resolves when the inbox is empty and no `invalid` handler runs, or after `ms` (then `false`),
   * timed by the package's one abortable wait (the appservice's `sleep`), ended as soon as it is idle.
   */
  async idle(ms: number): Promise<boolean> {
    const busy = (): boolean => this.#depth > 0 || this.#running > 0 || this.#invalidRunning > 0;
    if (!busy()) return true;
    return this.#waitUntil(() => !busy(), ms, () => true);
  }

  /**
   * Waits until `done()` holds (then `true`), re-checked whenever the inbox changes, or until
   * `ms` pass or `going()` turns false (then `false`). Timed by the package's one abortable wait
   * (the appservice's `sleep`), which is ended as soon as the wait is over: no timer is left behind.
   */
  async #waitUntil(done: () => boolean, ms: number, going: () => boolean): Promise<boolean> {
    const ended = new AbortController();
    let expired = false;
    const timeUp = abortableSleep(this.#o.sleep, ms, ended.signal).then(
      () => void (expired = true),
      () => undefined,
    );
    try {
      while (!done()) {
        if (expired || !going()) return false;
        await Promise.race([this.#depthChanged(), timeUp]);
      }
      return true;
    } finally {
      ended.abort();
    }
  }

  /** Stops taking items from the queues and ends the retry waits; what is left stays in the store. */
  halt(): void {
    this.#halted = true;
    this.#abort.abort(new DOMException('The application service stopped', 'AbortError'));
    this.#notifyDepth();
  }

  /** Items whose handlers are still running, those of a halted run included. */
  get active(): number {
    return this.#active;
  }

  /** `invalid` handler runs not yet returned, those of a halted run included. */
  get invalidRunning(): number {
    return this.#invalidRunning;
  }

  /** Resolves once every item started so far (before a halt too) has returned from its handlers. */
  async settled(): Promise<void> {
    while (this.#active > 0) await new Promise<void>((resolve) => this.#settleWaiters.add(resolve));
  }

  /** Forgets the queues (after a halt) so a new start can load the store again. */
  reset(): void {
    this.#queues.clear();
    this.#ready = [];
    this.#readyHead = 0;
    this.#depth = 0;
    this.#halted = false;
    this.#running = 0;
    this.#generation++;
    this.#abort = new AbortController();
  }

  /** Writes the buffered progress to the store. */
  async flushProgress(): Promise<void> {
    while (this.#doneFlush !== undefined) await this.#doneFlush;
    if (this.#doneBuffer.size === 0) return;
    const buffer = this.#doneBuffer;
    this.#doneBuffer = new Map();
    this.#doneFlush = (async () => {
      for (const [key, { indexes, itemCount }] of buffer) {
        try {
          await this.#o.store.markDone(key, indexes, itemCount);
        } catch (error) {
          // Lost progress only means the items run again after a restart.
          this.#o.logger.error('The application service store could not record progress', { error: describeError(error).message });
        }
      }
    })();
    await this.#doneFlush;
    this.#doneFlush = undefined;
  }

  #recordDone(txn: ActiveTransaction, index: number): void {
    const key = txn.info.key;
    const entry = this.#doneBuffer.get(key);
    if (entry === undefined) this.#doneBuffer.set(key, { indexes: [index], itemCount: txn.itemCount });
    else entry.indexes.push(index);
    if (this.#doneBuffer.size === 1 && entry === undefined) {
      // One write per burst of finished items.
      setTimeout(() => void this.flushProgress(), 0);
    }
  }

  #pump(): void {
    if (this.#pumping) return;
    this.#pumping = true;
    let finishedHere = 0;
    try {
      while (!this.#halted && this.#running + this.#invalidRunning < this.#o.concurrency && this.#readyHead < this.#ready.length) {
        if (finishedHere >= SYNC_BUDGET) {
          // Synchronous handlers have had their turn: let the event loop answer requests first.
          this.#pumpLater();
          break;
        }
        const name = this.#ready[this.#readyHead++]!;
        if (this.#readyHead > 1024 && this.#readyHead * 2 > this.#ready.length) {
          this.#ready = this.#ready.slice(this.#readyHead);
          this.#readyHead = 0;
        }
        const queue = this.#queues.get(name);
        if (queue === undefined) continue;
        this.#running++;
        this.#active++;
        if (this.#runHead(name, queue)) finishedHere++;
      }
    } finally {
      this.#pumping = false;
    }
  }

  #pumpLater(): void {
    if (this.#pumpTimer !== undefined) return;
    this.#pumpTimer = setTimeout(() => {
      this.#pumpTimer = undefined;
      this.#pump();
    }, 0);
  }

  /**
   * Runs the head item of a queue. When its handlers all finish synchronously the item is
   * settled at once, with no promise made, and this answers `true`.
   */
  #runHead(name: string, queue: Queue): boolean {
    const { txn, item } = queue.items[queue.head]!;
    const generation = this.#generation;
    let outcome: true | Promise<boolean>;
    try {
      outcome = this.#process(txn, item);
    } catch (error) {
      outcome = Promise.reject(error);
    }
    if (outcome === true) {
      this.#settle(name, queue, txn, item, generation, true, true);
      return true;
    }
    outcome.then(
      (finished) => this.#settle(name, queue, txn, item, generation, finished, true),
      (error: unknown) => {
        // The store failed to keep a dead letter: the item is not recorded as done, so it runs
        // again after a restart; the queue goes on rather than stall.
        this.#o.logger.error('The application service could not finish an item', { queue: name, error: describeError(error).message });
        this.#settle(name, queue, txn, item, generation, true, false);
      },
    );
    return false;
  }

  #settle(name: string, queue: Queue, txn: ActiveTransaction, item: WorkItem, generation: number, finished: boolean, recorded: boolean): void {
    this.#active--;
    if (this.#active === 0 && this.#settleWaiters.size > 0) {
      const waiters = [...this.#settleWaiters];
      this.#settleWaiters.clear();
      for (const wake of waiters) wake();
    }
    if (generation !== this.#generation) return;
    this.#running--;
    if (!finished || this.#halted) {
      // Halted: the item stays in the store and runs after the next start.
      this.#notifyDepth();
      return;
    }
    queue.items[queue.head] = undefined as unknown as Queued;
    queue.head++;
    this.#depth--;
    if (recorded) this.#recordDone(txn, item.index);
    const { queueLag, inboxDepth } = this.#o.metrics;
    if (queueLag !== undefined) callHook(queueLag, { queue: name, lagMs: this.#o.now() - txn.info.receivedAt });
    callHook(inboxDepth, this.#depth);
    if (queue.head < queue.items.length) {
      if (queue.head > 256) {
        queue.items = queue.items.slice(queue.head);
        queue.head = 0;
      }
      this.#ready.push(name);
    } else {
      this.#queues.delete(name);
    }
    this.#notifyDepth();
    this.#pump();
  }

  /**
   * Runs an item's handlers with retries; dead-letters it when they keep failing. `true` at once
   * when the first attempt's handlers all succeeded synchronously; else a promise of whether the
   * item was finished (`false` when halted mid-way).
   */
  #process(txn: ActiveTransaction, item: WorkItem): true | Promise<boolean> {
    if (this.#o.validation !== undefined && this.#screen(txn, item)) return true;
    const first = this.#runCalls(callsOf(item, txn.info, 0, this.#has), undefined, item.queue, 0);
    return first === undefined ? true : this.#retry(txn, item, first);
  }

  /**
   * Checks an item's event; `true` when it is dropped: then it is done (recorded like a
   * handled item, so neither the transaction nor the queue waits for it, and it never
   * runs again). A failing event is counted and published as `invalid` either way.
   */
  #screen(txn: ActiveTransaction, item: WorkItem): boolean {
    const shape = SHAPES[item.kind];
    const hook = this.#o.validation;
    if (shape === undefined || hook === undefined) return false;
    const verdict = hook.validate.checkIncoming(item.payload, shape, `an application service transaction (${item.kind})`, hook.warn);
    if (verdict === undefined) return false;
    callHook(this.#o.metrics.invalidEvent, { queue: item.queue, kind: item.kind, type: verdict.type, action: verdict.action, issues: verdict.issues.length });
    // The registry reports a failing handler through `error` and never rejects. An `invalid`
    // handler never holds its queue (nor the transaction's answer, sent before this check):
    // it is tracked apart, under the concurrency cap, and `stop()` waits for it.
    const running = this.#o.registry.emit('invalid', { action: verdict.action, type: verdict.type, issues: verdict.issues, kind: item.kind, queue: item.queue, event: item.payload }, txn.info);
    if (running !== undefined) this.#trackInvalid(running);
    return verdict.action === 'dropped';
  }

  /** Counts an `invalid` handler run until it returns, then lets waiting work go on. */
  #trackInvalid(running: Promise<void>): void {
    this.#invalidRunning++;
    const done = (): void => {
      this.#invalidRunning--;
      this.#notifyDepth();
      this.#pump();
    };
    running.then(done, done);
  }

  /** The rest of {@link Dispatcher.#process} once the first attempt did not succeed synchronously. */
  async #retry(txn: ActiveTransaction, item: WorkItem, first: Failed | Promise<Failed | undefined>): Promise<boolean> {
    let next = await first;
    if (next === undefined) return true;
    if (this.#halted) return false;
    const limit = this.#o.retryLimit;
    for (let attempt = 1; attempt <= limit; attempt++) {
      const delay = backoffDelay(attempt, { backoffBase: this.#o.backoffBase, backoffLimit: this.#o.backoffLimit, jitter: 'none' });
      try {
        await abortableSleep(this.#o.sleep, delay, this.#abort.signal);
      } catch {
        return false;
      }
      const failed: Failed = next;
      next = await this.#runCalls(callsOf(item, txn.info, attempt, this.#has), failed.failed, item.queue, attempt);
      if (next === undefined) return true;
      if (this.#halted) return false;
    }
    await this.#deadLetter(txn, item, next.lastError, limit + 1);
    return true;
  }

  /**
   * Runs the calls (only the failed handlers, on a retry); answers what failed, `undefined` when
   * nothing did: synchronously while every handler is synchronous and succeeds, else a promise.
   */
  #runCalls(calls: Call[], only: Map<number, Set<AnyHandler>> | undefined, queue: string, attempt: number): undefined | Promise<Failed | undefined> {
    for (let i = 0; i < calls.length; i++) {
      const call = calls[i]!;
      const subset = only?.get(i);
      if (only !== undefined && subset === undefined) continue;
      const failures = this.#o.registry.runCollecting(call.name, call.a, call.b, subset);
      if (failures instanceof Promise || failures.length > 0) return this.#runCallsFrom(calls, only, queue, attempt, i, failures);
    }
    return undefined;
  }

  async #runCallsFrom(
    calls: Call[],
    only: Map<number, Set<AnyHandler>> | undefined,
    queue: string,
    attempt: number,
    start: number,
    firstFailures: HandlerFailures | Promise<HandlerFailures>,
  ): Promise<Failed | undefined> {
    let failed: Map<number, Set<AnyHandler>> | undefined;
    let lastError: unknown;
    for (let i = start; i < calls.length; i++) {
      const call = calls[i]!;
      const subset = only?.get(i);
      if (only !== undefined && subset === undefined) continue;
      const failures = await (i === start ? firstFailures : this.#o.registry.runCollecting(call.name, call.a, call.b, subset));
      if (failures.length === 0) continue;
      const set = new Set<AnyHandler>();
      for (const failure of failures) {
        set.add(failure.handler);
        lastError = failure.error;
        const event = call.name.startsWith(EVENT_PREFIX) ? call.name.slice(EVENT_PREFIX.length) : call.name;
        callHook(this.#o.metrics.handlerFailure, { queue, name: event, attempt });
        await this.#o.registry.reportUnhandled({ error: failure.error, event, payload: call.a });
      }
      (failed ??= new Map()).set(i, set);
    }
    return failed === undefined ? undefined : { failed, lastError };
  }

  async #deadLetter(txn: ActiveTransaction, item: WorkItem, error: unknown, attempts: number): Promise<void> {
    const letter: DeadLetter = {
      id: `${txn.info.key}#${item.index}`,
      txnId: txn.info.txnId,
      key: txn.info.key,
      index: item.index,
      kind: item.kind,
      queue: item.queue,
      payload: item.payload,
      error: describeError(error),
      attempts,
      at: this.#o.now(),
    };
    await this.#o.store.deadLetter(letter);
    this.#o.logger.warn('An application service item was dead-lettered after its handlers kept failing', {
      id: letter.id,
      queue: letter.queue,
      error: letter.error.message,
    });
    callHook(this.#o.metrics.deadLetter, { queue: item.queue, kind: item.kind });
    await this.#o.registry.emit('deadLetter', letter);
  }

  /** Runs a dead letter's handlers once more; `true` when they all succeeded. */
  async replay(letter: DeadLetter): Promise<boolean> {
    const item: WorkItem = { index: letter.index, kind: letter.kind, queue: letter.queue, payload: letter.payload };
    const info: AppserviceTransactionInfo = { txnId: letter.txnId, key: letter.key, receivedAt: letter.at };
    const result = await this.#runCalls(callsOf(item, info, letter.attempts, this.#has), undefined, letter.queue, letter.attempts);
    return result === undefined;
  }
}
