/**
 * Narrowing events of API answers (`messages`, `context`, `relations`, …),
 * which are unions discriminated by `type`.
 */

/**
 * Whether an event is of the given type; narrows it to that member of its
 * union, so its `content` is that type's content. Also usable as a callback:
 * `chunk.filter((e) => isEventOfType(e, 'm.room.message'))`.
 *
 * @example
 * ```ts
 * import { isEventOfType } from 'matrix-fluent';
 *
 * const { chunk } = await client.api.rooms(roomId).messages.get({ dir: 'b', limit: 10 });
 * const texts = chunk.filter((event) => isEventOfType(event, 'm.room.message')).map((event) => event.content.body);
 * ```
 */
export function isEventOfType<E extends { type: string }, T extends E['type']>(event: E, type: T): event is Extract<E, { type: T }> {
  return event.type === type;
}
