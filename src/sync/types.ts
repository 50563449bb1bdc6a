/**
 * Types of the sync loop: the `/sync` response, the events it publishes and
 * its options.
 */
import type { Operations } from '../../generated/operations.js';
import type { QueryOf, ResponseOf } from '../gateway/call-types.js';
import type { EventContentMap, KnownEventType } from '../../generated/events.js';
import type { MatrixEvent, StateEvent, RoomEvent, StrippedStateEvent, BasicEvent } from '../events/types.js';
import type { SyncStore } from './store.js';

/**
 * The body of a `GET /_matrix/client/v3/sync` answer.
 *
 * @example
 * ```ts
 * const response: SyncResponse = await client.api.sync.get({ timeout: 0 });
 * console.log(response.next_batch);
 * ```
 */
export type SyncResponse = ResponseOf<Operations['GET /_matrix/client/v3/sync']>;
type Rooms = NonNullable<SyncResponse['rooms']>;
/**
 * A joined room's part of a sync response.
 *
 * @example
 * ```ts
 * client.on('join', ({ roomId, room }: { roomId: string; room: JoinedRoom }) => console.log(roomId, room.timeline?.events.length));
 * ```
 */
export type JoinedRoom = NonNullable<Rooms['join']>[string];
/**
 * An invited room's part of a sync response.
 *
 * @example
 * ```ts
 * client.on('invite', ({ roomId, room }: { roomId: string; room: InvitedRoom }) => console.log(roomId, room.invite_state?.events?.length));
 * ```
 */
export type InvitedRoom = NonNullable<Rooms['invite']>[string];
/**
 * A left room's part of a sync response.
 *
 * @example
 * ```ts
 * client.on('leave', ({ roomId, room }: { roomId: string; room: LeftRoom }) => console.log(roomId, room.timeline?.events.length));
 * ```
 */
export type LeftRoom = NonNullable<Rooms['leave']>[string];
/** The query parameters of `/sync`. */
export type SyncQuery = QueryOf<Operations['GET /_matrix/client/v3/sync']>;
/**
 * A filter object (`POST /user/{userId}/filter` body).
 *
 * @example
 * ```ts
 * const filter: SyncFilter = { room: { timeline: { limit: 20 } }, presence: { not_types: ['*'] } };
 * ```
 */
export type SyncFilter = Record<string, unknown>;

/**
 * One delivered sync response.
 *
 * @example
 * ```ts
 * client.on('sync', (batch: SyncBatch) => console.log(batch.since, '->', batch.nextBatch));
 * ```
 */
export interface SyncBatch {
  /** The `since` token the batch was requested with (`undefined` for an initial sync). */
  readonly since: string | undefined;
  /** The position after this batch; committed once every handler has finished. */
  readonly nextBatch: string;
  /** The response as the server sent it. Treat it as read-only. */
  readonly response: SyncResponse;
}

/**
 * Where in a sync response an event was found.
 *
 * @example
 * ```ts
 * client.on('m.room.member', (event, { source }) => { const from: EventSource = source; console.log(from); });
 * ```
 */
export type EventSource =
  | 'state'
  | 'timeline'
  | 'ephemeral'
  | 'account_data'
  | 'to_device'
  | 'presence';

/**
 * What a handler of a Matrix event type receives besides the event.
 *
 * @example
 * ```ts
 * client.on('m.presence', (event, context: EventContext) => console.log(context.source, event.content.presence));
 * ```
 */
export interface EventContext {
  /** The section of the response. */
  readonly source: EventSource;
  /** The room, for room sections (state, timeline, ephemeral, room account data). */
  readonly roomId: string | undefined;
  /** `join` or `leave` for room sections. */
  readonly membership: 'join' | 'leave' | undefined;
  /** The batch being delivered. */
  readonly batch: SyncBatch;
}

/**
 * The context of an event found in a room section (state, timeline): the room is known.
 *
 * @example
 * ```ts
 * client.on('m.room.message', (event, context: RoomEventContext) => console.log(context.roomId, context.source));
 * ```
 */
export interface RoomEventContext extends EventContext {
  readonly source: 'state' | 'timeline';
  readonly roomId: string;
  readonly membership: 'join' | 'leave';
}

/**
 * A handler may return a promise: it is awaited before the next handler and before the commit.
 *
 * @example
 * ```ts
 * const handler = async (): Promise<void> => { await saveSomewhere(); }; // a HandlerResult: the batch commits after it settles
 * ```
 */
export type HandlerResult = void | Promise<void>;

/**
 * A handler of one Matrix event type.
 *
 * @example
 * ```ts
 * const onTopic: EventHandler<'m.room.topic'> = (event, { roomId }) => console.log(roomId, event.content.topic);
 * client.on('m.room.topic', onTopic);
 * ```
 */
export type EventHandler<T extends string> = (
  event: MatrixEvent<T>,
  context: MatrixEvent<T> extends RoomEvent<T> ? RoomEventContext : EventContext,
) => HandlerResult;

/**
 * `join`: a room appeared in `rooms.join` that was not joined before.
 *
 * @example
 * ```ts
 * client.on('join', (update: JoinUpdate) => console.log('joined or updated', update.roomId));
 * ```
 */
export interface JoinUpdate {
  roomId: string;
  room: JoinedRoom;
}
/**
 * `invite`: the user was invited to a room.
 *
 * @example
 * ```ts
 * client.on('invite', async ({ roomId }: InviteUpdate) => void (await client.api.join(roomId).post({})));
 * ```
 */
export interface InviteUpdate {
  roomId: string;
  /** The stripped state the server gave to describe the room. */
  state: StrippedStateEvent[];
  room: InvitedRoom;
}
/**
 * `leave`: the user left (or was kicked or banned from) a room.
 *
 * @example
 * ```ts
 * client.on('leave', ({ roomId }: LeaveUpdate) => console.log('left', roomId));
 * ```
 */
export interface LeaveUpdate {
  roomId: string;
  room: LeftRoom;
}
/**
 * `timeline`: the timeline events of one room in one batch.
 *
 * @example
 * ```ts
 * client.on('timeline', ({ roomId, events, limited }: TimelineUpdate) => console.log(roomId, events.length, limited ? '(gap)' : ''));
 * ```
 */
export interface TimelineUpdate {
  roomId: string;
  membership: 'join' | 'leave';
  events: RoomEvent[];
  /** Events were left out between the previous batch and these. */
  limited: boolean;
  prevBatch: string | undefined;
}
/**
 * `state`: the `state` section (or `state_after`) of one room in one batch.
 *
 * @example
 * ```ts
 * client.on('state', ({ roomId, events }: StateUpdate) => console.log(roomId, events.map((e) => e.type)));
 * ```
 */
export interface StateUpdate {
  roomId: string;
  membership: 'join' | 'leave';
  events: StateEvent[];
}
/**
 * `accountData`: global (no `roomId`) or room account data events.
 *
 * @example
 * ```ts
 * client.on('accountData', ({ roomId, events }: AccountDataUpdate) => console.log(roomId ?? 'global', events.map((e) => e.type)));
 * ```
 */
export interface AccountDataUpdate {
  roomId: string | undefined;
  events: BasicEvent[];
}
/**
 * `toDevice`: to-device messages.
 *
 * @example
 * ```ts
 * client.on('toDevice', ({ events }: ToDeviceUpdate) => console.log(events.map((e) => e.type)));
 * ```
 */
export interface ToDeviceUpdate {
  events: BasicEvent[];
}
/**
 * `presence`: presence updates.
 *
 * @example
 * ```ts
 * client.on('presence', ({ events }: PresenceUpdate) => events.forEach((e) => console.log(e.sender, e.content.presence)));
 * ```
 */
export interface PresenceUpdate {
  events: BasicEvent<'m.presence'>[];
}
/**
 * `typing`: who is typing in a room.
 *
 * @example
 * ```ts
 * client.on('typing', ({ roomId, userIds }: TypingUpdate) => console.log(roomId, userIds.join(', ') || 'nobody', 'typing'));
 * ```
 */
export interface TypingUpdate {
  roomId: string;
  userIds: string[];
}
/**
 * `receipt`: read receipts in a room.
 *
 * @example
 * ```ts
 * client.on('receipt', ({ roomId, content }: ReceiptUpdate) => console.log(roomId, Object.keys(content)));
 * ```
 */
export interface ReceiptUpdate {
  roomId: string;
  content: EventContentMap['m.receipt'];
}

/**
 * `ready`: the first sync of a run completed and was committed.
 *
 * @example
 * ```ts
 * client.on('ready', ({ nextBatch, resumed }: ReadyInfo) => console.log(resumed ? 'resumed at' : 'first sync done:', nextBatch));
 * ```
 */
export interface ReadyInfo {
  nextBatch: string;
  /** Whether the run started from a stored position. */
  resumed: boolean;
}
/**
 * `failed`: a sync failed; the loop waits `delayMs` and tries again.
 *
 * @example
 * ```ts
 * client.on('failed', ({ error, attempt, stalled }: FailedInfo) => console.warn(attempt, stalled, error));
 * ```
 */
export interface FailedInfo {
  error: unknown;
  /** Consecutive failures so far (1 for the first). */
  attempt: number;
  delayMs: number;
  /** The liveness guard aborted a long poll that did not answer in time. */
  stalled: boolean;
}
/**
 * `resumed`: a sync succeeded after failures.
 *
 * @example
 * ```ts
 * client.on('resumed', ({ attempts, downtimeMs }: ResumedInfo) => console.log(`back after ${attempts} failures, ${downtimeMs} ms`));
 * ```
 */
export interface ResumedInfo {
  /** How many consecutive failures preceded it. */
  attempts: number;
  /** Milliseconds since the first of those failures. */
  downtimeMs: number;
}
/**
 * `fatal`: the loop stopped for good (the access token is invalid, or the store is corrupted or unreadable: a `SyncStoreError`).
 *
 * @example
 * ```ts
 * client.on('fatal', ({ error, softLogout }: FatalInfo) => console.error(softLogout ? 'soft logout' : 'stopped', error));
 * ```
 */
export interface FatalInfo {
  error: unknown;
  /** The server marked the logout as soft (`soft_logout`): log in again to keep the device. */
  softLogout: boolean;
}
/**
 * `error`: a handler threw (or its promise rejected), or a store write failed.
 *
 * @example
 * ```ts
 * client.on('error', ({ event, error }: HandlerErrorInfo) => console.error(`a '${event}' handler failed`, error));
 * ```
 */
export interface HandlerErrorInfo {
  error: unknown;
  /** The event name or Matrix event type whose handler failed. */
  event: string;
  /** What the handler was given. */
  payload: unknown;
}

/** A group or lifecycle handler: the update and the batch (absent for lifecycle events). */
type GroupHandler<U> = (update: U, batch: SyncBatch) => HandlerResult;

/**
 * The group and lifecycle events of the sync loop. They are kept apart from Matrix
 * event types: an event someone sends with the type `fatal` reaches the handlers
 * of that event type, never the lifecycle handler.
 *
 * @example
 * ```ts
 * const onFailed: SyncLifecycleHandlers['failed'] = ({ attempt, delayMs }) => console.warn(`sync failed ${attempt}x, next in ${delayMs} ms`);
 * client.on('failed', onFailed);
 * ```
 */
export interface SyncLifecycleHandlers {
  /** The first sync of a run was delivered and committed. */
  ready: (info: ReadyInfo) => HandlerResult;
  /** A sync failed; the loop backs off and tries again. */
  failed: (info: FailedInfo) => HandlerResult;
  /** A sync succeeded after failures. */
  resumed: (info: ResumedInfo) => HandlerResult;
  /** The loop stopped for good (invalid access token, or a corrupted or unreadable store). */
  fatal: (info: FatalInfo) => HandlerResult;
  /** A handler failed; the loop and the other handlers go on. */
  error: (info: HandlerErrorInfo) => HandlerResult;
  /** The loop stopped (after `stop()` or `fatal`). */
  stopped: () => HandlerResult;
  /** A whole batch, after every other handler of the batch and before the commit. */
  sync: (batch: SyncBatch) => HandlerResult;
  /** The user joined a room. */
  join: GroupHandler<JoinUpdate>;
  /** The user was invited to a room. */
  invite: GroupHandler<InviteUpdate>;
  /** The user left a room; published after the room's state and timeline. */
  leave: GroupHandler<LeaveUpdate>;
  /** A room's timeline events of one batch. */
  timeline: GroupHandler<TimelineUpdate>;
  /** A room's state section of one batch. */
  state: GroupHandler<StateUpdate>;
  /** Account data (global, or of a room). */
  accountData: GroupHandler<AccountDataUpdate>;
  /** To-device messages. */
  toDevice: GroupHandler<ToDeviceUpdate>;
  /** Presence updates. */
  presence: GroupHandler<PresenceUpdate>;
  /** Typing notifications of a room. */
  typing: GroupHandler<TypingUpdate>;
  /** Read receipts of a room. */
  receipt: GroupHandler<ReceiptUpdate>;
}

/**
 * Every name `on` accepts with its handler type: the lifecycle and group events, and each known Matrix event type.
 *
 * @example
 * ```ts
 * const onMessage: SyncHandlers['m.room.message'] = (event) => console.log(event.content.body);
 * client.on('m.room.message', onMessage);
 * ```
 */
export type SyncHandlers = SyncLifecycleHandlers & { [T in KnownEventType]: EventHandler<T> };

/**
 * The sync-side part of the client options.
 *
 * @example
 * ```ts
 * const sync: SyncOptions = { timeout: 30_000, filter: { room: { timeline: { limit: 20 } } }, setPresence: 'offline' };
 * const client = createClient({ baseUrl, accessToken, sync });
 * ```
 */
export interface SyncOptions {
  /**
   * Where the position and room state are kept. Use a `FileStore` (from `matrix-fluent/node`) to resume after a restart.
   * @default a new MemoryStore
   */
  store?: SyncStore;
  /**
   * Prefix of the store keys.
   * @default 'sync'
   */
  storePrefix?: string;
  /**
   * Long-poll timeout sent to the server, in milliseconds.
   * @default 30_000
   */
  timeout?: number;
  /**
   * How long past `timeout` a long poll may take before the liveness guard aborts it and tries again.
   * @default 15_000
   */
  livenessGrace?: number;
  /**
   * How long the first poll of a run (a catch-up or initial sync, which the server may take
   * long to compute and send) may take before the liveness guard aborts it.
   * @default 300_000
   */
  initialSyncAllowance?: number;
  /**
   * The largest `/sync` body accepted, in bytes (the initial sync of a big account is large).
   * @default 268_435_456 (256 MiB)
   */
  maxResponseBytes?: number;
  /**
   * A filter: an id from `POST /user/{userId}/filter`, or a filter object (sent inline as JSON,
   * or uploaded once when `uploadFilter` is set).
   */
  filter?: string | SyncFilter;
  /**
   * Upload an object `filter` (once, the id cached in the store) instead of sending it inline.
   * @default false
   */
  uploadFilter?: boolean;
  /**
   * `full_state` of the first sync of each run.
   * @default false
   */
  fullState?: boolean;
  /** `set_presence` of every sync. */
  setPresence?: 'offline' | 'online' | 'unavailable';
  /**
   * Backoff after a failure: first delay, in milliseconds; it doubles up to `backoffLimit`,
   * with ±20 % jitter.
   * @default 2_000
   */
  backoffBase?: number;
  /**
   * Longest backoff, in milliseconds.
   * @default 30_000
   */
  backoffLimit?: number;
  /**
   * Where errors go when no `error` handler is registered (and when an `error` handler throws).
   * @default console.error
   */
  onUnhandledError?: (info: HandlerErrorInfo) => void;
}

/** Time, for the backoff and the liveness guard (a seam of the project's tests, not public). */
export interface SyncClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export type { StateEvent, RoomEvent, StrippedStateEvent, BasicEvent };
