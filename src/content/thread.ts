/**
 * Threads (`m.thread`): an event in a thread names the thread's root, and keeps an
 * `m.in_reply_to` so that clients without threads show it as a reply.
 */
import { assertNoRelation, referenced, threadRootOf } from './event-ref.js';
import { mentionsOf, mergeMentions } from './mentions.js';
import type { EventReference, Mentions, RoomMessageContent, ThreadRelation } from './types.js';

/**
 * Options of {@link inThread}.
 *
 * @example
 * ```ts
 * const options: ThreadOptions = { latestEventId: '$latest' };
 * inThread('$root', text('More'), options);
 * ```
 */
export interface ThreadOptions {
  /**
   * The event of the thread this message answers: a real reply within the thread
   * (`is_falling_back: false`), which also mentions its sender when given as an event.
   */
  replyTo?: EventReference;
  /**
   * The latest event of the thread, the one clients without threads show this
   * message as answering (`is_falling_back: true`). The root when left out.
   */
  latestEventId?: string;
}

/**
 * What {@link inThread} makes of a content.
 *
 * @example
 * ```ts
 * const content: ThreadContent<NoticeContent> = inThread('$root', notice('Done'));
 * ```
 */
export type ThreadContent<C extends RoomMessageContent = RoomMessageContent> = C & {
  'm.relates_to': ThreadRelation;
  'm.mentions': Mentions;
};

/**
 * Puts a content in the thread of `root` (`rel_type: 'm.thread'`). The root must
 * not have a relation of its own, as the spec says; an event already in a thread
 * stands for its thread (the message joins that thread, falling back to a reply to
 * the event given). Without `replyTo`, `m.in_reply_to` is only the fallback for
 * clients without threads (`is_falling_back: true`), pointing at `latestEventId`
 * or the root; with it, the message is a reply within the thread.
 *
 * @example
 * ```ts
 * await client.api.rooms(roomId).send('m.room.message').put(inThread(rootEvent, text('In the thread')));
 * inThread('$root', text('Answering you'), { replyTo: someThreadEvent });
 * ```
 */
export function inThread<C extends RoomMessageContent>(root: EventReference, content: C, options: ThreadOptions = {}): ThreadContent<C> {
  const given = referenced(root, 'inThread');
  assertNoRelation(content, 'inThread');
  const threadRoot = threadRootOf(given);
  if (threadRoot === undefined && given.relation !== undefined && given.relation['rel_type'] !== undefined) {
    throw new TypeError(`inThread: ${given.eventId} has a ${String(given.relation['rel_type'])} relation, and an event with a relation cannot be a thread root`);
  }
  const rootId = threadRoot ?? given.eventId;
  let mentions = mentionsOf(content as Record<string, unknown>);
  let relation: ThreadRelation;
  if (options.replyTo !== undefined) {
    const answered = referenced(options.replyTo, 'inThread replyTo');
    if (answered.sender !== undefined) mentions = mergeMentions(mentions, { user_ids: [answered.sender] });
    relation = { rel_type: 'm.thread', event_id: rootId, is_falling_back: false, 'm.in_reply_to': { event_id: answered.eventId } };
  } else {
    const latest = options.latestEventId ?? (threadRoot === undefined ? rootId : given.eventId);
    if (!latest.startsWith('$')) throw new TypeError(`inThread: an event id starts with '$', got ${JSON.stringify(latest)}`);
    relation = { rel_type: 'm.thread', event_id: rootId, is_falling_back: true, 'm.in_reply_to': { event_id: latest } };
  }
  return { ...content, 'm.mentions': mergeMentions(mentions, undefined), 'm.relates_to': relation };
}
