/**
 * Public types of the application service receiver: options, the store
 * interface, handler and context types, metrics hooks, dead letters.
 */
import type { EventValidationIssue } from '../errors/event-validation-error.js';
import type { EventValidation } from '../validation/types.js';
import type { Operations } from '../../generated/operations.js';
import type { EventContentMap, KnownEventType } from '../../generated/events.js';
import type { ClientOptions, MatrixClient } from '../client.js';
import type { BasicEvent, MatrixEvent, RoomEvent } from '../events/types.js';
import type { TransportLogger } from '../transport/options.js';
import type { HandlerErrorInfo, HandlerResult } from '../sync/types.js';
import type { AppserviceRegistration } from './registration.js';
import type { Intent } from './intent.js';

type TransactionOperation = Operations['PUT /_matrix/app/v1/transactions/{txnId}'];
type SpecTransactionBody = NonNullable<TransactionOperation extends { requestBody?: infer B } ? B : never> extends {
  content: { 'application/json': infer J };
}
  ? J
  : never;

/**
 * MSC3202 device list changes: users whose devices changed, and users no longer sharing a room.
 *
 * @example
 * ```ts
 * appservice.on('deviceLists', ({ changed, left }: DeviceListsUpdate) => console.log(changed, left));
 * ```
 */
export interface DeviceListsUpdate {
  changed: string[];
  left: string[];
}

/**
 * One-time key counts by user, then device, then algorithm (MSC3202).
 *
 * @example
 * ```ts
 * const counts: OneTimeKeyCounts = { '@_bridge_a:example.org': { DEVICE: { signed_curve25519: 50 } } };
 * ```
 */
export type OneTimeKeyCounts = Record<string, Record<string, Record<string, number>>>;
/**
 * Unused fallback key algorithms by user, then device (MSC3202).
 *
 * @example
 * ```ts
 * const types: FallbackKeyTypes = { '@_bridge_a:example.org': { DEVICE: ['signed_curve25519'] } };
 * ```
 */
export type FallbackKeyTypes = Record<string, Record<string, string[]>>;

/**
 * The body of `PUT /_matrix/app/v1/transactions/{txnId}`: the spec's `events` and `ephemeral`,
 * plus the unstable keys Synapse sends (MSC2409 ephemeral and to-device, MSC3202 device lists,
 * one-time key counts under both spellings, unused fallback key types).
 *
 * @example
 * ```ts
 * const body: AppserviceTransactionBody = { events: [], 'de.sorunome.msc2409.ephemeral': [] };
 * ```
 */
export type AppserviceTransactionBody = SpecTransactionBody & {
  'de.sorunome.msc2409.ephemeral'?: BasicEvent[];
  'de.sorunome.msc2409.to_device'?: ToDeviceMessage[];
  'org.matrix.msc3202.device_lists'?: Partial<DeviceListsUpdate>;
  'org.matrix.msc3202.device_one_time_keys_count'?: OneTimeKeyCounts;
  'org.matrix.msc3202.device_one_time_key_counts'?: OneTimeKeyCounts;
  'org.matrix.msc3202.device_unused_fallback_key_types'?: FallbackKeyTypes;
};

/**
 * A to-device message pushed to an application service (MSC2409): the target user and device are named.
 *
 * @example
 * ```ts
 * appservice.on('toDevice', ({ events }) => events.forEach((m: ToDeviceMessage) => console.log(m.sender, '->', m.to_device_id)));
 * ```
 */
export interface ToDeviceMessage extends BasicEvent {
  sender: string;
  to_user_id: string;
  to_device_id: string;
}

/**
 * The transaction an event was delivered in (second argument of group handlers, `transaction` of a context).
 *
 * @example
 * ```ts
 * appservice.on('m.room.message', (event, { transaction }: { transaction: AppserviceTransactionInfo }) => console.log(transaction.txnId, transaction.receivedAt));
 * ```
 */
export interface AppserviceTransactionInfo {
  /** The homeserver's transaction id. */
  readonly txnId: string;
  /** The store key of the transaction: unique even when the homeserver's ids were reset. */
  readonly key: string;
  /** When the transaction was accepted (ms since the epoch). */
  readonly receivedAt: number;
}

/**
 * Where in a transaction an event was found.
 *
 * @example
 * ```ts
 * appservice.on('m.typing', (event, { source }) => { const from: AppserviceEventSource = source; console.log(from); }); // 'ephemeral'
 * ```
 */
export type AppserviceEventSource = 'timeline' | 'ephemeral' | 'to_device';

/**
 * What a handler of a Matrix event type receives besides the event. Shaped like the sync loop's
 * `EventContext` (`source`, `roomId`), so `(event, { roomId }) => …` runs under both.
 *
 * @example
 * ```ts
 * appservice.on('m.room.message', (event, { roomId, transaction, attempt }) => {
 *   console.log(roomId, event.event_id, transaction.txnId, attempt);
 * });
 * ```
 */
export interface AppserviceEventContext {
  readonly source: AppserviceEventSource;
  /** The room, for room events and room-scoped ephemeral data (typing, receipts). */
  readonly roomId: string | undefined;
  /** The transaction being delivered. */
  readonly transaction: AppserviceTransactionInfo;
  /** How many times this event's handlers were tried before (0 the first time; retries and replays count). */
  readonly attempt: number;
}

/**
 * The context of a room event (`events` of a transaction): the room is known.
 *
 * @example
 * ```ts
 * appservice.on('m.room.message', (event, context: AppserviceRoomEventContext) => console.log(context.roomId, context.transaction.txnId));
 * ```
 */
export interface AppserviceRoomEventContext extends AppserviceEventContext {
  readonly source: 'timeline';
  readonly roomId: string;
}

/**
 * A room event as an application service receives it: the sync loop's event, plus its `room_id`
 * (a transaction mixes rooms).
 *
 * @example
 * ```ts
 * const where = (event: AppserviceRoomEvent<'m.room.message'>): string => `${event.room_id}: ${event.content.body}`;
 * ```
 */
export type AppserviceRoomEvent<T extends string = string> = MatrixEvent<T> & { room_id: string };

/**
 * A handler of one Matrix event type, as for the sync loop (room events also carry `room_id`).
 *
 * @example
 * ```ts
 * const onMessage: AppserviceEventHandler<'m.room.message'> = (event, { roomId }) => console.log(roomId, event.content.body);
 * appservice.on('m.room.message', onMessage);
 * ```
 */
export type AppserviceEventHandler<T extends string> = (
  event: MatrixEvent<T> extends RoomEvent<T> ? AppserviceRoomEvent<T> : MatrixEvent<T>,
  context: MatrixEvent<T> extends RoomEvent<T> ? AppserviceRoomEventContext : AppserviceEventContext,
) => HandlerResult;

/**
 * `timeline`: a room event of a transaction (one per call; `events` keeps the sync loop's shape).
 *
 * @example
 * ```ts
 * appservice.on('timeline', ({ roomId, events }: AppserviceTimelineUpdate) => console.log(roomId, events.length));
 * ```
 */
export interface AppserviceTimelineUpdate {
  roomId: string;
  events: RoomEvent[];
}
/**
 * `state`: a state event of a transaction (one per call).
 *
 * @example
 * ```ts
 * appservice.on('state', ({ roomId, events }: AppserviceStateUpdate) => console.log(roomId, events.map((e) => e.type)));
 * ```
 */
export interface AppserviceStateUpdate {
  roomId: string;
  events: RoomEvent[];
}
/**
 * `typing`: who is typing in a room.
 *
 * @example
 * ```ts
 * appservice.on('typing', ({ roomId, userIds }: AppserviceTypingUpdate) => console.log(roomId, userIds));
 * ```
 */
export interface AppserviceTypingUpdate {
  roomId: string;
  userIds: string[];
}
/**
 * `receipt`: read receipts in a room.
 *
 * @example
 * ```ts
 * appservice.on('receipt', ({ roomId, content }: AppserviceReceiptUpdate) => console.log(roomId, Object.keys(content)));
 * ```
 */
export interface AppserviceReceiptUpdate {
  roomId: string;
  content: EventContentMap['m.receipt'];
}
/**
 * `presence`: a presence update.
 *
 * @example
 * ```ts
 * appservice.on('presence', ({ events }: AppservicePresenceUpdate) => events.forEach((e) => console.log(e.sender, e.content.presence)));
 * ```
 */
export interface AppservicePresenceUpdate {
  events: BasicEvent<'m.presence'>[];
}
/**
 * `ephemeral`: any ephemeral event (typing, receipt, presence, or another type).
 *
 * @example
 * ```ts
 * appservice.on('ephemeral', ({ roomId, event }: AppserviceEphemeralUpdate) => console.log(roomId, event.type));
 * ```
 */
export interface AppserviceEphemeralUpdate {
  roomId: string | undefined;
  event: BasicEvent;
}
/**
 * `toDevice`: to-device messages for one device of the namespace.
 *
 * @example
 * ```ts
 * appservice.on('toDevice', ({ events }: AppserviceToDeviceUpdate) => events.forEach((e) => console.log(e.to_user_id, e.type)));
 * ```
 */
export interface AppserviceToDeviceUpdate {
  events: ToDeviceMessage[];
}
/**
 * `otkCounts`: one-time key counts (MSC3202), whichever spelling the homeserver used.
 *
 * @example
 * ```ts
 * appservice.on('otkCounts', ({ counts }: OneTimeKeyCountsUpdate) => console.log(Object.keys(counts)));
 * ```
 */
export interface OneTimeKeyCountsUpdate {
  counts: OneTimeKeyCounts;
}
/**
 * `fallbackKeys`: unused fallback key types (MSC3202).
 *
 * @example
 * ```ts
 * appservice.on('fallbackKeys', ({ types }: FallbackKeysUpdate) => console.log(Object.keys(types)));
 * ```
 */
export interface FallbackKeysUpdate {
  types: FallbackKeyTypes;
}

/**
 * `ready`: `start()` finished: the store is open, the inbox resumed, the homeserver pinged.
 *
 * @example
 * ```ts
 * appservice.on('ready', ({ resumed, ping }: AppserviceReadyInfo) => console.log(`${resumed} transactions resumed, ping ok: ${ping.ok}`));
 * ```
 */
export interface AppserviceReadyInfo {
  /** Transactions found unprocessed in the store and resumed. */
  resumed: number;
  /** The outcome of the ping. */
  ping: PingOutcome;
}
/**
 * The outcome of pinging the homeserver.
 *
 * @example
 * ```ts
 * const outcome: PingOutcome = await appservice.start();
 * if (!outcome.ok) console.warn('the homeserver did not answer the ping');
 * ```
 */
export type PingOutcome =
  | { ok: true; durationMs: number; attempts: number }
  | { ok: false; error: unknown; attempts: number }
  | { ok: false; skipped: true; attempts: 0 };
/**
 * `fatal`: `start()` failed: the store could not be opened or read (it is damaged, or unreachable).
 *
 * @example
 * ```ts
 * appservice.on('fatal', ({ error }: AppserviceFatalInfo) => console.error('the receiver stopped', error));
 * ```
 */
export interface AppserviceFatalInfo {
  error: unknown;
}
/**
 * `deadLetter`: an event's handlers kept failing and the event was set aside.
 *
 * @example
 * ```ts
 * appservice.on('deadLetter', (letter: AppserviceDeadLetterInfo) => console.error(letter.kind, letter.attempts, letter.error.message));
 * ```
 */
export type AppserviceDeadLetterInfo = DeadLetter;
/**
 * `reset`: a transaction id came again with other events: the homeserver's ids were reset.
 *
 * @example
 * ```ts
 * appservice.on('reset', ({ txnId }: TransactionResetInfo) => console.warn(`transaction ${txnId} came again with other content`));
 * ```
 */
export interface TransactionResetInfo {
  txnId: string;
  key: string;
}

/**
 * `invalid`: an event of a transaction did not match the spec's schema of its
 * type, under the opt-in event validation (`validate`). With `drop` its handlers
 * did not get it (it counts as done: the transaction is never held for it);
 * with `warn` they did. Its `invalid` handlers hold neither the transaction's
 * answer nor the event's queue; they run under `concurrency`, and `stop()`
 * waits for them up to its deadline.
 *
 * @example
 * ```ts
 * appservice.on('invalid', (info: AppserviceInvalidEventInfo) => console.warn(info.action, info.type, info.queue));
 * ```
 */
export interface AppserviceInvalidEventInfo {
  /** `dropped` (the handlers did not get it) or `warned` (they did). */
  action: 'dropped' | 'warned';
  /** The event's type, when it has a string one. */
  type: string | undefined;
  /** What was wrong, where (paths from the event, bounded excerpts). */
  issues: readonly EventValidationIssue[];
  /** What part of the transaction it came from. */
  kind: WorkItemKind;
  /** The queue it was in (`room:<roomId>`, …). */
  queue: string;
  /** The event as the homeserver sent it. */
  event: unknown;
}

type GroupHandler<U> = (update: U, transaction: AppserviceTransactionInfo) => HandlerResult;

/**
 * The group and lifecycle events of an application service.
 *
 * @example
 * ```ts
 * const onDeadLetter: AppserviceLifecycleHandlers['deadLetter'] = (letter) => console.error(letter.queue, letter.error.message);
 * appservice.on('deadLetter', onDeadLetter);
 * ```
 */
export interface AppserviceLifecycleHandlers {
  /** `start()` finished. */
  ready: (info: AppserviceReadyInfo) => HandlerResult;
  /** A handler failed (each attempt; it is retried, then dead-lettered), or the store refused a transaction (`event: 'store'`, answered 500). */
  error: (info: HandlerErrorInfo) => HandlerResult;
  /** `start()` failed: the store could not be opened or read. */
  fatal: (info: AppserviceFatalInfo) => HandlerResult;
  /** `stop()` finished. */
  stopped: () => HandlerResult;
  /** An event was dead-lettered. */
  deadLetter: (letter: AppserviceDeadLetterInfo) => HandlerResult;
  /** A transaction id was reused with other events; the transaction is processed. */
  reset: (info: TransactionResetInfo) => HandlerResult;
  /** An event failed the opt-in event validation (`validate`): dropped or delivered with a warning. */
  invalid: (info: AppserviceInvalidEventInfo, transaction: AppserviceTransactionInfo) => HandlerResult;
  /** A room event. */
  timeline: GroupHandler<AppserviceTimelineUpdate>;
  /** A room event with a `state_key`. */
  state: GroupHandler<AppserviceStateUpdate>;
  /** Typing notifications of a room. */
  typing: GroupHandler<AppserviceTypingUpdate>;
  /** Read receipts of a room. */
  receipt: GroupHandler<AppserviceReceiptUpdate>;
  /** A presence update. */
  presence: GroupHandler<AppservicePresenceUpdate>;
  /** Any ephemeral event. */
  ephemeral: GroupHandler<AppserviceEphemeralUpdate>;
  /** To-device messages (MSC2409). */
  toDevice: GroupHandler<AppserviceToDeviceUpdate>;
  /** Device list changes (MSC3202). */
  deviceLists: GroupHandler<DeviceListsUpdate>;
  /** One-time key counts (MSC3202). */
  otkCounts: GroupHandler<OneTimeKeyCountsUpdate>;
  /** Unused fallback key types (MSC3202). */
  fallbackKeys: GroupHandler<FallbackKeysUpdate>;
}

/**
 * Every name `appservice.on` accepts with its handler type.
 *
 * @example
 * ```ts
 * const onMessage: AppserviceHandlers['m.room.message'] = (event) => console.log(event.room_id, event.content.body);
 * appservice.on('m.room.message', onMessage);
 * ```
 */
export type AppserviceHandlers = AppserviceLifecycleHandlers & { [T in KnownEventType]: AppserviceEventHandler<T> };

// ---------------------------------------------------------------------------------------------
// The store

/**
 * A transaction as the receiver hands it to the store.
 *
 * @example
 * ```ts
 * const accepted = await store.accept({ scope: 'hs', txnId: '42', contentHash, eventIds: ['$a'], body, receivedAt: Date.now() } satisfies InboxTransaction);
 * ```
 */
export interface InboxTransaction {
  /** Who is receiving: `<registration id>/<hs_token fingerprint>` (the dedupe scope). */
  readonly scope: string;
  /** The homeserver's transaction id. */
  readonly txnId: string;
  /** A digest of the transaction's event ids: the same txnId with another digest is a reset. */
  readonly contentHash: string;
  /** The event ids of `events`, in order (for the event id dedupe). */
  readonly eventIds: readonly string[];
  /** The request body as received (JSON text), stored as is. */
  readonly body: string;
  /** The same body as the UTF-8 bytes that came in, when the receiver has them: a store may write these rather than encode `body`. */
  readonly bodyBytes?: Uint8Array;
  /** When it was received (ms since the epoch). */
  readonly receivedAt: number;
}

/**
 * What the store did with a transaction.
 *
 * @example
 * ```ts
 * const { status }: AcceptResult = await store.accept(transaction);
 * if (status === 'duplicate') console.log('already persisted: answer 200 again');
 * ```
 */
export interface AcceptResult {
  /**
   * `new`: stored, to be processed; `duplicate`: seen before with the same events (answer 200, do
   * nothing); `reset`: seen before with other events (stored under a new key and processed).
   */
  status: 'new' | 'duplicate' | 'reset';
  /** The store key of the transaction (for `new` and `reset`, the one to process). */
  key: string;
  /** Indexes of work items already handled in another transaction (event id dedupe): skipped. */
  skipped: readonly number[];
}

/**
 * A stored transaction not yet fully processed, with the work items already done.
 *
 * @example
 * ```ts
 * const pending: PendingTransaction[] = await store.pending();
 * pending.forEach((p) => console.log(p.txnId, p.done.length));
 * ```
 */
export interface PendingTransaction {
  readonly key: string;
  readonly txnId: string;
  readonly body: string;
  readonly receivedAt: number;
  /** Indexes of the work items already handled (or skipped, or dead-lettered). */
  readonly done: readonly number[];
}

/**
 * An event whose handlers kept failing, set aside for inspection and replay.
 *
 * @example
 * ```ts
 * const letters: DeadLetter[] = await appservice.deadLetters.list();
 * letters.forEach((letter) => console.log(letter.id, letter.error.message));
 * ```
 */
export interface DeadLetter {
  /** Unique id (`<transaction key>#<item index>`). */
  readonly id: string;
  readonly txnId: string;
  /** The store key of the transaction. */
  readonly key: string;
  /** The index of the work item in the transaction. */
  readonly index: number;
  /** What it was: `event`, `ephemeral`, `toDevice`, `deviceLists`, `otkCounts` or `fallbackKeys`. */
  readonly kind: WorkItemKind;
  /** The queue it ran in (`room:<roomId>`, `device:<userId>|<deviceId>`, …). */
  readonly queue: string;
  /** The event (or update) as received. */
  readonly payload: unknown;
  /** The last error: name and message only. */
  readonly error: { name: string; message: string };
  /** Attempts made. */
  readonly attempts: number;
  /** When it was set aside (ms since the epoch). */
  readonly at: number;
}

/**
 * The kinds of work a transaction is split into.
 *
 * @example
 * ```ts
 * appservice.on('deadLetter', ({ kind }) => { const k: WorkItemKind = kind; console.log(k); });
 * ```
 */
export type WorkItemKind = 'event' | 'ephemeral' | 'toDevice' | 'deviceLists' | 'otkCounts' | 'fallbackKeys';

/**
 * Where the receiver keeps its inbox: accepted transactions, per-item progress, the dedupe
 * index and dead letters. Every operation is async, so a shared database can implement it for
 * several instances: `accept` must be atomic (check and record in one step).
 *
 * Implementations: {@link MemoryAppserviceStore} (not durable: tests only) and
 * `FileAppserviceStore` from `matrix-fluent/node`.
 *
 * @example
 * ```ts
 * const store: AppserviceStore = new MemoryAppserviceStore();
 * await store.open();
 * const { status } = await store.accept(transaction);
 * ```
 */
export interface AppserviceStore {
  /** Opens the store (reads it back after a restart). Throws a clear error if it is corrupt. */
  open(): Promise<void>;
  /** Records a transaction durably (the 200 follows), or recognises it as a duplicate or a reset. */
  accept(transaction: InboxTransaction): Promise<AcceptResult>;
  /** The stored transactions not yet fully processed, oldest first. */
  pending(): Promise<PendingTransaction[]>;
  /**
   * Records that work items of a transaction are done. Need not be synced to disk: losing it
   * in a crash only means the items run again. When every item is done the transaction is complete.
   */
  markDone(key: string, indexes: readonly number[], itemCount: number): Promise<void>;
  /** Sets an item aside (it also counts as done for its transaction). */
  deadLetter(letter: DeadLetter): Promise<void>;
  /** The dead letters, oldest first. */
  deadLetters(): Promise<DeadLetter[]>;
  /** Removes a dead letter (after a replay or a discard); the removed letter, if there was one. */
  removeDeadLetter(id: string): Promise<DeadLetter | undefined>;
  /** Makes everything recorded so far durable. */
  flush(): Promise<void>;
  /** Flushes and closes. */
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Options and metrics

/**
 * Metrics hooks: each is called synchronously; a hook that throws is ignored. No token ever reaches one.
 *
 * @example
 * ```ts
 * const metrics: AppserviceMetrics = {
 *   transaction: ({ status, ackMs }) => histogram.observe({ status }, ackMs),
 *   inboxDepth: (depth) => gauge.set(depth),
 *   deadLetter: ({ kind }) => counter.inc({ kind }),
 * };
 * ```
 */
export interface AppserviceMetrics {
  /** A transaction was answered 200: how it was recognised, its size and the time to the answer. */
  transaction?(info: { txnId: string; status: AcceptResult['status']; items: number; ackMs: number }): void;
  /** A transaction was refused or failed (401, 403, 400, 503, 500). */
  rejected?(info: { status: number; errcode: string; reason: string }): void;
  /** The inbox depth (work items pending) changed. */
  inboxDepth?(depth: number): void;
  /**
   * A transaction was taken over `inboxLimit` after the backpressure budget ran out, because it
   * carries ephemeral, to-device or MSC3202 data that the homeserver's resend would lack.
   */
  overLimit?(info: { txnId: string; items: number; depth: number }): void;
  /** An item finished in a queue: the time from accepting its transaction to the end of its handlers. */
  queueLag?(info: { queue: string; lagMs: number }): void;
  /** A handler failed (each attempt). */
  handlerFailure?(info: { queue: string; name: string; attempt: number }): void;
  /** An item was dead-lettered. */
  deadLetter?(info: { queue: string; kind: WorkItemKind }): void;
  /** An event failed the opt-in event validation: `dropped` (done without its handlers) or `warned` (delivered). */
  invalidEvent?(info: { queue: string; kind: WorkItemKind; type: string | undefined; action: 'dropped' | 'warned'; issues: number }): void;
}

/**
 * Retries of a failing handler before its item is dead-lettered.
 *
 * @example
 * ```ts
 * createAppservice({ registration, homeserverUrl, serverName, store, handlerRetry: { limit: 5, backoffBase: 500 } });
 * ```
 */
export interface HandlerRetryOptions {
  /**
   * Retries after the first attempt.
   * @default 3
   */
  limit?: number;
  /**
   * First delay, in milliseconds; doubles each retry.
   * @default 1_000
   */
  backoffBase?: number;
  /**
   * Longest delay, in milliseconds.
   * @default 30_000
   */
  backoffLimit?: number;
}

/**
 * Options of {@link createAppservice}.
 *
 * @example
 * ```ts
 * const options: AppserviceOptions = {
 *   registration, homeserverUrl: 'http://127.0.0.1:8008', serverName: 'example.org',
 *   store: new FileAppserviceStore('.appservice-state'), concurrency: 16, inboxLimit: 10_000,
 * };
 * ```
 */
export interface AppserviceOptions {
  /** The registration the homeserver was configured with. */
  registration: AppserviceRegistration;
  /** The homeserver's client-server base URL. */
  homeserverUrl: string;
  /** The homeserver's `server_name` (user ids are `@localpart:serverName`). */
  serverName: string;
  /** Where the inbox is kept. Required: `FileAppserviceStore` (matrix-fluent/node) is durable, `MemoryAppserviceStore` is not. */
  store: AppserviceStore;
  /**
   * Handlers running at once, across queues.
   * @default 16
   */
  concurrency?: number;
  /**
   * Work items (events, ephemeral events, to-device messages) pending before a new transaction is held.
   * @default 10_000
   */
  inboxLimit?: number;
  /**
   * How long a transaction is held waiting for room in a full inbox before a 503 (Synapse gives up after 60 s).
   * @default 30_000
   */
  backpressureBudgetMs?: number;
  /** Retries of a failing handler. */
  handlerRetry?: HandlerRetryOptions;
  /**
   * The largest transaction body `fetch` reads, in bytes (over it: 413 `M_TOO_LARGE`, counted while
   * it streams). The Node listener has its own `maxBodyBytes`.
   * @default 20 MiB
   */
  maxBodyBytes?: number;
  /**
   * How long `onUserQuery`/`onRoomQuery` may take before the answer is 404.
   * @default 10_000
   */
  queryTimeoutMs?: number;
  /**
   * Ping the homeserver at `start()`.
   * @default true
   */
  pingOnStart?: boolean;
  /** Metrics hooks. */
  metrics?: AppserviceMetrics;
  /** Where warnings (resets, dead letters, store failures) go. @default console (warn and error) */
  logger?: TransportLogger;
  /** Extra options of the as_token client (fetch, retry, timeout, …). */
  client?: Omit<ClientOptions, 'baseUrl' | 'accessToken' | 'asToken'>;
  /**
   * Opt-in event validation, made by `eventValidation()` of `matrix-fluent/validation`:
   * each event of a transaction is checked before its handlers (after the transaction
   * was stored and acknowledged: a check never holds the answer), and the content the
   * as_token client and the intents send is checked before the request. An invalid
   * event is published as `invalid` and counted (`metrics.invalidEvent`); under `drop`
   * it is done without its handlers, never retried. Off when left out.
   * @example
   * ```ts
   * createAppservice({ registration, homeserverUrl, serverName, store, validate: eventValidation({ incoming: 'drop' }) });
   * ```
   */
  validate?: EventValidation | undefined;
}

/**
 * Third-party lookups: each answers the JSON array the spec describes, or `undefined` for 404.
 *
 * @example
 * ```ts
 * appservice.thirdParty.user = async (protocol, fields) =>
 *   fields.nick === undefined ? undefined : [{ userid: `@_irc_${fields.nick}:example.org`, protocol, fields }];
 * ```
 */
export interface ThirdPartyHandlers {
  /** `GET /thirdparty/protocol/{protocol}`: the protocol's metadata. */
  protocol?(protocol: string): Promise<unknown> | unknown;
  /** `GET /thirdparty/user/{protocol}?fields…`. */
  user?(protocol: string, fields: Record<string, string>): Promise<unknown[] | undefined> | unknown[] | undefined;
  /** `GET /thirdparty/location/{protocol}?fields…`. */
  location?(protocol: string, fields: Record<string, string>): Promise<unknown[] | undefined> | unknown[] | undefined;
  /** `GET /thirdparty/user?userid=`. */
  userByMatrixId?(userId: string): Promise<unknown[] | undefined> | unknown[] | undefined;
  /** `GET /thirdparty/location?alias=`. */
  locationByAlias?(alias: string): Promise<unknown[] | undefined> | unknown[] | undefined;
}

/**
 * `appservice.deadLetters`: list, replay and discard what was set aside.
 *
 * @example
 * ```ts
 * for (const letter of await appservice.deadLetters.list()) {
 *   if (!(await appservice.deadLetters.replay(letter.id))) console.warn('still failing', letter.id, letter.error.message);
 * }
 * ```
 */
export interface DeadLetters {
  /** The dead letters, oldest first. */
  list(): Promise<DeadLetter[]>;
  /** Runs the item's handlers again; removed when they succeed. Resolves whether they did. */
  replay(id: string): Promise<boolean>;
  /** Removes a dead letter without running it. Resolves whether it was there. */
  discard(id: string): Promise<boolean>;
}

/**
 * Options of `stop()`.
 *
 * @example
 * ```ts
 * await appservice.stop({ deadlineMs: 10_000 });
 * ```
 */
export interface AppserviceStopOptions {
  /**
   * How long to wait for running and queued handlers (`invalid` handlers too) before closing the store (what is left runs
   * after the next start; a deadline reached is logged as a warning).
   * @default 10_000
   */
  deadlineMs?: number;
}

/**
 * `starting`, `running`, `stopping` or `stopped`.
 *
 * @example
 * ```ts
 * const state: AppserviceState = appservice.state; // 'running' after start()
 * ```
 */
export type AppserviceState = 'stopped' | 'starting' | 'running' | 'stopping';

/**
 * An application service: the receiver of the homeserver's pushes, and clients acting as its users.
 *
 * @example
 * ```ts
 * const appservice = createAppservice({ registration, homeserverUrl, serverName, store });
 * appservice.on('m.room.message', async (event, { roomId }) => console.log(roomId, event.content.body));
 * await appservice.start();
 * ```
 */
export interface Appservice {
  /** The web-standard handler of the homeserver's requests (bound: pass it as is to a server). */
  readonly fetch: (request: Request) => Promise<Response>;
  /**
   * Opens the store, resumes the inbox, pings the homeserver. Resolves the ping's outcome. The
   * homeserver pings the receiver back before it answers: serve `fetch` before calling this.
   */
  start(): Promise<PingOutcome>;
  /** Stops accepting (503), drains the handlers against the deadline, closes the store. */
  stop(options?: AppserviceStopOptions): Promise<void>;
  /** The receiver's state. */
  readonly state: AppserviceState;
  /** Registers a handler (a Matrix event type, a group or a lifecycle event). */
  on<K extends keyof AppserviceHandlers>(name: K, handler: AppserviceHandlers[K]): this;
  on(type: string, handler: (event: RoomEvent | BasicEvent, context: AppserviceEventContext) => HandlerResult): this;
  /** Registers a handler that runs once. */
  once<K extends keyof AppserviceHandlers>(name: K, handler: AppserviceHandlers[K]): this;
  once(type: string, handler: (event: RoomEvent | BasicEvent, context: AppserviceEventContext) => HandlerResult): this;
  /** Removes a handler (or every handler of `name`). */
  off<K extends keyof AppserviceHandlers>(name: K, handler?: AppserviceHandlers[K]): this;
  off(type: string, handler?: (event: RoomEvent | BasicEvent, context: AppserviceEventContext) => HandlerResult): this;
  /** `GET /users/{userId}`: create the user and answer true, or answer false (404). */
  onUserQuery: ((userId: string) => Promise<boolean> | boolean) | undefined;
  /** `GET /rooms/{roomAlias}`: create the room and answer true, or answer false (404). */
  onRoomQuery: ((alias: string) => Promise<boolean> | boolean) | undefined;
  /** Third-party lookups; unset ones answer 404. */
  thirdParty: ThirdPartyHandlers;
  /** Pings the homeserver (`POST /_matrix/client/v1/appservice/{id}/ping`). */
  ping(): Promise<PingOutcome>;
  /** The client with the as_token. */
  readonly client: MatrixClient;
  /** A client acting as a user of the namespace. */
  intent(localpartOrUserId: string): Intent;
  /** The bot user (`sender_localpart`). */
  readonly bot: Intent;
  /** Dead letters. */
  readonly deadLetters: DeadLetters;
  /** Work items accepted and not yet finished. */
  readonly inboxDepth: number;
  /** The registration. */
  readonly registration: AppserviceRegistration;
}

