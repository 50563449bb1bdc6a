/**
 * The Node listener: transactions over real HTTP on 127.0.0.1, the body limit
 * (from Content-Length and while streaming), errors without a token.
 */
import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileAppserviceStore, listenAppservice, type AppserviceServer } from '../../src/node.js';
import type { Appservice } from '../../src/index.js';
import { HS_TOKEN, deferred, message, started } from './helpers.js';

let appservice: Appservice | undefined;
let server: AppserviceServer | undefined;
afterEach(async () => {
  await server?.close();
  await appservice?.stop();
  server = undefined;
  appservice = undefined;
});

function put(url: string, body: string | Uint8Array<ArrayBuffer>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'PUT', headers: { authorization: `Bearer ${HS_TOKEN}`, 'content-type': 'application/json', ...headers }, body });
}

/** A PUT whose body is streamed in chunks without a Content-Length. */
function putChunked(url: string, chunks: number, chunkBytes: number, last?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'PUT', headers: { authorization: `Bearer ${HS_TOKEN}`, 'transfer-encoding': 'chunked' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    const chunk = Buffer.alloc(chunkBytes, 0x20);
    let sent = 0;
    const write = (): void => {
      while (sent < chunks) {
        sent++;
        if (!req.write(chunk)) {
          req.once('drain', write);
          return;
        }
      }
      req.end(last);
    };
    write();
  });
}

describe('listenAppservice', () => {
  it('serves transactions on 127.0.0.1 and hands the events to the handlers', async () => {
    appservice = await started();
    server = await listenAppservice(appservice, { port: 0 });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const got = deferred<string>();
    appservice.on('m.room.message', (event) => got.resolve(event.event_id));
    const response = await put(`${server.url}/_matrix/app/v1/transactions/1`, JSON.stringify({ events: [message(1)] }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({});
    expect(await got.promise).toBe('$e1');
    const unknown = await fetch(`${server.url}/_matrix/app/v1/nope`);
    expect(unknown.status).toBe(404);
    const missing = await fetch(`${server.url}/_matrix/app/v1/transactions/2`, { method: 'PUT', body: '{}' });
    expect(missing.status).toBe(401);
  });

  it('the file store keeps the request body byte for byte, non-ASCII text included', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mf-as-listen-'));
    try {
      appservice = await started({ store: new FileAppserviceStore(dir) });
      server = await listenAppservice(appservice, { port: 0 });
      const running = deferred();
      appservice.on('m.room.message', () => {
        running.resolve();
        return new Promise<void>(() => {}); // unfinished when the store is read back
      });
      const text = JSON.stringify({ events: [message(1, '!r:x', 'héllo wörld 🎉 — ✓')] });
      expect((await put(`${server.url}/_matrix/app/v1/transactions/utf8`, text)).status).toBe(200);
      await running.promise;
      await server.close();
      server = undefined;
      // Stopped first: one store per directory at a time.
      await appservice.stop({ deadlineMs: 10 });
      appservice = undefined;
      const copy = new FileAppserviceStore(dir);
      await copy.open();
      expect((await copy.pending()).map((p) => p.body)).toEqual([text]);
      await copy.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a body over the default 20 MiB is answered 413 M_TOO_LARGE from its Content-Length, and the server goes on', async () => {
    appservice = await started();
    server = await listenAppservice(appservice, { port: 0 });
    const big = new Uint8Array(20 * 1024 * 1024 + 1).fill(0x20);
    const response = await put(`${server.url}/_matrix/app/v1/transactions/big`, big);
    expect(response.status).toBe(413);
    expect(((await response.json()) as { errcode: string }).errcode).toBe('M_TOO_LARGE');
    const next = await put(`${server.url}/_matrix/app/v1/transactions/small`, JSON.stringify({ events: [] }));
    expect(next.status).toBe(200);
  });

  it('a body just under 20 MiB is accepted', async () => {
    appservice = await started();
    server = await listenAppservice(appservice, { port: 0 });
    const padding = ' '.repeat(20 * 1024 * 1024 - 64);
    const response = await put(`${server.url}/_matrix/app/v1/transactions/near`, `{"events":[]${padding}}`);
    expect(response.status).toBe(200);
  });

  it('a streamed body without Content-Length under the limit is read whole', async () => {
    appservice = await started();
    server = await listenAppservice(appservice, { port: 0, maxBodyBytes: 64 * 1024 });
    const got = deferred<string>();
    appservice.on('m.room.message', (event) => got.resolve(event.event_id));
    // 16 chunks of spaces, then the transaction: JSON whitespace before the value.
    const { status } = await putChunked(`${server.url}/_matrix/app/v1/transactions/streamed`, 16, 1024, JSON.stringify({ events: [message(7)] }));
    expect(status).toBe(200);
    expect(await got.promise).toBe('$e7');
  });

  it('a streamed body without Content-Length is cut at the limit with 413', async () => {
    appservice = await started();
    server = await listenAppservice(appservice, { port: 0, maxBodyBytes: 64 * 1024 });
    const { status, body } = await putChunked(`${server.url}/_matrix/app/v1/transactions/stream`, 64, 4096);
    expect(status).toBe(413);
    expect(JSON.parse(body)).toMatchObject({ errcode: 'M_TOO_LARGE' });
    const next = await put(`${server.url}/_matrix/app/v1/transactions/after`, JSON.stringify({ events: [] }));
    expect(next.status).toBe(200);
  });

  it('a request target starting with // is a path, not a host: //x/transactions/1 is not the transactions route', async () => {
    appservice = await started();
    const seen: string[] = [];
    appservice.on('m.room.message', (event) => void seen.push(event.event_id));
    server = await listenAppservice(appservice, { port: 0 });
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${server!.url}/`, { method: 'PUT', path: '//x/transactions/1', headers: { authorization: `Bearer ${HS_TOKEN}`, 'content-type': 'application/json' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end(JSON.stringify({ events: [message(1)] }));
    });
    expect(status).toBe(404);
    expect(seen).toEqual([]);
  });

  it('an appservice without the direct entry is served through its fetch on an IPv6 host too', async () => {
    const real = await started();
    appservice = real;
    const urls: string[] = [];
    const viaFetchOnly = { fetch: (request: Request) => (urls.push(request.url), real.fetch(request)) } as unknown as Appservice;
    server = await listenAppservice(viaFetchOnly, { port: 0, host: '::1' });
    expect(server.url).toMatch(/^http:\/\/\[::1\]:\d+$/);
    const response = await put(`${server.url}/_matrix/app/v1/transactions/6?x=1`, JSON.stringify({ events: [message(1)] }));
    expect(response.status).toBe(200);
    expect(urls).toEqual(['http://[::1]/_matrix/app/v1/transactions/6?x=1']);
  });

  it.each([
    ['a body JSON cannot carry', { status: 200, body: { count: 1n } }],
    ['a header Node refuses', { status: 200, body: {}, headers: { 'x-bad': 'line\nbreak' } }],
  ])('a reply with %s is answered 500 M_UNKNOWN, and the server goes on', async (_name, reply) => {
    // An appservice whose receiver entry answers what cannot be sent as it is.
    const fake = { [Symbol.for('matrix-fluent.appservice.receive')]: async () => reply } as unknown as Appservice;
    server = await listenAppservice(fake, { port: 0 });
    const response = await fetch(`${server.url}/_matrix/app/v1/thirdparty/protocol/irc`, { headers: { authorization: `Bearer ${HS_TOKEN}` } });
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ errcode: 'M_UNKNOWN' });
    const again = await fetch(`${server.url}/_matrix/app/v1/thirdparty/protocol/irc`, { headers: { authorization: `Bearer ${HS_TOKEN}` } });
    expect(again.status).toBe(500);
  });
});
