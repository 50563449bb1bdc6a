/**
 * One type test per entry of the tolerance layer (codegen/overrides.ts): the
 * generated types take what real servers send.
 */
import { describe, expectTypeOf, it } from 'vitest';
import { createClient } from '../../src/index.js';

const api = createClient({ baseUrl: 'https://hs.test', accessToken: 'token' }).api;

describe('the tolerance layer', () => {
  it('joined_members: avatar_url and display_name may be null', async () => {
    const { joined } = await api.rooms('!r:x').joined_members.get();
    const member = joined?.['@u:x'];
    // The string part follows the spec (a later spec may narrow it to an mxc URI); null stays allowed.
    expectTypeOf(member?.avatar_url).extract<null>().toEqualTypeOf<null>();
    expectTypeOf(member?.display_name).toEqualTypeOf<string | null | undefined>();
  });

  it('user_directory/search: avatar_url and display_name may be null', async () => {
    const { results } = await api.user_directory.search.post({ search_term: 'a' });
    expectTypeOf(results[0]!.avatar_url).toEqualTypeOf<string | null | undefined>();
    expectTypeOf(results[0]!.display_name).toEqualTypeOf<string | null | undefined>();
  });

  it('search: the profile_info of a result context may hold null', async () => {
    const answer = await api.search.post({ search_categories: { room_events: { search_term: 'a' } } });
    const profile = answer.search_categories.room_events?.results?.[0]?.context?.profile_info?.['@u:x'];
    expectTypeOf(profile?.avatar_url).toEqualTypeOf<string | null | undefined>();
    expectTypeOf(profile?.displayname).toEqualTypeOf<string | null | undefined>();
  });

  it('notifications: profile_tag may be null', async () => {
    const { notifications } = await api.notifications.get();
    expectTypeOf(notifications[0]!.profile_tag).toEqualTypeOf<string | null | undefined>();
  });

  it('devices: last_seen_ip and last_seen_ts may be null', async () => {
    const { devices } = await api.devices.get();
    expectTypeOf(devices?.[0]?.last_seen_ip).toEqualTypeOf<string | null | undefined>();
    expectTypeOf(devices?.[0]?.last_seen_ts).toEqualTypeOf<number | null | undefined>();
    const one = await api.devices('DEVICE').get();
    expectTypeOf(one.last_seen_ts).toEqualTypeOf<number | null | undefined>();
  });

  it('voip/turnServer: an empty answer, every field optional', async () => {
    const turn = await api.voip.turnServer.get();
    expectTypeOf(turn.uris).toEqualTypeOf<string[] | undefined>();
    expectTypeOf(turn.username).toEqualTypeOf<string | undefined>();
    expectTypeOf(turn.ttl).toEqualTypeOf<number | undefined>();
  });

  it('unsigned: the bundled relations the spec describes in prose', async () => {
    const event = await api.rooms('!r:x').event('$e').get();
    const thread = event.unsigned?.['m.relations']?.['m.thread'];
    expectTypeOf(thread?.count).toEqualTypeOf<number | undefined>();
    expectTypeOf(thread?.latest_event).toEqualTypeOf<{ [key: string]: unknown } | undefined>();
    expectTypeOf(event.unsigned?.['m.relations']?.['m.replace']?.sender).toEqualTypeOf<string | undefined>();
  });

  it('content: relations, replacements and mentions in room events, as the spec describes in prose', () => {
    void api.rooms('!r:x').send('m.sticker').put({
      body: 'a sticker',
      info: {},
      url: 'mxc://x/y',
      'm.relates_to': { rel_type: 'm.thread', event_id: '$root' },
    });
    // @ts-expect-error a relation's event_id is a string
    void api.rooms('!r:x').send('m.room.message').put({ msgtype: 'm.text', body: 'x', 'm.relates_to': { event_id: 1 } });
  });

  it('answers are open: a field the schema does not list is readable as unknown', async () => {
    const whoami = await api.account.whoami.get();
    expectTypeOf(whoami.user_id).toEqualTypeOf<string>();
    expectTypeOf(whoami['org.example.extra']).toEqualTypeOf<unknown>();
    // bodies stay closed
    // @ts-expect-error no such field in the ban body
    void api.rooms('!r:x').ban.post({ user_id: '@u:x', colour: 'red' });
  });
});
