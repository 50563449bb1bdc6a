/**
 * Reactions (`m.annotation`), sent as `m.reaction` events.
 */
import { referenced } from './event-ref.js';
import type { EventReference, ReactionContent } from './types.js';

/**
 * The content of an `m.reaction` event: an annotation of `event` with `key`,
 * usually an emoji. The key is sent as given: the spec asks for the emoji
 * presentation selector (U+FE0F) on codepoints that take it, so `'👍'` as is,
 * `'❤️'` rather than `'❤'`. Servers count one reaction per sender, event and key.
 *
 * @example
 * ```ts
 * await client.api.rooms(roomId).send('m.reaction').put(reaction(event, '👍'));
 * ```
 */
export function reaction(event: EventReference, key: string): ReactionContent {
  const target = referenced(event, 'reaction');
  if (typeof key !== 'string' || key === '') throw new TypeError('reaction: the key must be a non-empty string');
  return { 'm.relates_to': { rel_type: 'm.annotation', event_id: target.eventId, key } };
}
