/**
 * Typed Matrix events: the content of each event type comes from the spec's
 * event schemas (`generated/events.ts`, made by `codegen/emit-events.ts`).
 */
import type {
  EventContentMap,
  KnownEventType,
  RoomEventType,
  StateEventType,
} from '../../generated/events.js';

export type { EventContentMap, KnownEventType, RoomEventType, StateEventType } from '../../generated/events.js';
export { STATE_EVENT_TYPES, EVENT_KINDS } from '../../generated/events.js';

/**
 * The content of an event type: the spec's schema for known types, a JSON object otherwise.
 *
 * @example
 * ```ts
 * const content: EventContent<'m.room.topic'> = { topic: 'Weekly sync' };
 * await client.api.rooms(roomId).state('m.room.topic', '').put(content);
 * ```
 */
export type EventContent<T extends string> = T extends KnownEventType ? EventContentMap[T] : Record<string, unknown>;

/**
 * `unsigned` data of a room event.
 *
 * @example
 * ```ts
 * const age = (event: RoomEvent): number | undefined => (event.unsigned as UnsignedData | undefined)?.age;
 * ```
 */
export interface UnsignedData {
  /** Milliseconds since the event was sent, by the local homeserver's clock. */
  age?: number;
  /** The event that redacted this one. */
  redacted_because?: Record<string, unknown>;
  /** The transaction id, when this client sent the event. */
  transaction_id?: string;
  /** The previous content of a replaced state event. */
  prev_content?: Record<string, unknown>;
  [key: string]: unknown;
}

/**
 * A room event as `/sync` delivers it (a `ClientEventWithoutRoomID`), its content typed.
 *
 * @example
 * ```ts
 * const line = (event: RoomEvent<'m.room.message'>): string => `${event.event_id} ${event.content.body}`;
 * ```
 */
export interface RoomEvent<T extends string = string> {
  type: T;
  content: EventContent<T>;
  event_id: string;
  sender: string;
  origin_server_ts: number;
  /** Present on state events only. */
  state_key?: string;
  unsigned?: UnsignedData;
}

/**
 * A state event: a room event with a `state_key`.
 *
 * @example
 * ```ts
 * const name = (event: StateEvent<'m.room.name'>): string => event.content.name;
 * ```
 */
export interface StateEvent<T extends string = string> extends RoomEvent<T> {
  state_key: string;
}

/**
 * An event outside a room timeline (account data, to-device, ephemeral, presence): type and content.
 *
 * @example
 * ```ts
 * const presence = (event: BasicEvent<'m.presence'>): string => event.content.presence;
 * ```
 */
export interface BasicEvent<T extends string = string> {
  type: T;
  content: EventContent<T>;
  /** Set on to-device, presence and some ephemeral events. */
  sender?: string;
}

/**
 * An event of a type the spec does not define: any of the fields may be present.
 *
 * @example
 * ```ts
 * client.on('com.example.ping', (event) => { const e: UnknownEvent<'com.example.ping'> = event; console.log(e.content); });
 * ```
 */
export interface UnknownEvent<T extends string = string> extends BasicEvent<T> {
  event_id?: string;
  origin_server_ts?: number;
  state_key?: string;
  unsigned?: UnsignedData;
}

/**
 * A stripped state event (invite and knock state): type, state key, content and sender.
 *
 * @example
 * ```ts
 * client.on('invite', ({ state }) => console.log(state.find((e: StrippedStateEvent) => e.type === 'm.room.name')?.content));
 * ```
 */
export interface StrippedStateEvent<T extends string = string> {
  type: T;
  state_key: string;
  content: EventContent<T>;
  sender: string;
}

/**
 * The event shape a handler for event type `T` receives.
 *
 * @example
 * ```ts
 * const show = (event: MatrixEvent<'m.room.message'>): string => `${event.sender}: ${event.content.body}`;
 * ```
 */
export type MatrixEvent<T extends string> = T extends StateEventType
  ? StateEvent<T>
  : T extends RoomEventType
    ? RoomEvent<T>
    : T extends KnownEventType
      ? BasicEvent<T>
      : UnknownEvent<T>;
