/**
 * Choosing the HTTP engine, and what each built-in engine promises beyond the
 * shared suites (which run on both): keep-alive, close, no global fetch on undici.
 */
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { EngineRequest, HttpEngine } from '../../src/transport/engine.js';
import { createFetchEngine } from '../../src/transport/engines/fetch-engine.js';
import { json, startServer, type Handler, type TestServer, useTestServers } from './http-test-server.js';
import { createTransport, ENGINES, useEngine } from './engines.js';
import { recordingLogger, req } from './fixtures.js';

const start = useTestServers();

describe('choosing an engine', () => {
  it('a given fetch selects the fetch engine', () => {
    expect(createTransport({ baseUrl: 'http://127.0.0.1:9', fetch: globalThis.fetch }).engine).toBe('fetch');
  });

  it("engine: 'undici' together with a fetch is refused", () => {
    expect(() => createTransport({ baseUrl: 'http://127.0.0.1:9', fetch: globalThis.fetch, engine: 'undici' })).toThrow(TypeError);
  });

  it('an unknown engine name is refused', () => {
    expect(() => createTransport({ baseUrl: 'http://127.0.0.1:9', engine: 'curl' as 'fetch' })).toThrow(/no engine named "curl"/);
  });

  it('a custom engine performs every exchange, and the transport keeps its policy above it', async () => {
    const server = await start([json(503, { errcode: 'M_UNKNOWN' }), json(200, { ok: true })]);
    const inner = createFetchEngine();
    const seen: EngineRequest[] = [];
    const engine: HttpEngine = {
      name: 'recording',
      send: (request, follow) => {
        seen.push(request);
        return inner.send(request, follow);
      },
    };
    const { logger } = recordingLogger();
    const transport = createTransport({ baseUrl: server.url, accessToken: 'tok_123', engine, logger, sleep: async () => undefined });
    expect(transport.engine).toBe('recording');
    await expect(transport.requestJson(req('GET', '/a'))).resolves.toEqual({ ok: true });
    expect(seen).toHaveLength(2);
    expect(seen[0]?.headers['authorization']).toBe('Bearer tok_123');
    expect(seen[0]?.url).toBe(`${server.url}/a`);
  });
});

describe.each(ENGINES)('the %s engine', (engine) => {
  useEngine(engine);

  it('is the engine the transport runs on', () => {
    expect(createTransport({ baseUrl: 'http://127.0.0.1:9' }).engine).toBe(engine);
  });

  it('keeps connections alive between requests, and close() ends them', async () => {
    const sockets: Socket[] = [];
    const answer = json(200, {});
    const server = await start((request, response, ctx) => {
      sockets.push(request.socket);
      return answer(request, response, ctx);
    });
    const transport = createTransport({ baseUrl: server.url });
    for (const path of ['/a', '/b', '/c', '/d']) await transport.requestJson(req('GET', path));
    expect(sockets).toHaveLength(4);
    const distinct = [...new Set(sockets)];
    expect(distinct.length).toBeLessThan(4);
    if (engine === 'undici') {
      const open = distinct.filter((socket) => !socket.destroyed);
      expect(open.length).toBeGreaterThan(0);
      const closed = Promise.all(open.map((socket) => once(socket, 'close')));
      await transport.close();
      await closed;
      await expect(transport.requestJson(req('GET', '/c'))).rejects.toThrow(/closed/);
    } else {
      // fetch owns its connections: close() has nothing to release.
      await expect(transport.close()).resolves.toBeUndefined();
    }
  });
});

describe('the undici engine', () => {
  useEngine('undici');

  it('never calls the global fetch', async () => {
    const server = await start([json(200, { via: 'undici' })]);
    const original = globalThis.fetch;
    let calls = 0;
    globalThis.fetch = (input, init) => {
      calls++;
      return original(input, init);
    };
    try {
      await expect(createTransport({ baseUrl: server.url }).requestJson(req('GET', '/a'))).resolves.toEqual({ via: 'undici' });
    } finally {
      globalThis.fetch = original;
    }
    expect(calls).toBe(0);
  });

  it('sends a Node stream body as it is read, and the server gets every byte', async () => {
    const { Readable } = await import('node:stream');
    const server = await start([json(200, { content_uri: 'mxc://x/y' })]);
    const chunks = Array.from({ length: 64 }, (_, i) => new Uint8Array(1024).fill(i));
    const transport = createTransport({ baseUrl: server.url });
    await transport.requestJson(
      req('POST', '/upload', { bodyKind: 'binary', body: Readable.from(chunks), contentType: 'application/octet-stream' }),
    );
    expect(server.requests[0]?.body.byteLength).toBe(64 * 1024);
    expect(server.requests[0]?.body[63 * 1024]).toBe(63);
  });
});
