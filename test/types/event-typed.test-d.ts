/**
 * Type tests of the event-typed chains (send, state, account data, to-device),
 * the signatures that fit real code, and the events of API answers.
 */
import { describe, expectTypeOf, it } from 'vitest';
import { createClient, isEventOfType, type EventContentMap } from '../../src/index.js';

const api = createClient({ baseUrl: 'https://hs.test', accessToken: 'token' }).api;
const room = api.rooms('!r:x');

describe('event-typed sends', () => {
  it('types the body of a send by its event type', () => {
    expectTypeOf(room.send('m.room.message').put).parameter(0).toEqualTypeOf<EventContentMap['m.room.message']>();
    void room.send('m.room.message').put({ msgtype: 'm.text', body: 'hi', format: 'org.matrix.custom.html', formatted_body: '<b>hi</b>' });
    void room.send('m.reaction').put({ 'm.relates_to': { rel_type: 'm.annotation', event_id: '$e', key: '👍' } });
    // @ts-expect-error misspelled key: msgtyp
    void room.send('m.room.message').put({ msgtyp: 'm.text', body: 'hi' });
    // @ts-expect-error wrong msgtype: m.txt is not one the spec defines
    void room.send('m.room.message').put({ msgtype: 'm.txt', body: 'hi' });
    void room.send('m.room.message').put({ msgtype: 'com.example.poll', body: 'a custom msgtype' });
    // @ts-expect-error a known msgtype with a field of the wrong type
    void room.send('m.room.message').put({ msgtype: 'm.image', body: 'a.png', url: 'https://not-an-mxc' });
    // @ts-expect-error the body is missing
    void room.send('m.room.message').put({ msgtype: 'm.text' });
  });

  it('refuses an m. event type the spec does not define, and state types on send', () => {
    // @ts-expect-error misspelled event type
    void room.send('m.room.mesage');
    // @ts-expect-error misspelled event type, with a txnId
    void room.send('m.room.mesage', 'txn');
    // @ts-expect-error a state event type is sent with state(), not send()
    void room.send('m.room.name');
  });

  it('takes an open object for a type outside the m. namespace and for a type only known at run time', () => {
    expectTypeOf(room.send('com.example.ping').put).parameter(0).toEqualTypeOf<Record<string, unknown> | undefined>();
    void room.send('com.example.ping').put({ at: 1, nested: { ok: true } });
    const type: string = 'org.example.dynamic';
    expectTypeOf(room.send(type).put).parameter(0).toEqualTypeOf<Record<string, unknown> | undefined>();
  });

  it('types relations, replacements and mentions in a message body', () => {
    void room.send('m.room.message').put({
      msgtype: 'm.text',
      body: '* edited',
      'm.new_content': { msgtype: 'm.text', body: 'edited' },
      'm.relates_to': { rel_type: 'm.replace', event_id: '$e' },
      'm.mentions': { user_ids: ['@u:x'] },
    });
    void room.send('m.room.message').put({
      msgtype: 'm.text',
      body: 'in a thread',
      'm.relates_to': { rel_type: 'm.thread', event_id: '$root', is_falling_back: true, 'm.in_reply_to': { event_id: '$root' } },
    });
    // @ts-expect-error m.in_reply_to needs an event_id
    void room.send('m.room.message').put({ msgtype: 'm.text', body: 'x', 'm.relates_to': { 'm.in_reply_to': {} } });
  });
});

describe('event-typed state', () => {
  it('reads a state event as its content, or as the event with format: event', async () => {
    expectTypeOf(room.state('m.room.name', '').get()).resolves.toEqualTypeOf<EventContentMap['m.room.name']>();
    const name = await room.state('m.room.name', '').get();
    expectTypeOf(name.name).toEqualTypeOf<string>();
    const event = await room.state('m.room.power_levels', '').get({ format: 'event' });
    expectTypeOf(event.content).toEqualTypeOf<EventContentMap['m.room.power_levels']>();
    expectTypeOf(event.state_key).toEqualTypeOf<string>();
    expectTypeOf(event.event_id).toEqualTypeOf<string>();
    expectTypeOf(event.type).toEqualTypeOf<'m.room.power_levels'>();
  });

  it('types the body of a state put by its event type', () => {
    void room.state('m.room.topic', '').put({ topic: 'hello' });
    void room.state('m.room.member', '@u:x').put({ membership: 'join' });
    // @ts-expect-error wrong state content: m.room.topic has a topic, not a name
    void room.state('m.room.topic', '').put({ name: 'x' });
    // @ts-expect-error wrong state content: unknown membership
    void room.state('m.room.member', '@u:x').put({ membership: 'joined' });
    // @ts-expect-error a message is not a state event type
    void room.state('m.room.message', '');
    // @ts-expect-error misspelled state event type
    void room.state('m.room.nmae', '');
    void room.state('com.example.settings', '').put({ any: 'thing' });
  });
});

describe('event-typed account data and to-device', () => {
  it('types global and room account data by type', async () => {
    const direct = await api.user('@u:x').account_data('m.direct').get();
    expectTypeOf(direct).toEqualTypeOf<EventContentMap['m.direct']>();
    void api.user('@u:x').account_data('m.ignored_user_list').put({ ignored_users: { '@spam:x': {} } });
    // @ts-expect-error wrong content for m.ignored_user_list
    void api.user('@u:x').account_data('m.ignored_user_list').put({ ignored: ['@spam:x'] });
    expectTypeOf(api.user('@u:x').rooms('!r:x').account_data('m.tag').get()).resolves.toEqualTypeOf<EventContentMap['m.tag']>();
    // @ts-expect-error misspelled account data type
    void api.user('@u:x').account_data('m.drect');
    void api.user('@u:x').account_data('com.example.prefs').put({ theme: 'dark' });
  });

  it('types the messages of a to-device send by type', () => {
    void api.sendToDevice('m.dummy').put({ messages: { '@u:x': { DEVICE: {} } } });
    void api.sendToDevice('com.example.ping', 'txn').put({ messages: { '@u:x': { '*': { n: 1 } } } });
    // @ts-expect-error m.room_key_request needs its action
    void api.sendToDevice('m.room_key_request').put({ messages: { '@u:x': { '*': { requesting_device_id: 'D', request_id: 'r' } } } });
  });
});

describe('signatures that fit real code', () => {
  it('makes a body without required keys optional', () => {
    expectTypeOf(room.leave.post()).resolves.toBeObject();
    expectTypeOf(api.join('#a:x').post()).resolves.toHaveProperty('room_id');
    expectTypeOf(room.forget.post()).resolves.toBeObject();
    // @ts-expect-error ban still needs its user_id
    void room.ban.post();
  });

  it('takes undefined for an optional query value under exactOptionalPropertyTypes', () => {
    const from: string | undefined = undefined as string | undefined;
    expectTypeOf(room.messages.get({ dir: 'b', from })).resolves.toHaveProperty('chunk');
    // @ts-expect-error a required query value does not take undefined
    void room.messages.get({ dir: undefined });
  });

  it('takes a filter object', () => {
    void room.messages.get({ dir: 'b', filter: { types: ['m.room.message'], contains_url: true } });
    void api.sync.get({ filter: { room: { timeline: { limit: 5 } } } });
    void api.sync.get({ filter: 'filter-id' });
    // @ts-expect-error a filter field of the wrong type
    void room.messages.get({ dir: 'b', filter: { types: 'm.room.message' } });
  });

  it('takes the fields of a third-party lookup as an object', () => {
    void api.thirdparty.location('irc').get({ fields: { network: 'irc.example.org', channel: '#matrix' } });
  });
});

describe('events in API answers', () => {
  it('discriminates the events of messages by type', async () => {
    const { chunk } = await room.messages.get({ dir: 'b' });
    const event = chunk[0]!;
    // (one msgtype of the spec, m.key.verification.request, leaves the body optional)
    if (event.type === 'm.room.message') expectTypeOf(event.content.body).toEqualTypeOf<string | undefined>();
    if (event.type === 'm.room.message' && event.content.msgtype === 'm.text') expectTypeOf(event.content.body).toEqualTypeOf<string>();
    if (event.type === 'm.room.member') expectTypeOf(event.content.membership).toEqualTypeOf<'invite' | 'join' | 'knock' | 'leave' | 'ban'>();
    if (event.type === 'com.example.custom') expectTypeOf(event.content).toEqualTypeOf<{ [key: string]: unknown }>();
    const texts = chunk.filter((e) => isEventOfType(e, 'm.room.message')).map((e) => e.content.msgtype);
    expectTypeOf(texts).toEqualTypeOf<EventContentMap['m.room.message']['msgtype'][]>();
  });

  it('types the events of context, relations, threads and search', async () => {
    const context = await room.context('$e').get();
    if (context.event?.type === 'm.room.topic') expectTypeOf(context.event.content.topic).toEqualTypeOf<string>();
    const relations = await room.relations('$e', 'm.annotation').get();
    const first = relations.chunk[0]!;
    if (first.type === 'm.reaction') expectTypeOf(first.content['m.relates_to']?.key).toEqualTypeOf<string | undefined>();
    const threads = await room.threads.get();
    expectTypeOf(threads.chunk[0]!.room_id).toEqualTypeOf<string>();
    const search = await api.search.post({ search_categories: { room_events: { search_term: 'x' } } });
    const hit = search.search_categories.room_events?.results?.[0]?.result;
    if (hit?.type === 'm.room.name') expectTypeOf(hit.content.name).toEqualTypeOf<string>();
  });

  it('types the bundled relations in unsigned', async () => {
    const { chunk } = await room.messages.get({ dir: 'b' });
    const relations = chunk[0]!.unsigned?.['m.relations'];
    expectTypeOf(relations?.['m.thread']?.count).toEqualTypeOf<number | undefined>();
    expectTypeOf(relations?.['m.thread']?.current_user_participated).toEqualTypeOf<boolean | undefined>();
    expectTypeOf(relations?.['m.replace']?.event_id).toEqualTypeOf<string | undefined>();
    expectTypeOf(relations?.['m.reference']?.chunk).toEqualTypeOf<{ event_id: string }[] | undefined>();
  });
});
