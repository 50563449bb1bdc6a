/**
 * The receiver's routes and its hs_token check, through the web-standard `fetch`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Appservice } from '../../src/index.js';
import { APPSERVICE_OPERATIONS, matchRoute } from '../../src/appservice/router.js';
import { ROUTES } from '../../generated/routes.js';
import { BASE, HS_TOKEN, controlledSleep, deferred, message, putTransaction, request, started } from './helpers.js';

let appservice: Appservice | undefined;
afterEach(async () => {
  await appservice?.stop();
  appservice = undefined;
});

async function body(response: Response): Promise<{ errcode?: string; error?: string }> {
  return (await response.json()) as { errcode?: string; error?: string };
}

function put(path: string, headers: Record<string, string>): Request {
  return new Request(BASE + path, { method: 'PUT', headers, body: JSON.stringify({ events: [] }) });
}

describe('auth', () => {
  const path = '/_matrix/app/v1/transactions/t1';
  it.each([
    ['the bearer header alone is accepted', path, { authorization: `Bearer ${HS_TOKEN}` }, 200, undefined],
    ['the legacy access_token query alone is accepted', `${path}?access_token=${HS_TOKEN}`, {}, 200, undefined],
    ['header and query together are accepted when both match', `${path}?access_token=${HS_TOKEN}`, { authorization: `Bearer ${HS_TOKEN}` }, 200, undefined],
    ['header and query that differ are refused with 403', `${path}?access_token=other`, { authorization: `Bearer ${HS_TOKEN}` }, 403, 'M_FORBIDDEN'],
    ['a right query cannot rescue a wrong header', `${path}?access_token=${HS_TOKEN}`, { authorization: 'Bearer wrong' }, 403, 'M_FORBIDDEN'],
    ['no token at all is refused with 401 M_MISSING_TOKEN', path, {}, 401, 'M_MISSING_TOKEN'],
    ['a wrong header token is refused with 403 M_FORBIDDEN', path, { authorization: 'Bearer wrong' }, 403, 'M_FORBIDDEN'],
    ['a wrong query token is refused with 403 M_FORBIDDEN', `${path}?access_token=wrong`, {}, 403, 'M_FORBIDDEN'],
    ['a token that is a prefix of the right one is refused', path, { authorization: `Bearer ${HS_TOKEN.slice(0, -1)}` }, 403, 'M_FORBIDDEN'],
    ['another auth scheme is refused', path, { authorization: `Basic ${HS_TOKEN}` }, 403, 'M_FORBIDDEN'],
    ['the legacy unprefixed route takes the query token', `/transactions/t1?access_token=${HS_TOKEN}`, {}, 200, undefined],
    ['the legacy unprefixed route refuses a missing token', '/transactions/t1', {}, 401, 'M_MISSING_TOKEN'],
    ['the legacy unprefixed route refuses a wrong token', '/transactions/t1?access_token=wrong', {}, 403, 'M_FORBIDDEN'],
  ] as const)('%s', async (_name, url, headers, status, errcode) => {
    appservice = await started();
    const response = await appservice.fetch(put(url, headers));
    expect(response.status).toBe(status);
    const json = await body(response);
    expect(json.errcode).toBe(errcode);
    expect(JSON.stringify(json)).not.toContain(HS_TOKEN);
  });

  it('the query endpoints check the token too', async () => {
    appservice = await started();
    appservice.onUserQuery = () => true;
    expect((await appservice.fetch(request('GET', '/_matrix/app/v1/users/%40_bridge_a%3Aexample.org', null))).status).toBe(401);
    expect((await appservice.fetch(request('GET', '/_matrix/app/v1/users/%40_bridge_a%3Aexample.org', 'nope'))).status).toBe(403);
    expect((await appservice.fetch(request('POST', '/_matrix/app/v1/ping', null))).status).toBe(401);
    expect((await appservice.fetch(request('GET', '/_matrix/app/v1/thirdparty/protocol/irc', 'nope'))).status).toBe(403);
  });

  it('no token reaches a log line, a metric or an error', async () => {
    const lines: string[] = [];
    const record = (message: string, context?: Record<string, unknown>): void => void lines.push(message + JSON.stringify(context ?? {}));
    const metrics: string[] = [];
    appservice = await started({
      logger: { debug: record, info: record, warn: record, error: record },
      metrics: { rejected: (info) => void metrics.push(JSON.stringify(info)), transaction: (info) => void metrics.push(JSON.stringify(info)) },
    });
    await appservice.fetch(put(`/_matrix/app/v1/transactions/a?access_token=${HS_TOKEN}x`, {}));
    await appservice.fetch(put('/_matrix/app/v1/transactions/b', { authorization: `Bearer ${HS_TOKEN}` }));
    await appservice.fetch(put(`/_matrix/app/v1/transactions/b?access_token=${HS_TOKEN}`, { authorization: 'Bearer other' }));
    expect(metrics.length).toBeGreaterThanOrEqual(3);
    for (const text of [...lines, ...metrics]) expect(text).not.toContain(HS_TOKEN);
  });
});

describe('routing', () => {
  it('serves every /_matrix/app/ operation of the route table, and no route the table lacks', () => {
    const tableRoutes = Object.keys(ROUTES).filter((key) => key.includes(' /_matrix/app/')).sort();
    expect(Object.keys(APPSERVICE_OPERATIONS).sort()).toEqual(tableRoutes);
  });

  it.each([
    ['PUT', '/_matrix/app/v1/transactions/t2', 200],
    ['PUT', '/transactions/t3', 200],
    ['POST', '/_matrix/app/v1/ping', 200],
    ['GET', '/_matrix/app/v1/users/%40_bridge_a%3Aexample.org', 200],
    ['GET', '/users/%40_bridge_a%3Aexample.org', 200],
    ['GET', '/_matrix/app/v1/rooms/%23_bridge_a%3Aexample.org', 200],
    ['GET', '/rooms/%23_bridge_a%3Aexample.org', 200],
    ['GET', '/_matrix/app/v1/thirdparty/protocol/irc', 200],
    ['GET', '/_matrix/app/unstable/thirdparty/protocol/irc', 200],
    ['GET', '/_matrix/app/v1/thirdparty/user/irc?nick=bob', 200],
    ['GET', '/_matrix/app/unstable/thirdparty/user/irc?nick=bob', 200],
    ['GET', '/_matrix/app/v1/thirdparty/location/irc?channel=x', 200],
    ['GET', '/_matrix/app/v1/thirdparty/user?userid=%40bob%3Aexample.org', 200],
    ['GET', '/_matrix/app/v1/thirdparty/location?alias=%23x%3Aexample.org', 200],
  ] as const)('%s %s is served', async (method, path, status) => {
    appservice = await started();
    appservice.onUserQuery = (userId) => userId === '@_bridge_a:example.org';
    appservice.onRoomQuery = (alias) => alias === '#_bridge_a:example.org';
    appservice.thirdParty.protocol = (protocol) => ({ protocol, user_fields: ['nick'], location_fields: [], icon: 'mxc://x/y', field_types: {}, instances: [] });
    appservice.thirdParty.user = (protocol, fields) => [{ userid: '@_bridge_bob:example.org', protocol, fields }];
    appservice.thirdParty.location = (protocol, fields) => [{ alias: '#_bridge_x:example.org', protocol, fields }];
    appservice.thirdParty.userByMatrixId = (userId) => [{ userid: userId, protocol: 'irc', fields: {} }];
    appservice.thirdParty.locationByAlias = (alias) => [{ alias, protocol: 'irc', fields: {} }];
    const init = method === 'PUT' ? putTransaction('x', { events: [] }, { path }) : request(method, path);
    const response = await appservice.fetch(init);
    expect(response.status).toBe(status);
  });

  it('third-party lookups get the query fields without the token', async () => {
    appservice = await started();
    let seen: Record<string, string> | undefined;
    appservice.thirdParty.user = (_protocol, fields) => {
      seen = { ...fields };
      return [];
    };
    const response = await appservice.fetch(request('GET', `/_matrix/app/v1/thirdparty/user/irc?nick=bob&access_token=${HS_TOKEN}`, null));
    expect(response.status).toBe(200);
    expect(seen).toEqual({ nick: 'bob' });
  });

  it('a third-party answer JSON cannot carry (a BigInt, a cycle) is answered 500 M_UNKNOWN and reported, not thrown', async () => {
    appservice = await started();
    const reported: string[] = [];
    appservice.on('error', ({ event }) => void reported.push(event));
    const cycle: Record<string, unknown> = { protocol: 'irc' };
    cycle['self'] = cycle;
    appservice.thirdParty.protocol = (protocol) => (protocol === 'big' ? { count: 1n } : cycle) as never;
    for (const protocol of ['big', 'cycle']) {
      const response = await appservice.fetch(request('GET', `/_matrix/app/v1/thirdparty/protocol/${protocol}`));
      expect(response.status, protocol).toBe(500);
      expect(await body(response)).toMatchObject({ errcode: 'M_UNKNOWN' });
    }
    expect(reported).toEqual(['thirdParty', 'thirdParty']);
  });

  it('queries without an answer, or answering false, get 404 M_NOT_FOUND', async () => {
    appservice = await started();
    for (const path of ['/_matrix/app/v1/users/%40x%3Ay', '/_matrix/app/v1/rooms/%23x%3Ay', '/_matrix/app/v1/thirdparty/protocol/irc', '/_matrix/app/v1/thirdparty/user?userid=%40x%3Ay']) {
      const response = await appservice.fetch(request('GET', path));
      expect(response.status, path).toBe(404);
      expect((await body(response)).errcode).toBe('M_NOT_FOUND');
    }
    appservice.onUserQuery = async () => false;
    expect((await appservice.fetch(request('GET', '/_matrix/app/v1/users/%40x%3Ay'))).status).toBe(404);
  });

  it('a user query slower than queryTimeoutMs is answered 404 at the budget', async () => {
    appservice = await started({ queryTimeoutMs: 20 });
    let release!: () => void;
    appservice.onUserQuery = () => new Promise<boolean>((resolve) => (release = () => resolve(true)));
    const response = await appservice.fetch(request('GET', '/_matrix/app/v1/users/%40x%3Ay'));
    expect(response.status).toBe(404);
    release();
  });

  it('the query budget is the appservice\'s one wait: a query that never answers is 404 when it runs out, and an answer ends the wait', async () => {
    const { sleep, waits, begun } = controlledSleep();
    appservice = await started({ queryTimeoutMs: 60_000, sleep });
    appservice.onUserQuery = (userId) => (userId === '@fast:y' ? true : new Promise<boolean>(() => {}));
    const slow = appservice.fetch(request('GET', '/_matrix/app/v1/users/%40slow%3Ay'));
    await begun(1);
    expect(waits.map((w) => w.ms)).toEqual([60_000]);
    waits[0]!.elapse();
    expect((await slow).status).toBe(404);

    expect((await appservice.fetch(request('GET', '/_matrix/app/v1/users/%40fast%3Ay'))).status).toBe(200);
    expect(waits).toHaveLength(2);
    expect(waits[1]!.signal?.aborted).toBe(true);
  });

  it('a third-party query missing its required parameter is a 400', async () => {
    appservice = await started();
    const response = await appservice.fetch(request('GET', '/_matrix/app/v1/thirdparty/user'));
    expect(response.status).toBe(400);
    expect((await body(response)).errcode).toBe('M_MISSING_PARAM');
  });

  it.each([
    ['/_matrix/app/v1/nothing'],
    ['/_matrix/app/v1/transactions'],
    ['/_matrix/app/v1/transactions/a/b'],
    ['/_matrix/app/v2/transactions/a'],
    ['/_matrix/client/v3/sync'],
    ['/'],
  ])('an unknown path %s is 404 M_UNRECOGNIZED', async (path) => {
    appservice = await started();
    const response = await appservice.fetch(request('GET', path));
    expect(response.status).toBe(404);
    expect((await body(response)).errcode).toBe('M_UNRECOGNIZED');
  });

  it.each([
    ['GET', '/_matrix/app/v1/transactions/t1', 'PUT'],
    ['POST', '/_matrix/app/v1/users/%40a%3Ab', 'GET'],
    ['GET', '/_matrix/app/v1/ping', 'POST'],
    ['DELETE', '/transactions/t1', 'PUT'],
  ])('%s %s is 405 M_UNRECOGNIZED', async (method, path, allow) => {
    appservice = await started();
    const response = await appservice.fetch(request(method, path));
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe(allow);
    expect((await body(response)).errcode).toBe('M_UNRECOGNIZED');
  });

  it('path parameters are decoded once, and broken encodings or dot segments are refused', async () => {
    appservice = await started();
    let asked: string | undefined;
    appservice.onUserQuery = (userId) => {
      asked = userId;
      return true;
    };
    expect((await appservice.fetch(request('GET', '/_matrix/app/v1/users/%40a%252F%3Ab'))).status).toBe(200);
    expect(asked).toBe('@a%2F:b');
    expect((await appservice.fetch(request('GET', '/_matrix/app/v1/users/%E0%A4%A'))).status).toBe(400);
    // The URL parser already drops a dot segment, encoded or not: it never addresses a user.
    expect((await appservice.fetch(request('GET', '/_matrix/app/v1/users/%2e%2E'))).status).toBe(404);
    expect(matchRoute('GET', '/_matrix/app/v1/users/%2e%2E')).toMatchObject({ kind: 'bad-param' });
    expect(matchRoute('GET', '/_matrix/app/v1/users/.')).toMatchObject({ kind: 'bad-param' });
  });

  it('a transaction before start() or after stop() is answered 503 with Retry-After', async () => {
    appservice = await started();
    await appservice.stop();
    const response = await appservice.fetch(putTransaction('late', { events: [message(1)] }));
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).not.toBeNull();
    appservice = undefined;
  });

  it('fetch refuses a body over maxBodyBytes with 413 M_TOO_LARGE, counting while it streams', async () => {
    appservice = await started({ maxBodyBytes: 1024 });
    const padded = `{"events":[]${' '.repeat(2000)}}`;
    const tooLarge = await appservice.fetch(putTransaction('big', padded));
    expect(tooLarge.status).toBe(413);
    expect((await body(tooLarge)).errcode).toBe('M_TOO_LARGE');
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(512).fill(0x20));
        if (pulled === 100) controller.close();
      },
    });
    const streamed = await appservice.fetch(
      new Request(`${BASE}/_matrix/app/v1/transactions/stream`, { method: 'PUT', headers: { authorization: `Bearer ${HS_TOKEN}` }, body: stream, duplex: 'half' } as RequestInit),
    );
    expect(streamed.status).toBe(413);
    expect(pulled).toBeLessThan(10);
    expect((await appservice.fetch(putTransaction('fits', `{"events":[]${' '.repeat(900)}}`))).status).toBe(200);
  });

  it('a body that is not JSON, or has no events array, is a 400', async () => {
    appservice = await started();
    const notJson = await appservice.fetch(putTransaction('j1', '{nope'));
    expect(notJson.status).toBe(400);
    expect((await body(notJson)).errcode).toBe('M_NOT_JSON');
    const noEvents = await appservice.fetch(putTransaction('j2', { ephemeral: [] }));
    expect(noEvents.status).toBe(400);
    expect((await body(noEvents)).errcode).toBe('M_BAD_JSON');
  });
});
