/**
 * `client.request`, the raw escape hatch, against a loopback server: encoded paths,
 * the query and body, and the transport's auth, errors, retries and hooks.
 */
import { describe, expect, it } from 'vitest';
import { isInvalidEndpointError, isMatrixError, matrixPath, type MatrixError, type TransportHookState } from '../../src/index.js';
import { json, text, type TestServer, useTestServers } from './http-test-server.js';
import { TOKEN, recordingSleep, rejection } from './fixtures.js';
import { createClient, ENGINES, useEngine } from './engines.js';

const start = useTestServers();

function clientFor(running: TestServer, extra: { hooks?: { beforeRequest?: (state: TransportHookState) => void; beforeRetry?: (state: TransportHookState) => void } } = {}) {
  const { sleep, delays } = recordingSleep();
  const client = createClient({ baseUrl: running.url, accessToken: TOKEN, sleep, random: () => 0.5, ...extra });
  return { client, delays };
}

describe.each(ENGINES)('client.request on the %s engine', (engine) => {
  useEngine(engine);

  it('sends a template path with every value encoded, the query, and the token in the Authorization header only', async () => {
    const server = await start(json(200, { joined: ['!a:x'] }));
    const { client } = clientFor(server);
    const roomId = '!room/../x?y#z:example.org';
    const answer = await client.request<{ joined: string[] }>('GET', matrixPath`/_matrix/client/unstable/org.example/rooms/${roomId}/thing`, {
      query: { user_id: '@alice:example.org', limit: 5, via: ['a.org', 'b.org'], skipped: undefined },
    });
    expect(answer).toEqual({ joined: ['!a:x'] });
    const [request] = server.requests;
    expect(request!.method).toBe('GET');
    expect(request!.url).toBe(
      '/_matrix/client/unstable/org.example/rooms/!room%2F..%2Fx%3Fy%23z%3Aexample.org/thing?user_id=%40alice%3Aexample.org&limit=5&via=a.org&via=b.org',
    );
    expect(request!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(request!.url).not.toContain(TOKEN);
  });

  it('encodes each segment of an array path', async () => {
    const server = await start(json(200, {}));
    const { client } = clientFor(server);
    await client.request('GET', ['_matrix', 'client', 'v3', 'rooms', '!r:x', 'state', 'm.room.name', 'a/b']);
    expect(server.requests[0]!.url).toBe('/_matrix/client/v3/rooms/!r%3Ax/state/m.room.name/a%2Fb');
  });

  it('sends a JSON body with its content type', async () => {
    const server = await start(json(200, { event_id: '$e' }));
    const { client } = clientFor(server);
    const answer = await client.request('PUT', matrixPath`/_matrix/client/v3/rooms/${'!r:x'}/send/m.room.message/${'txn 1'}`, { body: { msgtype: 'm.text', body: 'hi' } });
    expect(answer).toEqual({ event_id: '$e' });
    const [request] = server.requests;
    expect(request!.url).toBe('/_matrix/client/v3/rooms/!r%3Ax/send/m.room.message/txn%201');
    expect(request!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request!.body.toString())).toEqual({ msgtype: 'm.text', body: 'hi' });
  });

  it('refuses, before any request, a value that would be a dot segment, a plain string path, and a literal with a query', async () => {
    const server = await start(json(200, {}));
    const { client } = clientFor(server);
    for (const value of ['..', '.']) {
      expect(() => matrixPath`/_matrix/client/v3/rooms/${value}/state`).toThrow(/segment, which URL parsers remove/);
      await expect(client.request('GET', ['_matrix', value, 'x'])).rejects.toSatisfy(isInvalidEndpointError);
    }
    expect(() => matrixPath`/_matrix/client/v3/x?${'a'}`).toThrow(/path characters only/);
    expect(() => matrixPath`_matrix/client`).toThrow(/starts with '\/'/);
    await expect(client.request('GET', '/_matrix/client/v3/x' as never)).rejects.toThrow(/a plain string is refused/);
    await expect(client.request('PATCH' as never, ['x'])).rejects.toThrow(/GET, POST, PUT or DELETE/);
    expect(server.requests).toHaveLength(0);
  });

  it('answers a server error as the same MatrixError as the chains, without the token', async () => {
    const server = await start(json(403, { errcode: 'M_FORBIDDEN', error: 'Not yours' }));
    const { client } = clientFor(server);
    const error = (await rejection(client.request('POST', matrixPath`/_matrix/client/unstable/org.example/thing/${'a b'}`, { body: {} }))) as MatrixError;
    expect(isMatrixError(error)).toBe(true);
    expect(error.status).toBe(403);
    expect(error.errcode).toBe('M_FORBIDDEN');
    expect(error.message).toBe('[403 / M_FORBIDDEN] Not yours: POST /_matrix/client/unstable/org.example/thing/a b');
    expect(error.message).not.toContain(TOKEN);
  });

  it('retries a GET after a 503 with the backoff of every request', async () => {
    const server = await start([text(503, 'busy'), json(200, { ok: true })]);
    const { client, delays } = clientFor(server);
    await expect(client.request('GET', ['_matrix', 'client', 'unstable', 'thing'])).resolves.toEqual({ ok: true });
    expect(server.requests).toHaveLength(2);
    expect(delays).toEqual([250]);
  });

  it('does not repeat a POST after a 503 unless the caller says it is safe', async () => {
    const server = await start([text(503, 'busy'), text(503, 'busy'), json(200, { ok: true })]);
    const { client } = clientFor(server);
    await expect(client.request('POST', ['_matrix', 'client', 'unstable', 'thing'], { body: {} })).rejects.toSatisfy(isMatrixError);
    expect(server.requests).toHaveLength(1);
    await expect(client.request('POST', ['_matrix', 'client', 'unstable', 'thing'], { body: {}, safeToRetry: true })).resolves.toEqual({ ok: true });
    expect(server.requests).toHaveLength(3);
  });

  it('waits out a 429 for a POST too, as the server did not act', async () => {
    const server = await start([json(429, { errcode: 'M_LIMIT_EXCEEDED', retry_after_ms: 1200 }), json(200, { ok: true })]);
    const { client, delays } = clientFor(server);
    await expect(client.request('POST', ['_matrix', 'client', 'unstable', 'thing'], { body: {} })).resolves.toEqual({ ok: true });
    expect(delays).toEqual([1200]);
  });

  it('runs the hooks with the path template as the route and no token in their state', async () => {
    const server = await start([text(502, 'bad gateway'), json(200, {})]);
    const seen: TransportHookState[] = [];
    const { client } = clientFor(server, { hooks: { beforeRequest: (state) => void seen.push(state), beforeRetry: (state) => void seen.push(state) } });
    await client.request('GET', matrixPath`/_matrix/client/unstable/org.example/user/${'@a:x'}/thing`);
    expect(seen.map((state) => [state.route, state.attempt, state.status])).toEqual([
      ['GET /_matrix/client/unstable/org.example/user/{0}/thing', 1, undefined],
      ['GET /_matrix/client/unstable/org.example/user/{0}/thing', 1, 502],
      ['GET /_matrix/client/unstable/org.example/user/{0}/thing', 2, undefined],
    ]);
    expect(JSON.stringify(seen)).not.toContain(TOKEN);
  });

  it('acts as the user of client.as, and leaves the token out when asked', async () => {
    const server = await start(json(200, {}));
    const { client } = clientFor(server);
    await client.as('@ghost:example.org').request('GET', ['_matrix', 'client', 'unstable', 'thing'], { query: { a: '1' } });
    expect(server.requests[0]!.url).toBe('/_matrix/client/unstable/thing?a=1&user_id=%40ghost%3Aexample.org');
    await client.request('GET', ['_matrix', 'client', 'unstable', 'public'], { authenticated: false });
    expect(server.requests[1]!.headers.authorization).toBeUndefined();
  });

  it('takes the per-request options: an aborted signal ends the request before it is sent', async () => {
    const server = await start(json(200, {}));
    const { client } = clientFor(server);
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(client.request('GET', ['_matrix', 'x'], { signal: controller.signal })).rejects.toThrow('stop');
    expect(server.requests).toHaveLength(0);
  });
});
