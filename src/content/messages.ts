/**
 * Message builders: the content of an `m.room.message` of each text msgtype,
 * plain or formatted as HTML, with its `m.mentions`.
 */
import { htmlToText } from './html-to-text.js';
import { mergeMentions } from './mentions.js';
import type { EmoteContent, Mentions, NoticeContent, TextContent, TextLikeContent, TextMsgtype } from './types.js';

/**
 * Options of the plain message builders.
 *
 * @example
 * ```ts
 * const options: MessageOptions = { mentions: { user_ids: ['@alice:example.org'] } };
 * text('Alice, look', options);
 * ```
 */
export interface MessageOptions {
  /** Who the message mentions (`m.mentions`); nobody when left out. */
  mentions?: Mentions;
}

/**
 * Options of {@link html}.
 *
 * @example
 * ```ts
 * const options: HtmlOptions<'m.notice'> = { msgtype: 'm.notice', plain: 'Deployed v1.2' };
 * html('<b>Deployed</b> v1.2', options);
 * ```
 */
export interface HtmlOptions<M extends TextMsgtype = 'm.text'> extends MessageOptions {
  /** The plain-text `body`; derived from the HTML when left out (see {@link htmlToText}). */
  plain?: string;
  /**
   * The msgtype: `'m.text'`, `'m.notice'` (bots) or `'m.emote'`.
   * @default 'm.text'
   */
  msgtype?: M;
}

/**
 * The HTML format the spec defines for `formatted_body`.
 *
 * @example
 * ```ts
 * if (event.content.format === HTML_FORMAT) show(event.content.formatted_body);
 * ```
 */
export const HTML_FORMAT = 'org.matrix.custom.html';

function plainMessage<M extends TextMsgtype>(msgtype: M, body: string, options: MessageOptions | undefined): TextLikeContent<M> {
  if (typeof body !== 'string') throw new TypeError(`${msgtype}: the body must be a string, got ${typeof body}`);
  return { msgtype, body, 'm.mentions': mergeMentions(undefined, options?.mentions) } as TextLikeContent<M>;
}

/**
 * An `m.text` message.
 *
 * @example
 * ```ts
 * await client.api.rooms(roomId).send('m.room.message').put(text('Hello'));
 * text('Hi Alice', { mentions: { user_ids: ['@alice:example.org'] } });
 * ```
 */
export function text(body: string, options?: MessageOptions): TextContent {
  return plainMessage('m.text', body, options);
}

/**
 * An `m.notice` message: what bots send, so that other bots do not answer it.
 *
 * @example
 * ```ts
 * await client.api.rooms(roomId).send('m.room.message').put(notice('Build passed'));
 * ```
 */
export function notice(body: string, options?: MessageOptions): NoticeContent {
  return plainMessage('m.notice', body, options);
}

/**
 * An `m.emote` message: an action, shown as `* Alice waves`.
 *
 * @example
 * ```ts
 * await client.api.rooms(roomId).send('m.room.message').put(emote('waves'));
 * ```
 */
export function emote(body: string, options?: MessageOptions): EmoteContent {
  return plainMessage('m.emote', body, options);
}

/**
 * A message formatted as HTML (`format: 'org.matrix.custom.html'`), with a plain-text
 * `body` for clients, notifications and search that do not read HTML: the one given
 * as `plain`, or one derived from the HTML. The HTML is sent as given: sanitising it
 * is the receiving client's job, as the spec says, but send only what you mean.
 *
 * @example
 * ```ts
 * await client.api.rooms(roomId).send('m.room.message').put(html('<b>Deployed</b> v1.2', { msgtype: 'm.notice' }));
 * html('<p>Hello <a href="https://matrix.to/#/@alice:example.org">Alice</a></p>', { mentions: { user_ids: ['@alice:example.org'] } });
 * ```
 */
export function html<M extends TextMsgtype = 'm.text'>(formatted: string, options?: HtmlOptions<M>): TextLikeContent<M> {
  if (typeof formatted !== 'string') throw new TypeError(`html: the HTML must be a string, got ${typeof formatted}`);
  const msgtype = options?.msgtype ?? 'm.text';
  const content = plainMessage(msgtype, options?.plain ?? htmlToText(formatted), options);
  return { ...content, format: HTML_FORMAT, formatted_body: formatted } as TextLikeContent<M>;
}
