/**
 * Rooms: joining, leaving and reading state, one-liners over the chains.
 */
import type { StateEventType } from '../../generated/events.js';
import type { ClientWithApi } from './types.js';
import type { RequestOptions } from '../transport/types.js';

/**
 * Options of {@link joinRoom}.
 *
 * @example
 * ```ts
 * const options: JoinRoomOptions = { via: ['example.org'], reason: 'invited by Alice' };
 * ```
 */
export interface JoinRoomOptions extends RequestOptions {
  /** Servers to join through (`via`), needed for a room of another server that this one is not in. */
  via?: string[] | undefined;
  /** Why the user joins, kept in their membership event. */
  reason?: string | undefined;
}

/**
 * Joins a room by id or alias and answers the room id.
 *
 * @example
 * ```ts
 * const roomId = await joinRoom(client, '#matrix:example.org', { via: ['example.org'] });
 * ```
 */
export async function joinRoom(client: ClientWithApi, roomIdOrAlias: string, options: JoinRoomOptions = {}) {
  const { via, reason, ...request } = options;
  const { room_id } = await client.api.join(roomIdOrAlias).post(reason === undefined ? {} : { reason }, via === undefined ? request : { ...request, query: { via } });
  return room_id;
}

/**
 * Options of {@link leaveRoom}.
 *
 * @example
 * ```ts
 * const options: LeaveRoomOptions = { reason: 'done here' };
 * ```
 */
export interface LeaveRoomOptions extends RequestOptions {
  /** Why the user leaves, kept in their membership event. */
  reason?: string | undefined;
}

/**
 * Leaves a room (or declines its invite).
 *
 * @example
 * ```ts
 * await leaveRoom(client, roomId, { reason: 'done here' });
 * ```
 */
export async function leaveRoom(client: ClientWithApi, roomId: string, options: LeaveRoomOptions = {}): Promise<void> {
  const { reason, ...request } = options;
  await client.api.rooms(roomId).leave.post(reason === undefined ? {} : { reason }, request);
}

/**
 * A state event type as the state chain takes it: any type outside the spec's
 * `m.` namespace, and in it only the state types the spec defines (so that a
 * misspelled `m.room.nmae` does not compile).
 *
 * @example
 * ```ts
 * const type: StateTypeArg<'m.room.topic'> = 'm.room.topic';
 * ```
 */
export type StateTypeArg<E extends string> = E & (E extends `m.${string}` ? StateEventType : unknown);

/**
 * Reads the content of a room's state event (`stateKey` empty by default, as for
 * `m.room.name`), typed as the state chain types it; a missing one is a
 * `MatrixError` with `M_NOT_FOUND`.
 *
 * @example
 * ```ts
 * const { name } = await getState(client, roomId, 'm.room.name');
 * ```
 */
export function getState<E extends string>(client: ClientWithApi, roomId: string, type: StateTypeArg<E>, stateKey = '', options?: RequestOptions) {
  return client.api.rooms(roomId).state(type, stateKey).get({}, options);
}
