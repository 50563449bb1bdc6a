/**
 * The calls whose path names an event type: a send, a state event, global and
 * room account data, a to-device message. The chain that binds the event type
 * is generic in it (generated/chains.ts reads these members with `eventType`
 * set to the literal the caller gave), so the body and the answer are the
 * spec's content type for that event type; a type outside the spec's `m.`
 * namespace takes and gives an open JSON object.
 */
import type { Operations } from '../../generated/operations.js';
import type { RouteKey } from '../../generated/routes.js';
import type { RequestOptions } from '../transport/types.js';
import type { EventContent, StateEvent } from '../events/types.js';
import type { JsonBodyCall, NoBodyCall, QueryOf, UntypedCalls } from './call-types.js';

/** The routes typed by an event type. */
export type EventRouteKey =
  | 'PUT /_matrix/client/v3/rooms/{roomId}/send/{eventType}/{txnId}'
  | 'GET /_matrix/client/v3/rooms/{roomId}/state/{eventType}/{stateKey}'
  | 'PUT /_matrix/client/v3/rooms/{roomId}/state/{eventType}/{stateKey}'
  | 'GET /_matrix/client/v3/user/{userId}/account_data/{type}'
  | 'PUT /_matrix/client/v3/user/{userId}/account_data/{type}'
  | 'GET /_matrix/client/v3/user/{userId}/rooms/{roomId}/account_data/{type}'
  | 'PUT /_matrix/client/v3/user/{userId}/rooms/{roomId}/account_data/{type}'
  | 'PUT /_matrix/client/v3/sendToDevice/{eventType}/{txnId}';

type Op<R extends RouteKey> = Operations[R];

/** A state event as `GET …/state/{eventType}/{stateKey}?format=event` answers it. */
export type StateEventOf<E extends string> = StateEvent<E> & { room_id: string };

/**
 * Reads one state event: its content by default, the whole event with
 * `{ format: 'event' }`.
 */
export interface GetStateCall<E extends string> {
  (query?: { format?: 'content' | undefined }, options?: RequestOptions): Promise<EventContent<E>>;
  (query: { format: 'event' }, options?: RequestOptions): Promise<StateEventOf<E>>;
  (query?: QueryOf<Op<'GET /_matrix/client/v3/rooms/{roomId}/state/{eventType}/{stateKey}'>>, options?: RequestOptions): Promise<EventContent<E> | StateEventOf<E>>;
}

/** The body of a to-device send: the content of type `E` for each device of each user (`*` for all devices). */
export interface ToDeviceBody<E extends string> {
  messages: { [userId: string]: { [deviceId: string]: EventContent<E> } };
}

/** The event-typed calls for the event type `E`. */
export interface EventCalls<E extends string> {
  readonly 'PUT /_matrix/client/v3/rooms/{roomId}/send/{eventType}/{txnId}': JsonBodyCall<Op<'PUT /_matrix/client/v3/rooms/{roomId}/send/{eventType}/{txnId}'>, EventContent<E>>;
  readonly 'GET /_matrix/client/v3/rooms/{roomId}/state/{eventType}/{stateKey}': GetStateCall<E>;
  readonly 'PUT /_matrix/client/v3/rooms/{roomId}/state/{eventType}/{stateKey}': JsonBodyCall<Op<'PUT /_matrix/client/v3/rooms/{roomId}/state/{eventType}/{stateKey}'>, EventContent<E>>;
  readonly 'GET /_matrix/client/v3/user/{userId}/account_data/{type}': NoBodyCall<Op<'GET /_matrix/client/v3/user/{userId}/account_data/{type}'>, Promise<EventContent<E>>>;
  readonly 'PUT /_matrix/client/v3/user/{userId}/account_data/{type}': JsonBodyCall<Op<'PUT /_matrix/client/v3/user/{userId}/account_data/{type}'>, EventContent<E>>;
  readonly 'GET /_matrix/client/v3/user/{userId}/rooms/{roomId}/account_data/{type}': NoBodyCall<Op<'GET /_matrix/client/v3/user/{userId}/rooms/{roomId}/account_data/{type}'>, Promise<EventContent<E>>>;
  readonly 'PUT /_matrix/client/v3/user/{userId}/rooms/{roomId}/account_data/{type}': JsonBodyCall<Op<'PUT /_matrix/client/v3/user/{userId}/rooms/{roomId}/account_data/{type}'>, EventContent<E>>;
  readonly 'PUT /_matrix/client/v3/sendToDevice/{eventType}/{txnId}': JsonBodyCall<Op<'PUT /_matrix/client/v3/sendToDevice/{eventType}/{txnId}'>, ToDeviceBody<E>>;
}

/**
 * The call signature of every route: the type argument of the chain interfaces.
 * `eventType` is the event type an event-typed chain was bound to; the chains
 * read the event-typed members with it set (`(Calls & { eventType: E })[route]`),
 * which `this['eventType']` picks up.
 *
 * @example
 * ```ts
 * import type { Calls } from 'matrix-fluent';
 *
 * type SendMessage = (Calls & { readonly eventType: 'm.room.message' })['PUT /_matrix/client/v3/rooms/{roomId}/send/{eventType}/{txnId}'];
 * ```
 */
export interface Calls extends Omit<UntypedCalls, EventRouteKey> {
  /** The event type an event-typed chain is bound to (a type-level slot; no such value exists). */
  readonly eventType: string;
  readonly 'PUT /_matrix/client/v3/rooms/{roomId}/send/{eventType}/{txnId}': EventCalls<this['eventType']>['PUT /_matrix/client/v3/rooms/{roomId}/send/{eventType}/{txnId}'];
  readonly 'GET /_matrix/client/v3/rooms/{roomId}/state/{eventType}/{stateKey}': EventCalls<this['eventType']>['GET /_matrix/client/v3/rooms/{roomId}/state/{eventType}/{stateKey}'];
  readonly 'PUT /_matrix/client/v3/rooms/{roomId}/state/{eventType}/{stateKey}': EventCalls<this['eventType']>['PUT /_matrix/client/v3/rooms/{roomId}/state/{eventType}/{stateKey}'];
  readonly 'GET /_matrix/client/v3/user/{userId}/account_data/{type}': EventCalls<this['eventType']>['GET /_matrix/client/v3/user/{userId}/account_data/{type}'];
  readonly 'PUT /_matrix/client/v3/user/{userId}/account_data/{type}': EventCalls<this['eventType']>['PUT /_matrix/client/v3/user/{userId}/account_data/{type}'];
  readonly 'GET /_matrix/client/v3/user/{userId}/rooms/{roomId}/account_data/{type}': EventCalls<this['eventType']>['GET /_matrix/client/v3/user/{userId}/rooms/{roomId}/account_data/{type}'];
  readonly 'PUT /_matrix/client/v3/user/{userId}/rooms/{roomId}/account_data/{type}': EventCalls<this['eventType']>['PUT /_matrix/client/v3/user/{userId}/rooms/{roomId}/account_data/{type}'];
  readonly 'PUT /_matrix/client/v3/sendToDevice/{eventType}/{txnId}': EventCalls<this['eventType']>['PUT /_matrix/client/v3/sendToDevice/{eventType}/{txnId}'];
}
