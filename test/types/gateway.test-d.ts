/**
 * Type tests of the fluent gateway: path params, query, body and response of
 * representative operations, and what must not compile.
 */
import { describe, expectTypeOf, it } from 'vitest';
import { createClient, type MediaResponse } from '../../src/index.js';
import type { components } from '../../generated/client-server.js';

/** An answer object: its fields, and any other the schema allows, as unknown. */
type Open<T> = T & { [key: string]: unknown };

const client = createClient({ baseUrl: 'https://hs.test', accessToken: 'token' });
const api = client.api;
const bytes = new Uint8Array([1, 2, 3]);

describe('the api chain', () => {
  it('types ban: body with a required user_id', () => {
    expectTypeOf(api.rooms('!r:x').ban.post).parameter(0).toEqualTypeOf<{ user_id: string; reason?: string }>();
    expectTypeOf(api.rooms('!r:x').ban.post({ user_id: '@u:x' })).resolves.toEqualTypeOf<Record<string, unknown>>();
    // @ts-expect-error user_id is required
    void api.rooms('!r:x').ban.post({ reason: 'spam' });
    // @ts-expect-error no such field
    void api.rooms('!r:x').ban.post({ user_id: '@u:x', colour: 'red' });
    // @ts-expect-error ban has no GET
    void api.rooms('!r:x').ban.get();
  });

  it('types send with and without the txnId, returning the event id', () => {
    expectTypeOf(api.rooms('!r:x').send('m.room.message', 'txn1').put({ msgtype: 'm.text', body: 'hi' })).resolves.toEqualTypeOf<Open<{ event_id: string }>>();
    expectTypeOf(api.rooms('!r:x').send('m.room.message').put({ msgtype: 'm.notice', body: 'hi' })).resolves.toEqualTypeOf<Open<{ event_id: string }>>();
    // @ts-expect-error send needs an event type
    void api.rooms('!r:x').send.put({});
  });

  it('types state with an empty state key', () => {
    expectTypeOf(api.rooms('!r:x').state('m.room.name', '').put({ name: 'n' })).resolves.toHaveProperty('event_id');
    expectTypeOf(api.rooms('!r:x').state('m.room.name', '').get).toBeFunction();
    expectTypeOf(api.rooms('!r:x').state.get()).resolves.toBeArray();
  });

  it('types sync and messages queries and their responses', () => {
    expectTypeOf(api.sync.get).parameter(0).toEqualTypeOf<{
      filter?: string | components['schemas']['sync_filter'] | undefined;
      since?: string | undefined;
      full_state?: boolean | undefined;
      set_presence?: 'offline' | 'online' | 'unavailable' | undefined;
      timeout?: number | undefined;
      use_state_after?: boolean | undefined;
    } | undefined>();
    expectTypeOf(api.sync.get({ timeout: 0 })).resolves.toHaveProperty('next_batch').toEqualTypeOf<string>();
    expectTypeOf(api.rooms('!r:x').messages.get({ dir: 'b', limit: 10 })).resolves.toHaveProperty('chunk').toBeArray();
    // @ts-expect-error dir is required
    void api.rooms('!r:x').messages.get({ limit: 10 });
    // @ts-expect-error dir is 'b' or 'f'
    void api.rooms('!r:x').messages.get({ dir: 'up' });
  });

  it('types createRoom and login', () => {
    expectTypeOf(api.createRoom.post({ name: 'a', preset: 'private_chat' })).resolves.toEqualTypeOf<Open<{ room_id: string }>>();
    // @ts-expect-error unknown preset
    void api.createRoom.post({ preset: 'everyone' });
    expectTypeOf(api.login.post).parameter(0).toHaveProperty('type').toEqualTypeOf<string>();
    expectTypeOf(api.login.get()).resolves.toHaveProperty('flows');
  });

  it('types profile with and without keyName', () => {
    expectTypeOf(api.profile('@u:x').get()).resolves.toHaveProperty('displayname');
    expectTypeOf(api.profile('@u:x', 'displayname').get).toBeFunction();
    expectTypeOf(api.profile('@u:x', 'displayname').put).toBeFunction();
    // @ts-expect-error profile takes at most two parameters
    void api.profile('@u:x', 'displayname', 'extra');
  });

  it('types relations with optional trailing params', () => {
    expectTypeOf(api.rooms('!r:x').relations('$e').get()).resolves.toHaveProperty('chunk');
    expectTypeOf(api.rooms('!r:x').relations('$e', 'm.annotation').get()).resolves.toHaveProperty('chunk');
    expectTypeOf(api.rooms('!r:x').relations('$e', 'm.annotation', 'm.reaction').get({ limit: 5 })).resolves.toHaveProperty('chunk');
  });

  it('types pushrules through its trailing slash', () => {
    expectTypeOf(api.pushrules.get()).resolves.toHaveProperty('global');
    expectTypeOf(api.pushrules.global.get).toBeFunction();
    expectTypeOf(api.pushrules.global('override', '.m.rule.master').enabled.put({ enabled: false })).resolves.toEqualTypeOf<Record<string, unknown>>();
  });

  it('types the literal segments that are not identifiers', () => {
    expectTypeOf(api.account['3pid'].delete.post({ medium: 'email', address: 'a@x' })).resolves.toHaveProperty('id_server_unbind_result');
    expectTypeOf(api.login.sso.redirect.get).toBeFunction();
    // @ts-expect-error there is no DELETE on account/3pid: 'delete' is a literal segment there
    void api.account['3pid'].delete();
  });

  it('types keys/query, devices and versions', () => {
    expectTypeOf(api.keys.query.post({ device_keys: { '@u:x': [] } })).resolves.toHaveProperty('device_keys');
    expectTypeOf(api.devices.get()).resolves.toHaveProperty('devices');
    expectTypeOf(api.devices('DEV').put({ display_name: 'phone' })).resolves.toEqualTypeOf<Record<string, unknown>>();
    expectTypeOf(api.versions.get()).resolves.toHaveProperty('versions').toEqualTypeOf<string[]>();
    expectTypeOf(api.account.whoami.get()).resolves.toHaveProperty('user_id').toEqualTypeOf<string>();
  });

  it('rejects unknown segments and missing params', () => {
    // @ts-expect-error unknown segment
    void api.rooms('!r:x').bann;
    // @ts-expect-error the room id is missing
    void api.rooms.ban;
    // @ts-expect-error rooms takes a string
    void api.rooms(42n);
    // @ts-expect-error join needs its parameter before the verb
    void api.join.post({});
  });

  it('types join with a required body-less call and its via query in options', () => {
    expectTypeOf(api.join('#a:x').post({}, { query: { via: ['x'] } })).resolves.toEqualTypeOf<Open<{ room_id: string }>>();
  });
});

describe('the media chain', () => {
  it('types upload, download and thumbnail', () => {
    expectTypeOf(client.media.upload.post(bytes, { contentType: 'image/png', filename: 'a.png' })).resolves.toEqualTypeOf<Open<{ content_uri: `mxc://${string}` }>>();
    const uploaded = null as unknown as `mxc://${string}`;
    expectTypeOf(client.media.download(uploaded).get()).resolves.toEqualTypeOf<MediaResponse>();
    // @ts-expect-error a plain string is a server name: the media id must follow
    void client.media.download('hs.test').get();
    expectTypeOf(client.media.download('hs.test', 'abc').get()).resolves.toEqualTypeOf<MediaResponse>();
    expectTypeOf(client.media.download('hs.test', 'abc', 'a.png').get()).resolves.toEqualTypeOf<MediaResponse>();
    expectTypeOf(client.media.thumbnail('hs.test', 'abc').get({ width: 32, height: 32, method: 'scale' })).resolves.toEqualTypeOf<MediaResponse>();
    expectTypeOf(client.media.config.get()).resolves.toHaveProperty('m.upload.size');
    expectTypeOf(client.api.media.download('hs.test', 'abc').get()).resolves.toEqualTypeOf<MediaResponse>();
    // @ts-expect-error thumbnail needs width and height
    void client.media.thumbnail('hs.test', 'abc').get({ method: 'scale' });
    // @ts-expect-error an upload takes bytes, not a string
    void client.media.upload.post('hello');
  });

  it('types the well-known documents', () => {
    expectTypeOf(client.wellKnown.matrix.client.get()).resolves.toHaveProperty('m.homeserver');
  });
});
