/**
 * `m.mentions`: who a message mentions, for the spec's intentional-mentions push
 * rules. Only the users listed (and the room, with `room: true`) are notified as
 * mentioned; the builders always send the property, empty when nobody is, so the
 * legacy rules (display name or user id found in the body) never apply to them.
 */
import { isRecord } from '../is-record.js';
import type { Mentions } from './types.js';

/** The union of two mentions: user ids without duplicates, in first-seen order; `room` when either has it. */
export function mergeMentions(base: Mentions | undefined, more: Mentions | undefined): Mentions {
  const users: string[] = [];
  for (const list of [base?.user_ids, more?.user_ids]) {
    for (const user of list ?? []) {
      if (typeof user !== 'string' || !user.startsWith('@')) throw new TypeError(`m.mentions: a user id starts with '@', got ${JSON.stringify(user)}`);
      if (!users.includes(user)) users.push(user);
    }
  }
  const merged: Mentions = {};
  if (users.length > 0) merged.user_ids = users;
  if (base?.room === true || more?.room === true) merged.room = true;
  return merged;
}

/** The `m.mentions` of a content, when it has a well-formed one. */
export function mentionsOf(content: Record<string, unknown> | undefined): Mentions | undefined {
  const value = content?.['m.mentions'];
  if (!isRecord(value)) return undefined;
  const mentions: Mentions = {};
  const users = value['user_ids'];
  if (Array.isArray(users)) mentions.user_ids = users.filter((user): user is string => typeof user === 'string' && user.startsWith('@'));
  if (value['room'] === true) mentions.room = true;
  return mentions;
}

/**
 * Adds mentions to a message content: users (each once) and, with `room: true`,
 * the whole room (`@room`). Returns a new content; the given one is not changed.
 *
 * @example
 * ```ts
 * const content = withMentions(text('Alice, Bob: lunch?'), { user_ids: ['@alice:example.org', '@bob:example.org'] });
 * await client.api.rooms(roomId).send('m.room.message').put(content);
 * ```
 */
export function withMentions<C extends object>(content: C, mentions: Mentions): C & { 'm.mentions': Mentions } {
  const current = mentionsOf(content as Record<string, unknown>);
  return { ...content, 'm.mentions': mergeMentions(current, mentions) };
}
