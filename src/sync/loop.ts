/**
 * The sync loop: long-polls `GET /sync`, delivers each batch to the handlers,
 * and commits `next_batch` (with the room state) once they have all finished.
 */
import { InvalidResponseError } from '../errors/invalid-response-error.js';
import { isMatrixError } from '../errors/matrix-error.js';
import { SyncStalledError } from '../errors/sync-stalled-error.js';
import { seamsOf, type SyncSeams } from '../internal/test-seams.js';
import type { RequestOptions } from '../transport/types.js';
import type { RoomEvent, StateEvent, BasicEvent, StrippedStateEvent } from '../events/types.js';
import { delay } from '../transport/delay.js';
import { backoffDelay } from '../transport/retry.js';
import { createScrubber } from '../transport/scrub.js';
import { HandlerRegistry } from './emitter.js';
import { MemoryStore, type SyncStore } from './store.js';
import { RoomStateTracker } from './state.js';
import { corruptedEntry, isSyncStoreError } from './store-error.js';
import type { EventShape, ValidationHook } from '../validation/types.js';
import type {
  EventContext,
  SyncLifecycleHandlers,
  EventSource,
  HandlerErrorInfo,
  HandlerResult,
  JoinedRoom,
  LeftRoom,
  SyncBatch,
  SyncClock,
  SyncFilter,
  SyncHandlers,
  SyncOptions,
  SyncResponse,
} from './types.js';

/**
 * What the loop needs of the client: `client.api.sync.get` (and a filter upload).
 *
 * @example
 * ```ts
 * const api: SyncApi = { get: (query, options) => client.api.sync.get(query, options) };
 * const loop = new SyncLoop(api, { timeout: 30_000 });
 * ```
 */
export interface SyncApi {
  /** `GET /sync`. */
  get(
    query: { since?: string; timeout?: number; filter?: string; full_state?: boolean; set_presence?: 'offline' | 'online' | 'unavailable' },
    options: RequestOptions,
  ): Promise<SyncResponse>;
  /** Uploads a filter and returns its id (`POST /user/{userId}/filter`). */
  uploadFilter?(filter: SyncFilter, options: RequestOptions): Promise<string>;
  /**
   * The client's scrubbing rule, for the excerpt of an answer the loop refuses;
   * without it, secret-named fields and `Bearer` credentials are still scrubbed.
   */
  scrub?(text: string): string;
}

/**
 * The loop's state.
 *
 * @example
 * ```ts
 * const state: SyncState = client.sync.status; // 'stopped' until start()
 * ```
 */
export type SyncState = 'stopped' | 'running' | 'stopping';

const DEFAULT_CLOCK: SyncClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** The package's one abortable delay, on the loop's clock. */
function sleepWith(clock: SyncClock) {
  return (ms: number, signal: AbortSignal): Promise<void> => delay(ms, signal, clock);
}

function defaultUnhandled(info: HandlerErrorInfo): void {
  console.error(`[matrix-fluent] sync handler of ${JSON.stringify(info.event)} failed:`, info.error);
}

/** Bounds an excerpt (and scrubs what has no configured token to know). */
const BOUND = createScrubber([]);
const EXCERPT_CHARS = 1024;

/**
 * The error for a `/sync` answer without a string `next_batch`: a malformed
 * answer from the server, whose excerpt is scrubbed, then bounded. (The transport
 * hands over only 2xx bodies, and `/sync` answers 200.)
 */
function withoutNextBatch(response: unknown, scrub: ((text: string) => string) | undefined): InvalidResponseError {
  const text = JSON.stringify(response) ?? String(response);
  const excerpt = BOUND(scrub === undefined ? text : scrub(text), { maxChars: EXCERPT_CHARS });
  const problem = 'an object without a string next_batch, where the /sync answer needs one';
  return new InvalidResponseError(200, excerpt, 'GET', '/_matrix/client/v3/sync', { problem });
}

/** Whether an error means the access token is no longer valid. */
function isTokenError(error: unknown): boolean {
  return isMatrixError(error) && (error.errcode === 'M_UNKNOWN_TOKEN' || error.errcode === 'M_MISSING_TOKEN');
}

const FIELD_EVENTS = 'events';
const NO_EVENTS: readonly never[] = [];

function eventsOf(section: unknown): readonly unknown[] {
  if (typeof section !== 'object' || section === null) return NO_EVENTS;
  const events = (section as Record<string, unknown>)[FIELD_EVENTS];
  return Array.isArray(events) ? events : NO_EVENTS;
}

/** The rooms of a section: entries whose value is an object (a server's `null` or `5` is skipped, not a crash). */
function entriesOf<T>(map: Record<string, T> | undefined): [string, T][] {
  if (typeof map !== 'object' || map === null || Array.isArray(map)) return [];
  return Object.entries(map).filter((entry) => typeof entry[1] === 'object' && entry[1] !== null);
}

function typeOf(event: unknown): string | undefined {
  if (typeof event !== 'object' || event === null) return undefined;
  const type = (event as { type?: unknown }).type;
  return typeof type === 'string' ? type : undefined;
}

/** Settles a batch handed to a consumer: `true` once it asked for the next one, `false` when it left holding it. */
type Ack = (processed: boolean) => void;

interface Puller {
  /** Hands a batch to the iterator; `ack` settles it. */
  push(batch: SyncBatch, ack: Ack): void;
  /** Ends the iteration. */
  end(): void;
}

/**
 * A sync loop over one client.
 *
 * **Delivery guarantee (at least once).** Every batch is handed to every
 * handler in order: handlers run one after another and async handlers are
 * awaited. Only when every handler of a batch has finished (and every
 * `batches()` consumer has asked for the next batch) is the batch's
 * `next_batch` committed to the store, together with the room state the batch
 * produced, in one atomic write. The next request uses the committed token. If
 * the process dies before the commit, the next run starts from the previous
 * token and the server sends the same events again: nothing is lost, but a
 * handler may see an event twice after a crash, so make handlers idempotent
 * (e.g. by `event_id`). A handler that throws is reported through `error` and
 * counts as finished: failures do not block the loop.
 *
 * @example
 * ```ts
 * const loop: SyncLoop = client.sync;
 * loop.on('m.room.message', (event, { roomId }) => console.log(roomId, event.content.body));
 * await loop.start();
 * ```
 */
export class SyncLoop {
  readonly #api: SyncApi;
  readonly #store: SyncStore;
  readonly #prefix: string;
  readonly #options: SyncOptions;
  readonly #clock: SyncClock;
  readonly #sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly #random: () => number;
  readonly #registry: HandlerRegistry;
  readonly #pullers = new Set<Puller>();
  /** The current room state of every joined room. */
  readonly state: RoomStateTracker = new RoomStateTracker();

  #state: SyncState = 'stopped';
  #run: Promise<void> | undefined;
  #stopController: AbortController | undefined;
  #poll: AbortController | undefined;
  #ready: { promise: Promise<void>; resolve: () => void; reject: (e: unknown) => void } | undefined;
  #nextBatch: string | undefined;
  readonly #validation: ValidationHook | undefined;

  /**
   * A loop over `api`. `validation` (what `createClient({ validate })` hands
   * it) checks each event before its handlers: an event that fails is published
   * as `invalid`, and under `drop` no other handler gets it (it still counts as
   * handled: the position is committed as usual, so it never comes again).
   */
  constructor(api: SyncApi, options: SyncOptions = {}, validation?: ValidationHook) {
    this.#api = api;
    this.#validation = validation;
    this.#options = options;
    this.#store = options.store ?? new MemoryStore();
    this.#prefix = options.storePrefix ?? 'sync';
    const seams = seamsOf<SyncSeams>(options);
    this.#clock = seams.clock ?? DEFAULT_CLOCK;
    this.#sleep = seams.sleep ?? sleepWith(this.#clock);
    this.#random = seams.random ?? Math.random;
    this.#registry = new HandlerRegistry(options.onUnhandledError ?? defaultUnhandled);
  }

  /** `stopped`, `running` or `stopping`. */
  get status(): SyncState {
    return this.#state;
  }

  /** The store the position and room state are kept in. */
  get store(): SyncStore {
    return this.#store;
  }

  /** The last committed position (`next_batch`), once known. */
  get position(): string | undefined {
    return this.#nextBatch;
  }

  /**
   * Registers a handler.
   *
   * - A Matrix event type (`'m.room.message'`, `'m.room.member'`, …, or any custom type): the
   *   handler gets each such event, its `content` typed from the spec, and its context
   *   (`source`, `roomId`, `membership`, `batch`), from every section of the response:
   *   room state and timeline, ephemeral, account data, to-device and presence.
   * - A group event: `join`, `invite`, `leave`, `timeline`, `state`, `accountData`,
   *   `toDevice`, `presence`, `typing`, `receipt`, `sync` (the whole batch).
   * - A lifecycle event: `ready`, `failed`, `resumed`, `fatal`, `error`, `stopped`.
   *
   * Order within a batch: global account data, presence, to-device; invited rooms;
   * then each joined room (`join` if new, its `state`, each timeline event, then
   * `timeline`, ephemeral, room account data); then each left room (`state`, timeline
   * events, `timeline`, account data, `leave`); then `sync`. A handler that throws is
   * reported through `error` and the others still run.
   *
   * @example
   * ```ts
   * client.on('m.room.message', async (event, { roomId }) => {
   *   if (event.content.msgtype === 'm.text') console.log(roomId, event.sender, event.content.body);
   * });
   * ```
   */
  on<K extends keyof SyncHandlers>(name: K, handler: SyncHandlers[K]): this;
  on(type: string, handler: (event: RoomEvent | BasicEvent, context: EventContext) => HandlerResult): this;
  on(name: string, handler: (...args: never[]) => HandlerResult): this {
    this.#registry.on(registryKey(name), handler as (...args: unknown[]) => unknown);
    return this;
  }

  /** Registers a handler that runs once, for the next matching event. */
  once<K extends keyof SyncHandlers>(name: K, handler: SyncHandlers[K]): this;
  once(type: string, handler: (event: RoomEvent | BasicEvent, context: EventContext) => HandlerResult): this;
  once(name: string, handler: (...args: never[]) => HandlerResult): this {
    this.#registry.once(registryKey(name), handler as (...args: unknown[]) => unknown);
    return this;
  }

  /** Removes a handler given to `on` or `once` (or every handler of `name` when none is given). */
  off<K extends keyof SyncHandlers>(name: K, handler?: SyncHandlers[K]): this;
  off(type: string, handler?: (event: RoomEvent | BasicEvent, context: EventContext) => HandlerResult): this;
  off(name: string, handler?: (...args: never[]) => HandlerResult): this {
    this.#registry.off(registryKey(name), handler as ((...args: unknown[]) => unknown) | undefined);
    return this;
  }

  /**
   * Starts the loop (idempotent: while it runs, returns the same promise). The loop
   * resumes from the position in the store, if any.
   *
   * @returns a promise that resolves once the first batch of this run has been
   * delivered and committed (the `ready` moment) or the loop was stopped before,
   * and rejects with the error if the loop stops fatally first (invalid token, or a
   * `SyncStoreError`: a corrupted or unreadable store).
   */
  start(): Promise<void> {
    if (this.#state === 'running' && this.#ready) return this.#ready.promise;
    if (this.#state === 'stopping') {
      const previous = this.#run ?? Promise.resolve();
      const next = previous.then(() => this.start());
      // Nobody has to await start(): a fatal error is published as `fatal` too.
      next.catch(() => {});
      return next;
    }
    let resolve!: () => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // Nobody has to await start(): a fatal error is published as `fatal` too.
    promise.catch(() => {});
    this.#ready = { promise, resolve, reject };
    this.#state = 'running';
    const stop = new AbortController();
    this.#stopController = stop;
    this.#run = this.#loop(stop.signal).finally(() => {
      this.#state = 'stopped';
      this.#poll = undefined;
      this.#stopController = undefined;
      this.#ready?.resolve();
      for (const puller of this.#pullers) puller.end();
    }).then(() => this.#emit('stopped'));
    return promise;
  }

  /**
   * Stops the loop (idempotent). The in-flight long poll is aborted at once; a
   * batch whose handlers are running is finished and committed first.
   *
   * @returns a promise that resolves when the loop has stopped. Do not await it
   * inside a sync handler (the loop waits for that handler): call `void sync.stop()`.
   */
  stop(): Promise<void> {
    if (this.#state === 'stopped') return this.#run ?? Promise.resolve();
    this.#state = 'stopping';
    this.#stopController?.abort(new DOMException('The sync loop was stopped', 'AbortError'));
    this.#poll?.abort(new DOMException('The sync loop was stopped', 'AbortError'));
    return this.#run ?? Promise.resolve();
  }

  /**
   * Pulls batches instead of (or besides) handlers. Each batch is committed when
   * the consumer asks for the next one (or leaves the loop with `break`), so a
   * crash while processing a batch redelivers it. Starts the loop if it is not
   * running, and stops it when the iteration ends in that case.
   *
   * @example
   * ```ts
   * for await (const batch of client.sync.batches()) {
   *   for (const [roomId, room] of Object.entries(batch.response.rooms?.join ?? {})) { … }
   * }
   * ```
   */
  batches(): AsyncIterableIterator<SyncBatch> {
    const queue: { batch: SyncBatch; ack: Ack }[] = [];
    let waiting: ((item: { batch: SyncBatch; ack: Ack } | undefined) => void) | undefined;
    let pendingAck: Ack | undefined;
    let ended = false;
    const startedHere = this.#state !== 'running';
    const puller: Puller = {
      push: (batch, ack) => {
        if (ended) {
          ack(false);
          return;
        }
        const item = { batch, ack };
        if (waiting !== undefined) {
          const w = waiting;
          waiting = undefined;
          w(item);
        } else {
          queue.push(item);
        }
      },
      end: () => {
        ended = true;
        waiting?.(undefined);
        waiting = undefined;
      },
    };
    this.#pullers.add(puller);
    if (startedHere) void this.start();
    const finish = async (): Promise<IteratorResult<SyncBatch>> => {
      // Leaving the iteration (break, return or a throw) does not commit the batch in
      // hand: whether it was processed is unknown, so it comes again (at least once).
      pendingAck?.(false);
      pendingAck = undefined;
      ended = true;
      this.#pullers.delete(puller);
      for (const item of queue.splice(0)) item.ack(false);
      if (startedHere) await this.stop();
      return { done: true, value: undefined };
    };
    const iterator: AsyncIterableIterator<SyncBatch> = {
      next: async () => {
        pendingAck?.(true);
        pendingAck = undefined;
        const item = queue.shift() ?? (ended ? undefined : await new Promise<{ batch: SyncBatch; ack: Ack } | undefined>((r) => (waiting = r)));
        if (item === undefined) return finish();
        pendingAck = item.ack;
        return { done: false, value: item.batch };
      },
      return: finish,
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  #emit(name: keyof SyncLifecycleHandlers & string, a?: unknown, b?: unknown): Promise<void> | undefined {
    return this.#registry.emit(name, a, b);
  }

  /** Publishes a Matrix event to the handlers of its type, never to a group or lifecycle name. */
  #emitEvent(type: string, event: unknown, context: EventContext): Promise<void> | undefined {
    return this.#registry.emit(EVENT_PREFIX + type, event, context);
  }

  #positionKey(): string {
    return `${this.#prefix}.next_batch`;
  }

  async #resolveFilter(signal: AbortSignal): Promise<string | undefined> {
    const filter = this.#options.filter;
    if (filter === undefined) return undefined;
    if (typeof filter === 'string') return filter;
    const json = JSON.stringify(filter);
    if (!this.#options.uploadFilter || this.#api.uploadFilter === undefined) return json;
    const key = `${this.#prefix}.filter`;
    const cached = await this.#store.get(key);
    if (typeof cached === 'object' && cached !== null) {
      const { json: cachedJson, id } = cached as { json?: unknown; id?: unknown };
      if (cachedJson === json && typeof id === 'string') return id;
    }
    const id = await this.#api.uploadFilter(filter, { signal });
    await this.#store.set(key, { json, id });
    return id;
  }

  #backoff(attempt: number): number {
    const backoffBase = this.#options.backoffBase ?? 2_000;
    const backoffLimit = this.#options.backoffLimit ?? 30_000;
    return backoffDelay(attempt, { backoffBase, backoffLimit, jitter: 'spread' }, this.#random);
  }

  async #loop(stop: AbortSignal): Promise<void> {
    const ready = this.#ready;
    let failures = 0;
    let firstFailureAt = 0;
    let first = true;
    let since: string | undefined;
    let resumed = false;
    let filter: string | undefined;
    let setup = false;
    const timeout = this.#options.timeout ?? 30_000;
    const grace = this.#options.livenessGrace ?? 15_000;
    while (!stop.aborted) {
      let stalled = false;
      let response: SyncResponse;
      const poll = new AbortController();
      this.#poll = poll;
      const onStop = (): void => poll.abort(stop.reason);
      stop.addEventListener('abort', onStop, { once: true });
      let guard: unknown;
      const allowance = livenessAllowance(first, timeout, grace, this.#options.initialSyncAllowance);
      try {
        if (!setup) {
          // Position, room state and filter: read once per run, retried like a sync.
          const stored = await this.#store.get(this.#positionKey());
          // A position that is not a string is damage, not absence: starting afresh would commit over it.
          if (stored !== undefined && typeof stored !== 'string') {
            throw corruptedEntry(this.#store, this.#positionKey(), 'the position is not a string');
          }
          since = stored;
          resumed = since !== undefined;
          this.#nextBatch = since;
          await this.state.load(this.#store, this.#prefix);
          filter = await this.#resolveFilter(poll.signal);
          setup = true;
        }
        const waitMs = pollTimeout(first, timeout);
        guard = this.#clock.setTimeout(() => {
          stalled = true;
          poll.abort(new SyncStalledError(allowance));
        }, allowance);
        const query: Parameters<SyncApi['get']>[0] = { timeout: waitMs };
        if (since !== undefined) query.since = since;
        if (filter !== undefined) query.filter = filter;
        if (first && this.#options.fullState) query.full_state = true;
        if (this.#options.setPresence !== undefined) query.set_presence = this.#options.setPresence;
        response = await this.#api.get(query, {
          signal: poll.signal,
          // Longer than the guard's allowance: the guard is the one that fires.
          timeout: allowance + 10_000,
          maxResponseBytes: this.#options.maxResponseBytes ?? DEFAULT_SYNC_MAX_BYTES,
          retry: 0,
          ignoreRateLimit: true,
        });
        if (typeof response !== 'object' || response === null || typeof response.next_batch !== 'string') {
          // Retried below like any failed poll (backoff, `failed`), and nothing is committed.
          throw withoutNextBatch(response, this.#api.scrub?.bind(this.#api));
        }
      } catch (error) {
        if (stop.aborted) break;
        if (isTokenError(error) || isSyncStoreError(error)) {
          await this.#fatal(error, ready);
          break;
        }
        failures++;
        if (failures === 1) firstFailureAt = this.#clock.now();
        let delayMs = stalled && failures === 1 ? 0 : this.#backoff(failures);
        const retryAfter = isMatrixError(error) ? error.retryAfterMs : undefined;
        // Wait what the server asks, within reason: a far Retry-After must not park the loop for days.
        if (retryAfter !== undefined) delayMs = Math.max(delayMs, Math.min(retryAfter, MAX_RATE_LIMIT_WAIT_MS));
        await this.#emit('failed', { error: stalled ? new SyncStalledError(allowance) : error, attempt: failures, delayMs, stalled });
        try {
          await this.#sleep(delayMs, stop);
        } catch {
          break;
        }
        continue;
      } finally {
        if (guard !== undefined) this.#clock.clearTimeout(guard);
        stop.removeEventListener('abort', onStop);
      }

      if (failures > 0) {
        const info = { attempts: failures, downtimeMs: this.#clock.now() - firstFailureAt };
        failures = 0;
        await this.#emit('resumed', info);
      }
      const batch: SyncBatch = { since, nextBatch: response.next_batch, response };
      let committed: boolean;
      try {
        committed = await this.#deliver(batch, stop);
      } catch (error) {
        if (isSyncStoreError(error)) {
          // The store holds damaged data: nothing more is written over it.
          await this.#fatal(error, ready);
          break;
        }
        // The commit failed: keep the old position (the batch comes again) and back off.
        failures++;
        if (failures === 1) firstFailureAt = this.#clock.now();
        const delayMs = this.#backoff(failures);
        await this.#emit('failed', { error, attempt: failures, delayMs, stalled: false });
        try {
          await this.#sleep(delayMs, stop);
        } catch {
          break;
        }
        continue;
      }
      if (!committed) {
        // A consumer of batches() did not finish the batch: nothing committed. Stopping, or
        // asking again from the same position, so that the batch comes again.
        if (stop.aborted) break;
        continue;
      }
      since = response.next_batch;
      if (first) {
        first = false;
        ready?.resolve();
        await this.#emit('ready', { nextBatch: since, resumed });
      }
    }
  }

  /** Stops the run for good: an invalid token, or a store that cannot be trusted. */
  async #fatal(error: unknown, ready: { reject: (e: unknown) => void } | undefined): Promise<void> {
    const softLogout = isMatrixError(error) && error.softLogout === true;
    this.#state = 'stopping';
    ready?.reject(error);
    await this.#emit('fatal', { error, softLogout });
  }

  /** Hands a batch to every handler, then commits it. */
  async #deliver(batch: SyncBatch, stop: AbortSignal): Promise<boolean> {
    const { response } = batch;
    const r = this.#emit.bind(this);
    const tracker = this.state;

    await this.#emitBasic('accountData', response.account_data, undefined, 'account_data', batch);
    await this.#emitBasic('presence', response.presence, undefined, 'presence', batch);
    await this.#emitBasic('toDevice', response.to_device, undefined, 'to_device', batch);

    const rooms = response.rooms;
    for (const [roomId, room] of entriesOf(rooms?.invite)) {
      const state = eventsOf(room.invite_state) as StrippedStateEvent[];
      await r('invite', { roomId, state, room }, batch);
    }

    for (const [roomId, room] of entriesOf(rooms?.join)) {
      await this.#deliverRoom(roomId, room, 'join', batch);
      const screenedEphemeral = this.#screened(eventsOf(room.ephemeral), 'basic', 'ephemeral', roomId, batch);
      const ephemeral = screenedEphemeral instanceof Promise ? await screenedEphemeral : screenedEphemeral;
      if (ephemeral.length > 0) {
        const context: EventContext = { source: 'ephemeral', roomId, membership: 'join', batch };
        for (const event of ephemeral) {
          const type = typeOf(event);
          if (type === undefined) continue;
          const content = (event as { content?: unknown }).content;
          if (type === 'm.typing') {
            const ids = (content as { user_ids?: unknown } | undefined)?.user_ids;
            await r('typing', { roomId, userIds: Array.isArray(ids) ? ids : [] }, batch);
          } else if (type === 'm.receipt') {
            await r('receipt', { roomId, content }, batch);
          }
          await this.#emitEvent(type, event, context);
        }
      }
      await this.#emitBasic('accountData', room.account_data, roomId, 'account_data', batch);
    }

    for (const [roomId, room] of entriesOf(rooms?.leave)) {
      await this.#deliverRoom(roomId, room, 'leave', batch);
      await this.#emitBasic('accountData', room.account_data, roomId, 'account_data', batch, 'leave');
      await r('leave', { roomId, room }, batch);
      tracker.forget(roomId);
    }

    await r('sync', batch);

    if (this.#pullers.size > 0) {
      let remaining = this.#pullers.size;
      let abandoned = false;
      let settle!: () => void;
      const settled = new Promise<void>((resolve) => (settle = resolve));
      const onStop = (): void => settle();
      stop.addEventListener('abort', onStop, { once: true });
      for (const puller of [...this.#pullers]) {
        puller.push(batch, (processed) => {
          if (!processed) abandoned = true;
          if (--remaining === 0) settle();
        });
      }
      if (remaining > 0 && !stop.aborted) await settled;
      stop.removeEventListener('abort', onStop);
      // Stopped while a consumer was still busy with the batch, or a consumer left the
      // iteration holding it: leave it uncommitted, so it comes again.
      if (remaining > 0 || abandoned) return false;
    }

    const changes = tracker.pendingChanges(this.#prefix);
    changes.set(this.#positionKey(), batch.nextBatch);
    await this.#store.write(changes);
    tracker.committed();
    this.#nextBatch = batch.nextBatch;
    return true;
  }

  /** State, then each timeline event, then `timeline`, for one joined or left room. */
  async #deliverRoom(roomId: string, room: JoinedRoom | LeftRoom, membership: 'join' | 'leave', batch: SyncBatch): Promise<void> {
    const r = this.#emit.bind(this);
    const tracker = this.state;
    const screenedAfter = room.state_after !== undefined ? this.#screened(eventsOf(room.state_after), 'sync', 'state', roomId, batch) : undefined;
    const stateAfter = screenedAfter instanceof Promise ? await screenedAfter : screenedAfter;
    const screenedState = stateAfter ?? this.#screened(eventsOf(room.state), 'sync', 'state', roomId, batch);
    const stateEvents = screenedState instanceof Promise ? await screenedState : screenedState;
    const isNew = membership === 'join' && !tracker.hasRoom(roomId);
    if (stateAfter === undefined) tracker.applyAll(roomId, stateEvents);
    if (isNew) {
      tracker.ensureRoom(roomId);
      await r('join', { roomId, room }, batch);
    }
    if (stateEvents.length > 0) {
      await r('state', { roomId, membership, events: stateEvents }, batch);
      const context: EventContext = { source: 'state', roomId, membership, batch };
      for (const event of stateEvents) {
        const type = typeOf(event);
        if (type === undefined) continue;
        const pending = this.#emitEvent(type, event, context);
        if (pending !== undefined) await pending;
      }
    }
    const timeline = room.timeline;
    const screened = this.#screened(eventsOf(timeline), 'sync', 'timeline', roomId, batch);
    const events = screened instanceof Promise ? await screened : screened;
    if (events.length > 0 || timeline?.limited === true) {
      const context: EventContext = { source: 'timeline', roomId, membership, batch };
      for (const event of events) {
        const type = typeOf(event);
        if (type === undefined) continue;
        if (stateAfter === undefined) tracker.apply(roomId, event);
        const pending = this.#emitEvent(type, event, context);
        if (pending !== undefined) await pending;
      }
      await r('timeline', {
        roomId,
        membership,
        events,
        limited: timeline?.limited === true,
        prevBatch: timeline?.prev_batch,
      }, batch);
    }
    if (stateAfter !== undefined) tracker.applyAll(roomId, stateAfter);
  }

  /** A group event and the per-type events of one `{ events: [...] }` section. */
  async #emitBasic(
    group: 'accountData' | 'presence' | 'toDevice',
    section: unknown,
    roomId: string | undefined,
    source: EventSource,
    batch: SyncBatch,
    membership: 'join' | 'leave' = 'join',
  ): Promise<void> {
    const screened = this.#screened(eventsOf(section), 'basic', source, roomId, batch);
    const events = (screened instanceof Promise ? await screened : screened) as BasicEvent[];
    if (events.length === 0) return;
    await this.#emit(group, roomId === undefined && group !== 'accountData' ? { events } : { roomId, events }, batch);
    const context: EventContext = { source, roomId, membership: roomId === undefined ? undefined : membership, batch };
    for (const event of events) {
      const type = typeOf(event);
      if (type === undefined) continue;
      const pending = this.#emitEvent(type, event, context);
      if (pending !== undefined) await pending;
    }
  }

  /**
   * The events of a section that the handlers get: all of them without a
   * validation; else each is checked, a failing one published as `invalid`, and
   * left out under `drop`. Never throws (a check or a report that fails delivers
   * the event).
   */
  #screened(events: readonly unknown[], shape: EventShape, source: EventSource, roomId: string | undefined, batch: SyncBatch): readonly unknown[] | Promise<readonly unknown[]> {
    // Without a validation (or events), no promise is made: delivery costs what it did before.
    const hook = this.#validation;
    if (hook === undefined || events.length === 0) return events;
    return this.#screen(hook, events, shape, source, roomId, batch);
  }

  async #screen(hook: ValidationHook, events: readonly unknown[], shape: EventShape, source: EventSource, roomId: string | undefined, batch: SyncBatch): Promise<readonly unknown[]> {
    let kept: unknown[] | undefined;
    const where = roomId === undefined ? `sync ${source}` : `sync ${source} of a room`;
    for (let i = 0; i < events.length; i++) {
      const event = events[i];
      const verdict = hook.validate.checkIncoming(event, shape, where, hook.warn);
      if (verdict !== undefined) {
        await this.#emit('invalid', { action: verdict.action, type: verdict.type, issues: verdict.issues, source, roomId, event }, batch);
        if (verdict.action === 'dropped') {
          kept ??= events.slice(0, i);
          continue;
        }
      }
      kept?.push(event);
    }
    return kept ?? events;
  }

}

/**
 * Handlers of Matrix event types live under this prefix in the registry, apart
 * from the group and lifecycle names: an event someone sends with the type
 * `fatal` or `stopped` reaches the handlers of that event type only.
 */
const EVENT_PREFIX = 'event:';

const LIFECYCLE_AND_GROUP_NAMES: ReadonlySet<string> = new Set<keyof SyncLifecycleHandlers & string>([
  'ready', 'failed', 'resumed', 'fatal', 'error', 'stopped', 'invalid', 'sync', 'join', 'invite', 'leave',
  'timeline', 'state', 'accountData', 'toDevice', 'presence', 'typing', 'receipt',
]);

/** The registry key of a name given to `on`: a group or lifecycle name as is, anything else as an event type. */
function registryKey(name: string): string {
  return LIFECYCLE_AND_GROUP_NAMES.has(name) ? name : EVENT_PREFIX + name;
}

/** The longest wait a 429 on `/sync` may impose before the next try. */
const MAX_RATE_LIMIT_WAIT_MS = 300_000;

/** The default largest `/sync` body: initial syncs of big accounts are large. */
const DEFAULT_SYNC_MAX_BYTES = 256 * 1024 * 1024;

/**
 * How long a poll may take before the liveness guard aborts it. A long poll gets
 * its timeout plus the grace; the first poll of a run (a catch-up, possibly a big
 * initial sync computed and sent at once) gets the larger initial allowance.
 */
function livenessAllowance(first: boolean, timeout: number, grace: number, initial: number | undefined): number {
  return first ? Math.max(initial ?? 300_000, grace) : timeout + grace;
}

/** The long-poll timeout of a request: the first of a run answers at once, so `ready` comes quickly. */
function pollTimeout(first: boolean, timeout: number): number {
  return first ? 0 : timeout;
}

export type { StateEvent };
