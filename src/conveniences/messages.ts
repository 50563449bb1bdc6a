/**
 * Sending: one-liners over `rooms(roomId).send(type[, txnId]).put(content)` with
 * the content builders, each answering the new event's id.
 */
import { html, text, notice, type HtmlOptions } from '../content/messages.js';
import { reaction } from '../content/reaction.js';
import { replacement } from '../content/replacement.js';
import { replyTo } from '../content/reply.js';
import type { EventReference, RoomMessageContent, TextMsgtype } from '../content/types.js';
import type { ClientWithApi, SendOptions } from './types.js';

/** The room's send chain for an event type, with the caller's transaction id when there is one. */
function sendChain<T extends 'm.room.message' | 'm.reaction'>(client: ClientWithApi, roomId: string, type: T, txnId: string | undefined) {
  const room = client.api.rooms(roomId);
  return txnId === undefined ? room.send(type) : room.send(type, txnId);
}

/**
 * Sends any `m.room.message` content and answers its event id.
 *
 * @example
 * ```ts
 * const eventId = await sendMessage(client, roomId, html('<b>Hi</b>'));
 * ```
 */
export async function sendMessage(client: ClientWithApi, roomId: string, content: RoomMessageContent, options: SendOptions = {}): Promise<string> {
  const { txnId, ...request } = options;
  const { event_id } = await sendChain(client, roomId, 'm.room.message', txnId).put(content, request);
  return event_id;
}

/**
 * Sends an `m.text` message and answers its event id.
 *
 * @example
 * ```ts
 * const eventId = await sendText(client, roomId, 'Hello');
 * ```
 */
export function sendText(client: ClientWithApi, roomId: string, body: string, options?: SendOptions): Promise<string> {
  return sendMessage(client, roomId, text(body), options);
}

/**
 * Sends an `m.notice` message (what bots send) and answers its event id.
 *
 * @example
 * ```ts
 * await sendNotice(client, roomId, 'Build passed');
 * ```
 */
export function sendNotice(client: ClientWithApi, roomId: string, body: string, options?: SendOptions): Promise<string> {
  return sendMessage(client, roomId, notice(body), options);
}

/**
 * Options of {@link sendHtml}: those of the {@link html} builder and of a send.
 *
 * @example
 * ```ts
 * const options: SendHtmlOptions<'m.notice'> = { msgtype: 'm.notice', txnId: `status-${day}` };
 * ```
 */
export type SendHtmlOptions<M extends TextMsgtype = 'm.text'> = HtmlOptions<M> & SendOptions;

/**
 * Sends an HTML message (with its plain-text body, given or derived) and answers its event id.
 *
 * @example
 * ```ts
 * await sendHtml(client, roomId, '<b>Deployed</b> v1.2', { msgtype: 'm.notice' });
 * ```
 */
export function sendHtml<M extends TextMsgtype = 'm.text'>(client: ClientWithApi, roomId: string, formatted: string, options: SendHtmlOptions<M> = {}): Promise<string> {
  const { plain, msgtype, mentions, ...send } = options;
  const built: HtmlOptions<M> = {};
  if (plain !== undefined) built.plain = plain;
  if (msgtype !== undefined) built.msgtype = msgtype;
  if (mentions !== undefined) built.mentions = mentions;
  return sendMessage(client, roomId, html(formatted, built), send);
}

/**
 * Replies to an event (a rich reply: its sender mentioned, a threaded event
 * answered in its thread; see {@link replyTo}) and answers the reply's event id. A
 * string is sent as `m.text`; pass a built content for anything else.
 *
 * @example
 * ```ts
 * client.on('m.room.message', async (event, { roomId }) => {
 *   if (event.content.body === '!ping') await reply(client, roomId, event, notice('pong'));
 * });
 * ```
 */
export function reply(client: ClientWithApi, roomId: string, event: EventReference, content: string | RoomMessageContent, options?: SendOptions): Promise<string> {
  return sendMessage(client, roomId, replyTo(event, typeof content === 'string' ? text(content) : content), options);
}

/**
 * Edits a message (see {@link replacement}) and answers the edit's event id. A
 * string is the new `m.text`; pass a built content for anything else.
 *
 * @example
 * ```ts
 * const eventId = await sendText(client, roomId, 'Helo');
 * await edit(client, roomId, eventId, 'Hello');
 * ```
 */
export function edit(client: ClientWithApi, roomId: string, original: EventReference, content: string | RoomMessageContent, options?: SendOptions): Promise<string> {
  return sendMessage(client, roomId, replacement(original, typeof content === 'string' ? text(content) : content), options);
}

/**
 * Reacts to an event with a key, usually an emoji (see {@link reaction}), and
 * answers the reaction's event id (redact it to take the reaction back).
 *
 * @example
 * ```ts
 * await react(client, roomId, event, '👍');
 * ```
 */
export async function react(client: ClientWithApi, roomId: string, event: EventReference, key: string, options: SendOptions = {}): Promise<string> {
  const { txnId, ...request } = options;
  const { event_id } = await sendChain(client, roomId, 'm.reaction', txnId).put(reaction(event, key), request);
  return event_id;
}

/**
 * Options of {@link redact}.
 *
 * @example
 * ```ts
 * const options: RedactOptions = { reason: 'spam', txnId: `redact-${eventId}` };
 * ```
 */
export interface RedactOptions extends SendOptions {
  /** Why the event is redacted. */
  reason?: string | undefined;
}

/**
 * Redacts an event (its content removed for everyone; a reaction taken back) and
 * answers the redaction's event id (typed by the chain, where the spec leaves it optional).
 *
 * @example
 * ```ts
 * await redact(client, roomId, eventId, { reason: 'spam' });
 * ```
 */
export async function redact(client: ClientWithApi, roomId: string, eventId: string, options: RedactOptions = {}) {
  const { txnId, reason, ...request } = options;
  const room = client.api.rooms(roomId);
  const { event_id } = await (txnId === undefined ? room.redact(eventId) : room.redact(eventId, txnId)).put(reason === undefined ? {} : { reason }, request);
  return event_id;
}
