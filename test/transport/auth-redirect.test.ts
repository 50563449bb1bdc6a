import { afterEach, describe, expect, it } from 'vitest';
import { isRedirectError, type MatrixError } from '../../src/errors/index.js';
import { json, reset, startServer, text, type Handler, type TestServer, useTestServers } from './http-test-server.js';
import { TOKEN, recordingLogger, recordingSleep, rejection, req, transportFor } from './fixtures.js';
import { ENGINES, useEngine, createTransport } from './engines.js';

const start = useTestServers();

const redirect =
  (status: number, location: () => string): Handler =>
  (_req, res) => {
    res.writeHead(status, { location: location() });
    res.end();
  };

describe.each(ENGINES)('on the %s engine', (engine) => {
  useEngine(engine);

  describe('auth header', () => {
    it('sends Bearer only when the request is authenticated, never in the URL', async () => {
      const server = await start([json(200, {})]);
      const { transport } = transportFor(server);
      await transport.requestJson(req('GET', '/a'));
      await transport.requestJson(req('GET', '/b', { authenticated: false }));
      expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(server.requests[1]?.headers.authorization).toBeUndefined();
      expect(server.requests.every((r) => !r.url.includes(TOKEN))).toBe(true);
      expect(server.requests[0]?.headers['user-agent']).toBe('matrix-fluent');
      expect(server.requests[0]?.headers.accept).toBe('application/json');
    });

    it('an Authorization header given per request is ignored', async () => {
      const server = await start([json(200, {})]);
      const { transport } = transportFor(server);
      await transport.requestJson(req('GET', '/a', { options: { headers: { Authorization: 'Bearer other', 'X-Extra': '1' } } }));
      expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(server.requests[0]?.headers['x-extra']).toBe('1');
    });

    it('an application service token is sent the same way', async () => {
      const server = await start([json(200, {})]);
      const transport = createTransport({ baseUrl: server.url, asToken: 'as_token_value_123' });
      await transport.requestJson(req('GET', '/a'));
      expect(server.requests[0]?.headers.authorization).toBe('Bearer as_token_value_123');
      expect(() => createTransport({ baseUrl: server.url, asToken: 'a', accessToken: 'b' })).toThrow(TypeError);
    });

    it('an application service sends its token on routes the spec lists without security, such as registering its users', async () => {
      const server = await start([json(200, {})]);
      const transport = createTransport({ baseUrl: server.url, asToken: 'as_token_value_123' });
      await transport.requestJson(req('POST', '/_matrix/client/v3/register', { authenticated: false }));
      expect(server.requests[0]?.headers.authorization).toBe('Bearer as_token_value_123');
    });

    it('refuses a token that a header cannot carry, without quoting it', () => {
      for (const token of ['syt_secret\0token', 'with space', '']) {
        const error = (() => {
          try {
            createTransport({ baseUrl: 'http://127.0.0.1:9', accessToken: token });
          } catch (e) {
            return e as Error;
          }
          return undefined;
        })();
        expect(error).toBeInstanceOf(TypeError);
        if (token.length > 0) expect(error!.message).not.toContain(token);
      }
    });
  });

  describe('redirects', () => {
    it('drops Authorization on a redirect to another origin', async () => {
      const cdn = await start([text(200, 'image-bytes', 'image/png')]);
      const origin = await start([redirect(307, () => `${cdn.url}/media/abc?sig=1`)]);
      const { transport } = transportFor(origin);
      const raw = await transport.requestRaw(
        req('GET', '/_matrix/client/v1/media/download/x/abc', { responseKind: 'binary', redirect: 'follow' }),
      );
      expect(await new Response(raw.body).text()).toBe('image-bytes');
      expect(raw.url).toBe(`${cdn.url}/media/abc?sig=1`);
      expect(origin.requests[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(cdn.requests).toHaveLength(1);
      expect(cdn.requests[0]?.headers.authorization).toBeUndefined();
    });

    it('keeps Authorization on a same-origin redirect (308)', async () => {
      const server = await start([redirect(308, () => '/elsewhere'), text(200, 'ok', 'text/plain')]);
      const { transport } = transportFor(server);
      const raw = await transport.requestRaw(req('GET', '/start', { responseKind: 'binary', redirect: 'follow' }));
      expect(await new Response(raw.body).text()).toBe('ok');
      expect(server.requests.map((r) => [r.url, r.headers.authorization])).toEqual([
        ['/start', `Bearer ${TOKEN}`],
        ['/elsewhere', `Bearer ${TOKEN}`],
      ]);
    });

    it('gives up after maxRedirects with a RedirectError, not retried', async () => {
      const server = await start([redirect(307, () => '/loop')]);
      const { transport } = transportFor(server, { maxRedirects: 2 });
      const error = await rejection(transport.requestJson(req('GET', '/loop', { redirect: 'follow' })));
      expect(isRedirectError(error) && error.reason).toBe('too-many');
      expect(error.message).toContain('too many redirects');
      expect(server.requests).toHaveLength(3);
    });
  });

  describe('query and masquerading', () => {
    it('serialises the query the Matrix way', async () => {
      const server = await start([json(200, {})]);
      const { transport } = transportFor(server);
      await transport.requestJson(
        req('GET', '/q', {
          query: { via: ['a.org', 'b.org'], filter: { room: { timeline: { limit: 5 } } }, full_state: false, limit: 10, skip: undefined },
        }),
      );
      const url = new URL(server.requests[0]?.url ?? '', server.url);
      expect(url.searchParams.getAll('via')).toEqual(['a.org', 'b.org']);
      expect(JSON.parse(url.searchParams.get('filter') ?? '')).toEqual({ room: { timeline: { limit: 5 } } });
      expect(url.searchParams.get('full_state')).toBe('false');
      expect(url.searchParams.get('limit')).toBe('10');
      expect(url.searchParams.has('skip')).toBe(false);
    });

    it('as() adds user_id and device_id, sharing the same transport state', async () => {
      const server = await start([json(200, {})]);
      const { transport } = transportFor(server, { accessToken: undefined, asToken: 'as_secret_token' });
      const bot = transport.as({ userId: '@bot:x.org', deviceId: 'DEV1' });
      await bot.requestJson(req('PUT', '/_matrix/client/v3/rooms/%21r%3Ax/send/m.room.message/t1', { options: { ts: 1234 } }));
      await bot.as({ userId: '@other:x.org' }).requestJson(req('GET', '/b', { query: { a: '1' } }));
      await transport.requestJson(req('GET', '/c'));
      expect(server.requests.map((r) => r.url)).toEqual([
        '/_matrix/client/v3/rooms/%21r%3Ax/send/m.room.message/t1?ts=1234&user_id=%40bot%3Ax.org&device_id=DEV1',
        '/b?a=1&user_id=%40other%3Ax.org',
        '/c',
      ]);
      expect(server.requests.every((r) => r.headers.authorization === 'Bearer as_secret_token')).toBe(true);
    });
  });

  describe('credentials never leak', () => {
    it('keeps the token out of error messages, stacks, log lines and hook states', async () => {
      const echo: Handler = (req, res) => {
        const body = JSON.stringify({
          errcode: 'M_UNKNOWN_TOKEN',
          error: `Bad token ${String(req.headers.authorization)} at ${req.url ?? ''}`,
        });
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(body);
      };
      const server = await start([
        echo,
        text(502, `<html>${TOKEN}</html>`),
        text(502, 'x'),
        text(502, 'x'),
        text(502, 'x'),
        text(200, `not json ${TOKEN}`, 'text/plain'),
        reset(),
      ]);
      const { sleep } = recordingSleep();
      const { logger, lines } = recordingLogger();
      const states: string[] = [];
      const hook = (state: object): void => void states.push(JSON.stringify(state));
      const transport = createTransport({
        baseUrl: server.url,
        accessToken: TOKEN,
        sleep,
        logger,
        hooks: { beforeRequest: hook, afterResponse: hook, beforeRetry: (s) => hook({ ...s, error: String(s.error) }) },
      });
      const query = { access_token: TOKEN, dir: 'b' };
      const errors = [
        await rejection(transport.requestJson(req('GET', '/_matrix/client/v3/account/whoami', { query }))),
        await rejection(transport.requestJson(req('GET', '/two', { query }))),
        await rejection(transport.requestJson(req('GET', '/three', { query }))),
        await rejection(transport.requestJson(req('POST', '/four', { query, safeToRetry: false }))),
      ];
      expect(errors.map((e) => e.name)).toEqual(['MatrixError', 'MatrixError', 'InvalidResponseError', 'NetworkError']);
      expect((errors[0] as MatrixError).error).toBe('Bad token Bearer <redacted> at /_matrix/client/v3/account/whoami?access_token=<redacted>&dir=b');
      const everything = [
        ...errors.flatMap((e) => [String(e), e.message, e.stack ?? '', JSON.stringify(e), JSON.stringify((e as MatrixError).body ?? '')]),
        ...errors.map((e) => JSON.stringify((e as { excerpt?: string }).excerpt ?? '')),
        ...lines,
        ...states,
      ];
      expect(lines.length).toBeGreaterThan(5);
      expect(states.length).toBeGreaterThan(5);
      for (const line of everything) {
        expect(line).not.toContain(TOKEN);
        expect(line).not.toContain(encodeURIComponent(TOKEN));
      }
      expect(lines.some((l) => l.includes('access_token=<redacted>'))).toBe(true);
    });
  });
});

describe('the fetch engine', () => {
  it('looks the global fetch up at call time', async () => {
    const server = await start([json(200, { via: 'global' })]);
    const transport = createTransport({ baseUrl: server.url, engine: 'fetch' });
    const original = globalThis.fetch;
    let calls = 0;
    globalThis.fetch = (input, init) => {
      calls++;
      return original(input, init);
    };
    try {
      await expect(transport.requestJson(req('GET', '/a'))).resolves.toEqual({ via: 'global' });
    } finally {
      globalThis.fetch = original;
    }
    expect(calls).toBe(1);
  });

  it('uses an injected fetch', async () => {
    const server = await start([json(200, { via: 'injected' })]);
    const urls: string[] = [];
    const transport = createTransport({
      baseUrl: server.url,
      fetch: (input, init) => {
        urls.push(input instanceof Request ? input.url : String(input));
        return fetch(input, init);
      },
    });
    await expect(transport.requestJson(req('GET', '/a'))).resolves.toEqual({ via: 'injected' });
    expect(urls).toEqual([`${server.url}/a`]);
  });
});
