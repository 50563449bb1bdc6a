/**
 * Rich replies (`m.in_reply_to`). Since Matrix 1.13 a reply carries no fallback:
 * its body is only the answer (no quoted `> <@alice> ...` lines, no `<mx-reply>`),
 * and the sender of the replied-to event is mentioned instead.
 */
import { assertNoRelation, referenced, threadRootOf } from './event-ref.js';
import { mentionsOf, mergeMentions } from './mentions.js';
import type { EventReference, Mentions, ReplyRelation, RoomMessageContent, ThreadRelation } from './types.js';

/**
 * What {@link replyTo} makes of a content.
 *
 * @example
 * ```ts
 * const content: ReplyContent<TextContent> = replyTo(event, text('Got it'));
 * ```
 */
export type ReplyContent<C extends RoomMessageContent = RoomMessageContent> = C & {
  'm.relates_to': ReplyRelation | ThreadRelation;
  'm.mentions': Mentions;
};

/**
 * Makes a content a reply to an event (`m.relates_to.m.in_reply_to`). Given the
 * event rather than its id, the reply mentions its sender (`m.mentions`, as the
 * spec asks) and, when that event is in a thread, stays in the thread (an
 * `m.thread` relation with `is_falling_back: false`). The body is sent as it is:
 * no reply fallback, per Matrix 1.13.
 *
 * @example
 * ```ts
 * client.on('m.room.message', async (event, { roomId }) => {
 *   await client.api.rooms(roomId).send('m.room.message').put(replyTo(event, text('Got it')));
 * });
 * replyTo('$original', notice('Done')); // by id: no mention, no thread check
 * ```
 */
export function replyTo<C extends RoomMessageContent>(event: EventReference, content: C): ReplyContent<C> {
  const target = referenced(event, 'replyTo');
  assertNoRelation(content, 'replyTo');
  const root = threadRootOf(target);
  const relation: ReplyRelation | ThreadRelation =
    root === undefined
      ? { 'm.in_reply_to': { event_id: target.eventId } }
      : { rel_type: 'm.thread', event_id: root, is_falling_back: false, 'm.in_reply_to': { event_id: target.eventId } };
  const mentions = mergeMentions(mentionsOf(content as Record<string, unknown>), target.sender === undefined ? undefined : { user_ids: [target.sender] });
  return { ...content, 'm.mentions': mentions, 'm.relates_to': relation };
}
