import { describe, expect, it } from 'vitest';
import { createClient, isInvalidEndpointError, InvalidEndpointError } from '../../src/index.js';
import { recordingFetch } from '../support/recording-fetch.js';
import { newTransactionId } from '../../src/gateway/dispatch.js';

function setup(versions?: string[]) {
  const { fetch, requests } = recordingFetch(versions ? { versions } : {});
  const client = createClient({ baseUrl: 'http://hs.test/', accessToken: 'secret-token', fetch, retry: 0 });
  const sent = () => requests.filter((r) => !r.url.endsWith('/_matrix/client/versions')).map((r) => `${r.method} ${r.url.replace('http://hs.test', '')}`);
  return { client, requests, sent };
}

function thrown(fn: () => unknown): InvalidEndpointError {
  try {
    fn();
  } catch (error) {
    if (isInvalidEndpointError(error)) return error;
    throw error;
  }
  throw new Error('expected an InvalidEndpointError');
}

describe('the chain proxy', () => {
  it('does not hang when awaited, and prints as its chain', async () => {
    const { client } = setup();
    await expect(Promise.resolve(client.api)).resolves.toBe(client.api);
    expect(String(client.api.rooms('!r:x').ban)).toBe('api.rooms("!r:x").ban');
  });

  it('names the chain, what is valid and the closest match for an unknown segment, before any request', () => {
    const { client, requests } = setup();
    const error = thrown(() => (client.api.rooms('!r:x') as any).bann);
    expect(error).toBeInstanceOf(InvalidEndpointError);
    expect(error.chain).toBe('api.rooms("!r:x").bann');
    expect(error.suggestion).toBe('ban');
    expect(error.valid).toContain('.ban');
    expect(error.message).toMatch(/Unknown segment 'bann' at api\.rooms\("!r:x"\)\.bann\. Did you mean 'ban'\?/);
    expect(requests).toHaveLength(0);
  });

  it('suggests across case: createroom is createRoom', () => {
    const { client } = setup();
    expect(thrown(() => (client.api as any).createroom).suggestion).toBe('createRoom');
  });

  it('rejects a verb the operation does not have, listing the valid ones', () => {
    const { client } = setup();
    const error = thrown(() => (client.api.rooms('!r:x').ban as any).get);
    expect(error.message).toMatch(/No GET operation at api\.rooms\("!r:x"\)\.ban\.get/);
    expect(error.valid).toEqual(['post()']);
  });

  it('says which path parameter is missing when a segment comes too early', () => {
    const { client } = setup();
    expect(thrown(() => (client.api.rooms as any).ban).message).toMatch(/Missing path parameter \{roomId\} before 'ban': write api\.rooms\(roomId\)\.ban/);
  });

  it('rejects too many path parameters and values that are not strings', () => {
    const { client } = setup();
    expect(thrown(() => (client.api.profile as any)('@u:x', 'displayname', 'more')).message).toMatch(/Too many path parameters \(3\)/);
    expect(thrown(() => (client.api.rooms as any)(undefined)).message).toMatch(/Path parameter 1 must be a string, got undefined/);
    expect(thrown(() => (client.api.versions as any)('x')).message).toMatch(/No path parameter is taken/);
  });

  it('never walks into an object prototype', () => {
    const { client } = setup();
    expect((client.api as any).constructor).toBeUndefined();
    expect(thrown(() => (client.api as any).__proto__).message).toMatch(/Unknown segment '__proto__'/);
    expect(thrown(() => (client.api as any).hasOwnProperty).message).toMatch(/Unknown segment/);
  });

  it('percent-encodes every path parameter, keeps an empty state key as a trailing slash', async () => {
    const { client, sent } = setup();
    await client.api.rooms('!room:example.org').state('m.room.name', '').get();
    await client.api.rooms('!room:example.org').state('com.example.x', 'a/b?c#d').get();
    await client.api.rooms('!r:x').context('$event/../id').get();
    expect(sent()).toEqual([
      'GET /_matrix/client/v3/rooms/!room%3Aexample.org/state/m.room.name/',
      'GET /_matrix/client/v3/rooms/!room%3Aexample.org/state/com.example.x/a%2Fb%3Fc%23d',
      'GET /_matrix/client/v3/rooms/!r%3Ax/context/%24event%2F..%2Fid',
    ]);
  });

  it('refuses a path value of . or .., which URL parsers would remove, with a rejection before any request', async () => {
    const { client, requests } = setup();
    await expect(client.api.rooms('!r:x').state('m.room.power_levels', '.').put({})).rejects.toThrow(InvalidEndpointError);
    await expect(client.api.rooms('..').state('m.room.name', '').get()).rejects.toThrow(/cannot be sent as a URL path segment/);
    // Not an mxc URI: one value is bound, and the chain itself is refused at once.
    expect(() => client.media.download('mxc://../..').get()).toThrow(InvalidEndpointError);
    expect(requests).toHaveLength(0);
  });

  it('binds several parameters in one call, and optional trailing ones may be left out', async () => {
    const { client, sent } = setup();
    await client.api.rooms('!r:x').relations('$e').get();
    await client.api.rooms('!r:x').relations('$e', 'm.annotation', 'm.reaction').get();
    await client.api.profile('@u:x').get();
    await client.api.profile('@u:x', 'displayname').get();
    expect(sent()).toEqual([
      'GET /_matrix/client/v1/rooms/!r%3Ax/relations/%24e',
      'GET /_matrix/client/v1/rooms/!r%3Ax/relations/%24e/m.annotation/m.reaction',
      'GET /_matrix/client/v3/profile/%40u%3Ax',
      'GET /_matrix/client/v3/profile/%40u%3Ax/displayname',
    ]);
  });

  it('makes a fresh txnId for each send that leaves it out, and keeps an explicit one', async () => {
    const { client, sent } = setup();
    await client.api.rooms('!r:x').send('m.room.message').put({ msgtype: 'm.text', body: 'a' });
    await client.api.rooms('!r:x').send('m.room.message').put({ msgtype: 'm.text', body: 'b' });
    await client.api.rooms('!r:x').send('m.room.message', 'mine').put({ msgtype: 'm.text', body: 'c' });
    await client.api.rooms('!r:x').redact('$e').put({ reason: 'spam' });
    const [a, b, c, redact] = sent();
    expect(a).toMatch(/^PUT \/_matrix\/client\/v3\/rooms\/!r%3Ax\/send\/m\.room\.message\/mf\.[\w.]+$/);
    expect(b).not.toBe(a);
    expect(c).toBe('PUT /_matrix/client/v3/rooms/!r%3Ax/send/m.room.message/mine');
    expect(redact).toMatch(/^PUT \/_matrix\/client\/v3\/rooms\/!r%3Ax\/redact\/%24e\/mf\./);
  });

  it('sends the JSON body, the query and the token only in the Authorization header', async () => {
    const { client, requests } = setup();
    await client.api.rooms('!r:x').ban.post({ user_id: '@u:x', reason: 'spam' });
    await client.api.rooms('!r:x').messages.get({ dir: 'b', limit: 10, filter: '{"types":["m.room.message"]}' });
    await client.api.join('#a:x').post({}, { query: { via: ['x', 'y'] } });
    const [ban, messages, join] = requests;
    expect(ban!.body).toBe('{"user_id":"@u:x","reason":"spam"}');
    expect(ban!.headers.get('content-type')).toMatch(/^application\/json/);
    expect(ban!.headers.get('authorization')).toBe('Bearer secret-token');
    expect(messages!.url).toBe('http://hs.test/_matrix/client/v3/rooms/!r%3Ax/messages?dir=b&limit=10&filter=%7B%22types%22%3A%5B%22m.room.message%22%5D%7D');
    expect(join!.url).toBe('http://hs.test/_matrix/client/v3/join/%23a%3Ax?via=x&via=y');
    for (const r of requests) expect(r.url).not.toContain('secret-token');
  });

  it('reaches literal segments that are verbs or not identifiers, and pushrules through its trailing slash', async () => {
    const { client, sent } = setup();
    await client.api.account['3pid'].delete.post({ medium: 'email', address: 'a@x' });
    await client.api.pushrules.get();
    await client.api.pushrules.global.get();
    await client.api.register['m.login.registration_token'].validity.get({ token: 't' });
    expect(sent()).toEqual([
      'POST /_matrix/client/v3/account/3pid/delete',
      'GET /_matrix/client/v3/pushrules/',
      'GET /_matrix/client/v3/pushrules/global/',
      'GET /_matrix/client/v1/register/m.login.registration_token/validity?token=t',
    ]);
    expect(thrown(() => (client.api.register as any)['m.login.sso']).chain).toBe("api.register['m.login.sso']");
  });

  it('builds a chain without bound values once per client, and keeps bound chains apart', async () => {
    const { client, sent } = setup();
    expect(client.api.account.whoami).toBe(client.api.account.whoami);
    expect(client.api.account.whoami.get).toBe(client.api.account.whoami.get);
    expect(client.api.rooms('!a:x').ban).not.toBe(client.api.rooms('!a:x').ban);
    const ban = client.api.rooms('!a:x').ban.post;
    await client.api.rooms('!b:x').ban.post({ user_id: '@u:x' });
    await ban({ user_id: '@u:x' });
    expect(sent()).toEqual(['POST /_matrix/client/v3/rooms/!b%3Ax/ban', 'POST /_matrix/client/v3/rooms/!a%3Ax/ban']);
    expect(String(client.api.account.whoami)).toBe('api.account.whoami');
  });

  it('makes distinct txnIds across many sends', () => {
    const ids = Array.from({ length: 100 }, () => newTransactionId());
    expect(new Set(ids).size).toBe(100);
    for (const id of ids) expect(id).toMatch(/^mf\.[0-9a-z]+\.[0-9a-f]{16}$/);
  });

  it('sends nothing when the arguments are of the wrong kind, and rejects rather than throws', async () => {
    const { client, requests } = setup();
    await expect(client.api.rooms('!r:x').ban.post('spam' as any)).rejects.toThrow(/request body must be a plain JSON object or left out, got string/);
    await expect(client.api.rooms('!r:x').messages.get(['b'] as any)).rejects.toThrow(/the query must be an object/);
    expect(requests).toHaveLength(0);
  });
});

describe('the media chain', () => {
  it('reads an mxc URI as server name and media id', async () => {
    const { client, sent } = setup();
    const media = await client.media.download('mxc://example.org/abc123').get();
    expect(media.contentType).toBe('image/png');
    expect(media.filename).toBe('a.png');
    expect(await media.bytes()).toEqual(new Uint8Array([137, 80, 78, 71]));
    expect(sent()).toEqual(['GET /_matrix/client/v1/media/download/example.org/abc123']);
  });

  it('uses authenticated media when the server offers v1.11, the legacy routes otherwise, probing once', async () => {
    const modern = setup(['v1.11']);
    await modern.client.media.download('s', 'a').get();
    await modern.client.media.config.get();
    expect(modern.sent()).toEqual(['GET /_matrix/client/v1/media/download/s/a', 'GET /_matrix/client/v1/media/config']);
    const old = setup(['r0.6.1', 'v1.10']);
    await old.client.media.thumbnail('s', 'a').get({ width: 32, height: 32 });
    await old.client.media.config.get();
    await old.client.api.media.preview_url.get({ url: 'https://example.org' });
    expect(old.sent()).toEqual([
      'GET /_matrix/media/v3/thumbnail/s/a?width=32&height=32',
      'GET /_matrix/media/v3/config',
      'GET /_matrix/media/v3/preview_url?url=https%3A%2F%2Fexample.org',
    ]);
    expect(old.requests.filter((r) => r.url.endsWith('/versions'))).toHaveLength(1);
  });

  it('uploads bytes with their content type and file name', async () => {
    const { client, requests } = setup();
    await client.media.upload.post(new Uint8Array([1, 2, 3]), { contentType: 'image/png', filename: 'a b.png' });
    expect(requests[0]!.url).toBe('http://hs.test/_matrix/media/v3/upload?filename=a%20b.png');
    expect(requests[0]!.headers.get('content-type')).toBe('image/png');
  });
});

describe('appservice masquerading', () => {
  it('adds user_id to every request of client.as(userId), sharing the transport', async () => {
    const { fetch, requests } = recordingFetch();
    const client = createClient({ baseUrl: 'http://hs.test', asToken: 'as-secret', fetch });
    await client.as('@fluent_bot:hs.test').api.account.whoami.get();
    await client.as('@fluent_bot:hs.test', { deviceId: 'DEV' }).api.rooms('!r:x').ban.post({ user_id: '@u:x' });
    expect(requests.map((r) => r.url)).toEqual([
      'http://hs.test/_matrix/client/v3/account/whoami?user_id=%40fluent_bot%3Ahs.test',
      'http://hs.test/_matrix/client/v3/rooms/!r%3Ax/ban?user_id=%40fluent_bot%3Ahs.test&device_id=DEV',
    ]);
    expect(requests[0]!.headers.get('authorization')).toBe('Bearer as-secret');
  });

  it('keeps the chains of client.as(userId) apart from those of its client', async () => {
    const { fetch, requests } = recordingFetch();
    const client = createClient({ baseUrl: 'http://hs.test', asToken: 'as-secret', fetch });
    await client.api.account.whoami.get();
    await client.as('@fluent_bot:hs.test').api.account.whoami.get();
    await client.api.account.whoami.get();
    expect(requests.map((r) => r.url)).toEqual([
      'http://hs.test/_matrix/client/v3/account/whoami',
      'http://hs.test/_matrix/client/v3/account/whoami?user_id=%40fluent_bot%3Ahs.test',
      'http://hs.test/_matrix/client/v3/account/whoami',
    ]);
  });
});
