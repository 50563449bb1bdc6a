/**
 * Edits (`m.replace`): the new content goes in `m.new_content`; the top level is
 * the fallback that clients without edits show (`* ` and the new text).
 */
import { referenced, withoutRelation } from './event-ref.js';
import { isRecord } from '../is-record.js';
import { mentionsOf, mergeMentions } from './mentions.js';
import type { EventReference, Mentions, ReplacementContent, RoomMessageContent } from './types.js';

/** The users of `next` that `before` did not mention, and the room when it was not mentioned before. */
function newlyMentioned(next: Mentions, before: Mentions): Mentions {
  const mentions: Mentions = {};
  const users = (next.user_ids ?? []).filter((user) => !(before.user_ids ?? []).includes(user));
  if (users.length > 0) mentions.user_ids = users;
  if (next.room === true && before.room !== true) mentions.room = true;
  return mentions;
}

/**
 * An edit of an event: `m.new_content` holds the new content (its relations
 * dropped: an edit keeps the original's reply or thread), the top level holds
 * the fallback with `* ` before the body (and before the HTML), and
 * `m.relates_to` is `{ rel_type: 'm.replace', event_id }`.
 *
 * Given the original event rather than its id, the edit follows the spec's rules:
 * an edit of an edit targets the original event; a state event is refused (it
 * cannot be replaced); and the top-level `m.mentions` holds only the users newly
 * mentioned, so that an edit does not notify again those the original already
 * did (`m.new_content` keeps the full list). Given only the id, the top level
 * mentions everyone the new content does.
 *
 * @example
 * ```ts
 * const { event_id } = await client.api.rooms(roomId).send('m.room.message').put(text('Helo'));
 * await client.api.rooms(roomId).send('m.room.message').put(replacement(event_id, text('Hello')));
 * ```
 */
export function replacement<C extends RoomMessageContent>(original: EventReference, content: C): ReplacementContent<C> {
  const target = referenced(original, 'replacement');
  if (target.stateKey !== undefined) throw new TypeError(`replacement: ${target.eventId} is a state event, which cannot be replaced`);
  let eventId = target.eventId;
  let before = mentionsOf(target.content);
  if (target.relation?.['rel_type'] === 'm.replace') {
    // An edit of an edit replaces the original, which the edit names.
    const originalId = target.relation['event_id'];
    if (typeof originalId !== 'string') throw new TypeError(`replacement: ${target.eventId} is an edit without the id of the event it edits`);
    eventId = originalId;
    const edited = target.content?.['m.new_content'];
    before = isRecord(edited) ? mentionsOf(edited) : before;
  }
  const newContent = withoutRelation(content);
  const full = mergeMentions(mentionsOf(newContent as Record<string, unknown>), undefined);
  const fallback: C = { ...newContent, body: `* ${newContent.body}` };
  const formatted = (newContent as Record<string, unknown>)['formatted_body'];
  if (typeof formatted === 'string') (fallback as Record<string, unknown>)['formatted_body'] = `* ${formatted}`;
  return {
    ...fallback,
    'm.mentions': target.content === undefined ? full : newlyMentioned(full, before ?? {}),
    'm.new_content': { ...newContent, 'm.mentions': full },
    'm.relates_to': { rel_type: 'm.replace', event_id: eventId },
  };
}
