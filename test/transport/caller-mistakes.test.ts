/**
 * A caller's mistake fails fast and clearly: a bad `baseUrl` at construction,
 * a bad header value at the call (never sent, never retried), and every call
 * error of a chain verb as a rejected promise.
 */
import { describe, expect, it } from 'vitest';
import { InvalidEndpointError } from '../../src/errors/index.js';
import { createClient, createTransport, ENGINES, useEngine } from './engines.js';
import { rejection, req, TOKEN, transportFor } from './fixtures.js';
import { json, useTestServers } from './http-test-server.js';

const start = useTestServers();

describe('baseUrl', () => {
  it.each([
    ['not a url', /baseUrl "not a url" is not an absolute URL/],
    ['', /baseUrl must be an absolute http\(s\) URL/],
    ['matrix.example.org', /is not an absolute URL/],
    ['ftp://matrix.example.org', /must use http: or https:, not ftp:/],
    ['https://matrix.example.org/?x=1', /must not hold a query or fragment/],
    ['https://matrix.example.org/#top', /must not hold a query or fragment/],
  ])('%j is refused at construction with a clear TypeError', (baseUrl, message) => {
    expect(() => createTransport({ baseUrl })).toThrow(TypeError);
    expect(() => createTransport({ baseUrl })).toThrow(message);
    expect(() => createClient({ baseUrl, accessToken: TOKEN })).toThrow(message);
  });

  it('a base URL holding credentials is refused without quoting them', () => {
    const error = (() => {
      try {
        createTransport({ baseUrl: 'https://alice:hunter2pass@matrix.example.org' });
      } catch (caught) {
        return caught as Error;
      }
      throw new Error('expected a throw');
    })();
    expect(error.message).toBe('createTransport: baseUrl must not hold a user name or password');
  });

  it('http and https base URLs, with a path prefix and trailing slashes, are taken', () => {
    for (const baseUrl of ['http://127.0.0.1:8008', 'https://matrix.example.org/', 'https://example.org/matrix//']) {
      expect(() => createTransport({ baseUrl })).not.toThrow();
    }
  });
});

describe.each(ENGINES)('on the %s engine', (engine) => {
  useEngine(engine);

  it.each([
    ['a line break', { 'x-trace': 'a\r\nInjected: 1' }, /the value of header x-trace holds characters a header cannot carry/],
    ['a NUL', { 'x-trace': 'a\u0000b' }, /the value of header x-trace holds characters/],
    ['a character outside Latin-1', { 'x-trace': 'caf\u00e9 \u2603' }, /the value of header x-trace holds characters/],
    ['a value that is not a string', { 'x-count': 3 as unknown as string }, /the value of header x-count must be a string, got number/],
    ['an invalid name', { 'x trace': 'a' }, /"x trace" is not a valid header name/],
  ])('a header with %s is refused at the call: nothing sent, nothing retried', async (_name, headers, message) => {
    const server = await start([json(200, {})]);
    const { transport, delays } = transportFor(server);
    const error = await rejection(transport.requestJson(req('GET', '/x', { options: { headers } })));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(/^GET \/x: /);
    expect(server.requests).toHaveLength(0);
    expect(delays).toEqual([]);
  });

  it('a userAgent a header cannot carry is refused at construction', () => {
    expect(() => createTransport({ baseUrl: 'https://h.example', userAgent: 'bot\r\nX: 1' })).toThrow(/createTransport: userAgent: the value of header user-agent/);
  });

  it('valid header values are sent, trimmed, and an undefined one is left out', async () => {
    const server = await start([json(200, {})]);
    const { transport } = transportFor(server);
    await transport.requestJson(req('GET', '/x', { options: { headers: { 'X-Trace': '  abc def\t', 'x-none': undefined as unknown as string } } }));
    expect(server.requests[0]?.headers['x-trace']).toBe('abc def');
    expect(server.requests[0]?.headers['x-none']).toBeUndefined();
  });
});

describe('call errors of the chains', () => {
  function setup() {
    const sent: string[] = [];
    const fetch = async (input: RequestInfo | URL): Promise<Response> => {
      sent.push(String(input instanceof Request ? input.url : input));
      return Response.json({ event_id: '$e' });
    };
    return { client: createClient({ baseUrl: 'http://hs.test', accessToken: TOKEN, fetch: fetch as typeof globalThis.fetch, retry: 0 }), sent };
  }

  it('every mistake in a verb call is a rejection that Promise.allSettled sees, never a synchronous throw', async () => {
    const { client, sent } = setup();
    const room = client.api.rooms('!r:x');
    const calls: (() => Promise<unknown>)[] = [
      () => room.state('m.room.name', '.').put({ name: 'x' }),
      () => room.state('m.room.name', '..').get(),
      () => room.send('m.room.message', 'bad\uD800txn').put({ msgtype: 'm.text', body: 'x' }),
      () => client.api.profile('@u\uDC00:x').get(),
      () => room.ban.post('spam' as never),
      () => room.ban.post(null as never),
      () => room.ban.post([{ user_id: '@u:x' }] as never),
      () => room.ban.post(new Map([['user_id', '@u:x']]) as never),
      () => room.ban.post(new Date() as never),
      () => room.messages.get(['b'] as never),
      () => room.messages.get({ dir: 'b' }, 'options' as never),
    ];
    const results = calls.map((call) => {
      try {
        return call();
      } catch (error) {
        return { thrown: error };
      }
    });
    expect(results.every((r) => r instanceof Promise)).toBe(true);
    const settled = await Promise.allSettled(results as Promise<unknown>[]);
    expect(settled.map((s) => s.status)).toEqual(calls.map(() => 'rejected'));
    const messages = settled.map((s) => (s.status === 'rejected' ? String((s.reason as Error).message) : ''));
    expect(messages[0]).toMatch(/The value "\." of \{stateKey\} cannot be sent as a URL path segment/);
    expect((settled[2] as PromiseRejectedResult).reason).toBeInstanceOf(InvalidEndpointError);
    expect(messages[2]).toMatch(/The value of \{txnId\} is not well-formed text \(it holds a lone surrogate\)/);
    expect(messages[3]).toMatch(/The value of \{userId\} is not well-formed text/);
    expect(messages[4]).toMatch(/the request body must be a plain JSON object or left out, got string/);
    expect(messages[5]).toMatch(/got null/);
    expect(messages[6]).toMatch(/got an array/);
    expect(messages[7]).toMatch(/got a Map/);
    expect(messages[8]).toMatch(/got a Date/);
    expect(messages[9]).toMatch(/the query must be an object, got an array/);
    expect(messages[10]).toMatch(/the options must be an object, got string/);
    expect(sent).toEqual([]);
  });

  it('a body left out is {} for POST and PUT; a plain object, also one without prototype, is sent as it is', async () => {
    const bodies: string[] = [];
    const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
      const request = new Request(input, init);
      bodies.push(`${request.method} ${await request.text()}`);
      return Response.json({});
    };
    const client = createClient({ baseUrl: 'http://hs.test', accessToken: TOKEN, fetch: fetch as typeof globalThis.fetch, retry: 0 });
    await (client.api.rooms('!r:x').leave.post as () => Promise<unknown>)();
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { user_id: '@u:x' });
    await client.api.rooms('!r:x').ban.post(bare as never);
    expect(bodies).toEqual(['POST {}', 'POST {"user_id":"@u:x"}']);
  });
});
