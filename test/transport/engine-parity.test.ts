/**
 * Where the engines could differ below the seam: compressed answers (both decode
 * gzip, deflate and br, with the size limit counting decoded bytes), and the undici
 * engine's pools (bounded in number, idle ones closed first).
 */
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { createAppservice, MemoryAppserviceStore, isResponseTooLargeError } from '../../src/index.js';
import { delay } from '../../src/transport/delay.js';
import { createUndiciEngine } from '../../src/transport/engines/undici.js';
import { createUndiciPoolEngine } from '../../src/transport/engines/undici-pool-engine.js';
import { createTransport as createTransportOn } from '../../src/transport/http-transport.js';
import { ENGINES, useEngine } from './engines.js';
import { rejection, req, transportFor } from './fixtures.js';
import { startServer, type Handler, type TestServer, useTestServers } from './http-test-server.js';

const start = useTestServers();

const ANSWER = { user_id: '@alice:hs.test', device_id: 'DEV', filler: 'x'.repeat(5000) };

const ENCODERS: Record<string, (data: Buffer) => Buffer> = {
  gzip: (data) => gzipSync(data),
  deflate: (data) => deflateSync(data),
  br: (data) => brotliCompressSync(data),
};

/** Answers `body` encoded with `encoding`. */
const encoded =
  (encoding: string, body: Buffer, contentType = 'application/json'): Handler =>
  (_req, res) => {
    const data = ENCODERS[encoding]!(body);
    res.writeHead(200, { 'content-type': contentType, 'content-encoding': encoding, 'content-length': data.length });
    res.end(data);
  };

describe.each(ENGINES)('on the %s engine', (engine) => {
  useEngine(engine);

  it.each(Object.keys(ENCODERS))('decodes a %s JSON answer', async (encoding) => {
    const server = await start(encoded(encoding, Buffer.from(JSON.stringify(ANSWER))));
    const { transport } = transportFor(server);
    await expect(transport.requestJson(req('GET', '/_matrix/client/v3/account/whoami'))).resolves.toEqual(ANSWER);
  });

  it('a corrupt gzip body is a network error on both engines, retried like one', async () => {
    const good = gzipSync(Buffer.from(JSON.stringify(ANSWER)));
    const corrupt = Buffer.concat([good.subarray(0, 20), Buffer.alloc(200, 0xff)]);
    const server = await start((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': corrupt.length });
      res.end(corrupt);
    });
    const { transport, delays } = transportFor(server, { retry: 1 });
    const error = await rejection(transport.requestJson(req('GET', '/_matrix/client/v3/account/whoami')));
    expect(error.name).toBe('NetworkError');
    expect(server.requests).toHaveLength(2);
    expect(delays).toHaveLength(1);
  });

  it('decodes a gzip media body as it streams', async () => {
    const bytes = Buffer.alloc(300_000, 7);
    const server = await start(encoded('gzip', bytes, 'application/octet-stream'));
    const { transport } = transportFor(server);
    const raw = await transport.requestRaw(req('GET', '/_matrix/client/v1/media/download/x/y', { responseKind: 'binary' }));
    expect(Buffer.from(await new Response(raw.body).arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('counts decoded bytes against the size limit: a gzip bomb is stopped', async () => {
    // 64 MiB of zeros, about 64 KiB on the wire.
    const server = await start(encoded('gzip', Buffer.alloc(64 * 1024 * 1024)));
    const { transport } = transportFor(server, { maxResponseBytes: 1024 * 1024 });
    const error = await rejection(transport.requestJson(req('GET', '/_matrix/client/v3/account/whoami')));
    expect(isResponseTooLargeError(error)).toBe(true);
  });
});

describe('the undici engine\'s pools', () => {
  /** A server that answers `{}` and records the client port of each request. */
  async function portRecorder(): Promise<{ server: TestServer; ports: number[] }> {
    const ports: number[] = [];
    const server = await start((req, res) => {
      ports.push(req.socket.remotePort ?? -1);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '2' });
      res.end('{}');
    });
    return { server, ports };
  }

  it('keep at most maxOrigins pools: an idle pool is closed for a new origin, and reopened when needed', async () => {
    const engine = createUndiciPoolEngine({ maxOrigins: 2 });
    const [a, b, c] = [await portRecorder(), await portRecorder(), await portRecorder()];
    const on = (s: TestServer) => createTransportOn({ baseUrl: s.url, engine });
    try {
      await on(a.server).requestJson(req('GET', '/1'));
      await on(b.server).requestJson(req('GET', '/1'));
      await on(c.server).requestJson(req('GET', '/1'));
      // A third origin closed the oldest idle pool (a's): a's next request needs a new socket.
      await on(a.server).requestJson(req('GET', '/2'));
      expect(a.ports[1]).not.toBe(a.ports[0]);
      // c's pool was kept (b's made room for a), so c's idle socket serves again.
      await on(c.server).requestJson(req('GET', '/2'));
      expect(c.ports[1]).toBe(c.ports[0]);
    } finally {
      await engine.close?.();
    }
  });

  it('never close a pool with a request in flight', async () => {
    const engine = createUndiciPoolEngine({ maxOrigins: 1 });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let arrived!: () => void;
    const inFlight = new Promise<void>((resolve) => (arrived = resolve));
    const slow = await start(async (_req, res) => {
      arrived();
      await held;
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '11' });
      res.end('{"ok":true}');
    });
    const other = await portRecorder();
    try {
      const pending = createTransportOn({ baseUrl: slow.url, engine }).requestJson(req('GET', '/slow'));
      await inFlight;
      await createTransportOn({ baseUrl: other.server.url, engine }).requestJson(req('GET', '/1'));
      release();
      await expect(pending).resolves.toEqual({ ok: true });
    } finally {
      release();
      await engine.close?.();
    }
  });

  it('an application service\'s stop() closes its client\'s sockets, and a restart connects again', async () => {
    const sockets: import('node:net').Socket[] = [];
    const hs = await start((req, res) => {
      sockets.push(req.socket);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '2' });
      res.end('{}');
    });
    const appservice = createAppservice({
      registration: {
        id: 'bridge',
        url: null,
        as_token: 'as-token-secret',
        hs_token: 'hs-token-secret',
        sender_localpart: 'bot',
        namespaces: { users: [], aliases: [], rooms: [] },
      },
      homeserverUrl: hs.url,
      serverName: 'hs.test',
      store: new MemoryAppserviceStore(),
      client: { engine: createUndiciEngine({ keepAliveTimeout: 60_000 }) },
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    });
    expect(appservice.client.transport.engine).toBe('undici');
    expect((await appservice.start()).ok).toBe(true);
    const first = sockets[0]!;
    const closed = new Promise<void>((resolve) => (first.destroyed ? resolve() : first.once('close', () => resolve())));
    await appservice.stop();
    // The client keeps idle sockets a minute and the server 5 s: closed within 2 s, it was stop().
    const bound = new AbortController();
    const stillOpen = await Promise.race([closed.then(() => false), delay(2_000, bound.signal).then(() => true, () => false)]);
    bound.abort();
    expect(stillOpen).toBe(false);
    expect((await appservice.start()).ok).toBe(true);
    expect(sockets[1]).not.toBe(first);
    await appservice.stop();
    expect(hs.requests.map((r) => r.url)).toEqual(['/_matrix/client/v1/appservice/bridge/ping', '/_matrix/client/v1/appservice/bridge/ping']);
  });
});
