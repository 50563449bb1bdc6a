/**
 * The content shapes the builders make: the spec's message contents
 * (`generated/events.ts`) with the mentions and relations the spec describes
 * beside them (`m.mentions`, `m.relates_to`, `m.new_content`). Object type
 * aliases rather than interfaces, so that a content stays assignable to a JSON
 * object type (`Record<string, unknown>`).
 */
import type { components, EventContentMap } from '../../generated/events.js';

type Schemas = components['schemas'];

/**
 * `m.mentions`: the users an event mentions, and whether it mentions the room (`@room`).
 *
 * @example
 * ```ts
 * const mentions: Mentions = { user_ids: ['@alice:example.org'] };
 * ```
 */
export type Mentions = {
  /** The Matrix ids of the users mentioned. */
  user_ids?: string[];
  /** `true` to mention the whole room; left out otherwise. */
  room?: boolean;
};

/**
 * The event a rich reply answers (`m.in_reply_to`).
 *
 * @example
 * ```ts
 * const to: InReplyTo = { event_id: '$original' };
 * ```
 */
export type InReplyTo = {
  event_id: string;
};

/**
 * The relation of a rich reply outside a thread.
 *
 * @example
 * ```ts
 * const relation: ReplyRelation = { 'm.in_reply_to': { event_id: '$original' } };
 * ```
 */
export type ReplyRelation = {
  'm.in_reply_to': InReplyTo;
};

/**
 * The relation of an event in a thread: the root's id, and the event it answers
 * (`is_falling_back: true` when that is only the fallback for clients without threads).
 *
 * @example
 * ```ts
 * const relation: ThreadRelation = { rel_type: 'm.thread', event_id: '$root', is_falling_back: true, 'm.in_reply_to': { event_id: '$latest' } };
 * ```
 */
export type ThreadRelation = {
  rel_type: 'm.thread';
  event_id: string;
  is_falling_back: boolean;
  'm.in_reply_to': InReplyTo;
};

/**
 * The relation of an edit (`m.replace`) to the event it replaces.
 *
 * @example
 * ```ts
 * const relation: ReplaceRelation = { rel_type: 'm.replace', event_id: '$original' };
 * ```
 */
export type ReplaceRelation = {
  rel_type: 'm.replace';
  event_id: string;
};

/**
 * The relation of a reaction (`m.annotation`): the event reacted to and the key, usually an emoji.
 *
 * @example
 * ```ts
 * const relation: AnnotationRelation = { rel_type: 'm.annotation', event_id: '$original', key: '👍' };
 * ```
 */
export type AnnotationRelation = {
  rel_type: 'm.annotation';
  event_id: string;
  key: string;
};

/**
 * What the builders add to a message content beside its msgtype's own fields.
 *
 * @example
 * ```ts
 * const extras: MessageExtras = { 'm.mentions': {}, 'm.relates_to': { 'm.in_reply_to': { event_id: '$original' } } };
 * ```
 */
export type MessageExtras = {
  /** The users and the room the message mentions; the builders always set it (empty when nobody). */
  'm.mentions'?: Mentions;
  /** A reply, thread or replacement relation. */
  'm.relates_to'?: ReplyRelation | ThreadRelation | ReplaceRelation;
};

/**
 * An `m.text` message content, as the spec defines it, with mentions and relations.
 *
 * @example
 * ```ts
 * const content: TextContent = { msgtype: 'm.text', body: 'Hello', 'm.mentions': {} };
 * ```
 */
export type TextContent = Schemas['content/m.room.message$m.text'] & MessageExtras;

/**
 * An `m.notice` message content (what bots send), with mentions and relations.
 *
 * @example
 * ```ts
 * const content: NoticeContent = { msgtype: 'm.notice', body: 'Build passed', 'm.mentions': {} };
 * ```
 */
export type NoticeContent = Schemas['content/m.room.message$m.notice'] & MessageExtras;

/**
 * An `m.emote` message content (`/me waves`), with mentions and relations.
 *
 * @example
 * ```ts
 * const content: EmoteContent = { msgtype: 'm.emote', body: 'waves', 'm.mentions': {} };
 * ```
 */
export type EmoteContent = Schemas['content/m.room.message$m.emote'] & MessageExtras;

/**
 * The msgtypes that carry text, optionally formatted as HTML.
 *
 * @example
 * ```ts
 * const msgtype: TextMsgtype = 'm.notice';
 * ```
 */
export type TextMsgtype = 'm.text' | 'm.notice' | 'm.emote';

/**
 * The content of a text msgtype.
 *
 * @example
 * ```ts
 * const content: TextLikeContent<'m.notice'> = { msgtype: 'm.notice', body: 'Done' };
 * ```
 */
export type TextLikeContent<M extends TextMsgtype = TextMsgtype> = M extends 'm.notice'
  ? NoticeContent
  : M extends 'm.emote'
    ? EmoteContent
    : TextContent;

/**
 * Any `m.room.message` content, as the spec defines the event (every msgtype).
 *
 * @example
 * ```ts
 * const content: RoomMessageContent = { msgtype: 'm.text', body: 'Hello' };
 * ```
 */
export type RoomMessageContent = EventContentMap['m.room.message'];

/**
 * An edit: the fallback (`* ` and the new text) for clients without edits,
 * `m.new_content` for those with, and the `m.replace` relation.
 *
 * @example
 * ```ts
 * const edit: ReplacementContent<TextContent> = {
 *   msgtype: 'm.text', body: '* Hello', 'm.mentions': {},
 *   'm.new_content': { msgtype: 'm.text', body: 'Hello', 'm.mentions': {} },
 *   'm.relates_to': { rel_type: 'm.replace', event_id: '$original' },
 * };
 * ```
 */
export type ReplacementContent<C extends RoomMessageContent = RoomMessageContent> = C & {
  'm.new_content': C;
  'm.relates_to': ReplaceRelation;
  'm.mentions': Mentions;
};

/**
 * An `m.reaction` content: the annotation relation, as the spec defines the event.
 *
 * @example
 * ```ts
 * const content: ReactionContent = { 'm.relates_to': { rel_type: 'm.annotation', event_id: '$original', key: '👍' } };
 * ```
 */
export type ReactionContent = EventContentMap['m.reaction'] & { 'm.relates_to': AnnotationRelation };

/**
 * An event the relation builders point at: its id, or the event itself. Given the
 * event, they follow the spec's rules that depend on it (the sender of a replied-to
 * event is mentioned, a reply to an event in a thread stays in the thread, an edit
 * of an edit targets the original).
 *
 * @example
 * ```ts
 * const target: EventReference = { event_id: '$original', sender: '@alice:example.org', content: { msgtype: 'm.text', body: 'Hi' } };
 * ```
 */
export type EventReference =
  | string
  | {
      readonly event_id: string;
      readonly sender?: string;
      readonly state_key?: string;
      readonly content?: object;
    };
