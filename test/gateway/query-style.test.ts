/**
 * Query serialisation by the spec's style, the optional bodies and undefined
 * query values, as a local server receives them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from '../../src/index.js';
import { json, startServer, type TestServer } from '../transport/http-test-server.js';
import { explodeQuery } from '../../src/gateway/query-style.js';
import { ROUTES } from '../../generated/routes.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function clientOn(answer: unknown) {
  server = await startServer(json(200, answer));
  return { client: createClient({ baseUrl: server.url, accessToken: 'secret-token', retry: 0 }), server };
}

describe('query serialisation by the spec style', () => {
  it('sends the fields of a third-party lookup exploded, one parameter per key', async () => {
    const { client, server } = await clientOn([]);
    await client.api.thirdparty.location('irc').get({ fields: { network: 'irc.example.org', channel: '#matrix' } });
    expect(server.requests[0]!.url).toBe('/_matrix/client/v3/thirdparty/location/irc?network=irc.example.org&channel=%23matrix');
    await client.api.thirdparty.user('irc').get({ fields: { nick: 'alice' } });
    expect(server.requests[1]!.url).toBe('/_matrix/client/v3/thirdparty/user/irc?nick=alice');
  });

  it('takes the exploded style from the route table, generated from the spec', () => {
    expect(ROUTES['GET /_matrix/client/v3/thirdparty/location/{protocol}'].explode).toEqual(['fields']);
    expect(ROUTES['GET /_matrix/client/v3/rooms/{roomId}/messages'].explode).toBeUndefined();
  });

  it('sends a filter object as JSON text', async () => {
    const { client, server } = await clientOn({ chunk: [], start: 's' });
    await client.api.rooms('!r:x').messages.get({ dir: 'b', filter: { types: ['m.room.message'], limit: 5 } });
    const url = new URL(server.requests[0]!.url, server.url);
    expect(JSON.parse(url.searchParams.get('filter')!)).toEqual({ types: ['m.room.message'], limit: 5 });
  });

  it('leaves out a query value that is undefined', async () => {
    const { client, server } = await clientOn({ chunk: [], start: 's' });
    const from: string | undefined = undefined;
    await client.api.rooms('!r:x').messages.get({ dir: 'b', from });
    expect(server.requests[0]!.url).toBe('/_matrix/client/v3/rooms/!r%3Ax/messages?dir=b');
  });

  it('keeps a parameter the call names itself over a key of an exploded object, and a __proto__ key as a plain key', () => {
    const fields = JSON.parse('{"__proto__":"x","network":"n","limit":"9"}') as Record<string, string>;
    const out = explodeQuery({ explode: ['fields'] }, { fields, limit: 1 })!;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out).sort()).toEqual(['__proto__', 'limit', 'network']);
    expect(out.limit).toBe(1);
  });
});

describe('bodies without required keys', () => {
  it('sends {} for leave and join called without a body', async () => {
    const { client, server } = await clientOn({ room_id: '!r:x' });
    await client.api.rooms('!r:x').leave.post();
    await client.api.join('#a:x').post();
    expect(server.requests.map((r) => [r.method, r.url, r.body.toString()])).toEqual([
      ['POST', '/_matrix/client/v3/rooms/!r%3Ax/leave', '{}'],
      ['POST', '/_matrix/client/v3/join/%23a%3Ax', '{}'],
    ]);
  });
});
