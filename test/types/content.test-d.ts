/**
 * Type tests of the content builders and conveniences: their contents are the
 * spec's event contents, they go into the send chains without a cast, and wrong
 * uses do not compile.
 */
import { describe, expectTypeOf, it } from 'vitest';
import {
  createClient,
  emote,
  getState,
  html,
  inThread,
  matrixPath,
  notice,
  reaction,
  replacement,
  replyTo,
  sendText,
  text,
  withMentions,
  type EventContentMap,
  type RoomEvent,
} from '../../src/index.js';

const client = createClient({ baseUrl: 'https://hs.test', accessToken: 'token' });
declare const event: RoomEvent<'m.room.message'>;

describe('the content builders', () => {
  it('make the spec content of each msgtype', () => {
    expectTypeOf(text('x').msgtype).toEqualTypeOf<'m.text'>();
    expectTypeOf(notice('x').msgtype).toEqualTypeOf<'m.notice'>();
    expectTypeOf(emote('x').msgtype).toEqualTypeOf<'m.emote'>();
    expectTypeOf(html('<b>x</b>', { msgtype: 'm.notice' }).msgtype).toEqualTypeOf<'m.notice'>();
    expectTypeOf(html('<b>x</b>').msgtype).toEqualTypeOf<'m.text'>();
    expectTypeOf(text('x')).toExtend<EventContentMap['m.room.message']>();
    expectTypeOf(replyTo(event, text('x'))).toExtend<EventContentMap['m.room.message']>();
    expectTypeOf(inThread(event, notice('x'))['m.relates_to'].rel_type).toEqualTypeOf<'m.thread'>();
    expectTypeOf(replacement(event, text('x'))['m.new_content'].msgtype).toEqualTypeOf<'m.text'>();
    expectTypeOf(reaction(event, '👍')).toExtend<EventContentMap['m.reaction']>();
    expectTypeOf(withMentions(text('x'), { room: true })['m.mentions']).toHaveProperty('room');
  });

  it('go into the send chains without a cast', () => {
    const room = client.api.rooms('!r:x');
    expectTypeOf(room.send('m.room.message').put(replyTo(event, html('<b>x</b>', { msgtype: 'm.notice' })))).resolves.toHaveProperty('event_id');
    expectTypeOf(room.send('m.reaction').put(reaction(event, '👍'))).resolves.toHaveProperty('event_id');
  });

  it('refuse what the spec does not allow', () => {
    // @ts-expect-error html makes text msgtypes only
    void html('<b>x</b>', { msgtype: 'm.image' });
    // @ts-expect-error a body is a string
    void text(42);
    // @ts-expect-error mentions are the spec's user_ids and room
    void text('x', { mentions: { users: ['@a:x'] } });
    // @ts-expect-error a reply needs a message content
    void replyTo(event, { body: 'no msgtype' });
  });
});

describe('the conveniences and the raw request', () => {
  it('answer what the chains answer', () => {
    expectTypeOf(sendText(client, '!r:x', 'hi')).resolves.toEqualTypeOf<string>();
    expectTypeOf(getState(client, '!r:x', 'm.room.name')).toEqualTypeOf(client.api.rooms('!r:x').state('m.room.name', '').get());
    expectTypeOf(getState(client, '!r:x', 'org.example.custom', 'key')).toEqualTypeOf(client.api.rooms('!r:x').state('org.example.custom', 'key').get());
    // @ts-expect-error a misspelled state type of the spec's namespace
    void getState(client, '!r:x', 'm.room.nmae');
    // @ts-expect-error a message type is not a state type
    void getState(client, '!r:x', 'm.room.message');
    // A client acting as an appservice user works the same.
    expectTypeOf(sendText(client.as('@ghost:x'), '!r:x', 'hi')).resolves.toEqualTypeOf<string>();
  });

  it('client.request takes an encoded path, never a plain string', () => {
    expectTypeOf(client.request<{ ok: boolean }>('GET', matrixPath`/_matrix/client/unstable/x/${'!r:x'}`)).resolves.toEqualTypeOf<{ ok: boolean }>();
    expectTypeOf(client.request('GET', ['_matrix', 'client', 'v3', 'x'])).resolves.toBeUnknown();
    // @ts-expect-error a plain string could carry unencoded values
    void client.request('GET', '/_matrix/client/v3/x');
    // @ts-expect-error the spec's methods only
    void client.request('PATCH', ['x']);
  });
});
