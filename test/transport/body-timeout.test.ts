/**
 * The idle timeout of response bodies (`bodyTimeout`), on both engines: a body that
 * stops sending fails with a TimeoutError and its connection is closed; a body that
 * keeps sending, however slowly overall, is read to its end.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { isTimeoutError, type TimeoutError } from '../../src/errors/index.js';
import { DEFAULT_TRANSPORT_OPTIONS } from '../../src/transport/defaults.js';
import { ENGINES, createClient, useEngine } from './engines.js';
import { TOKEN, rejection, req, transportFor } from './fixtures.js';
import { json, startServer, type Handler, type TestServer, useTestServers } from './http-test-server.js';

const start = useTestServers();

/** Answers `/_matrix/client/versions` (the media probe) and hands everything else to `rest`. */
function homeserver(rest: Handler): Handler {
  return (req, res, ctx) => {
    if (req.url === '/_matrix/client/versions') return json(200, { versions: ['v1.11'] })(req, res, ctx);
    return rest(req, res, ctx);
  };
}

/** Sends the headers and a first chunk, then nothing more (the connection stays open). */
const stalls: Handler = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': '1000' });
  res.write(new Uint8Array(10));
};

/** Sends the headers and half a JSON body, then nothing more (the connection stays open). */
const stallsJson: Handler = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
  res.write('{"user_id": "@alice:hs.te');
};

/** Sends `count` chunks `everyMs` apart, then ends. */
const drips =
  (count: number, everyMs: number): Handler =>
  async (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(count) });
    for (let i = 0; i < count; i++) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, everyMs));
      if (res.destroyed) return;
      res.write(new Uint8Array([i]));
    }
    res.end();
  };

async function timeoutOf(promise: Promise<unknown>): Promise<TimeoutError> {
  const error = await rejection(promise);
  if (!isTimeoutError(error)) throw error;
  return error;
}

describe('the default', () => {
  it('is 30 s without a byte', () => {
    expect(DEFAULT_TRANSPORT_OPTIONS.bodyTimeout).toBe(30_000);
  });
});

describe.each(ENGINES)('on the %s engine', (engine) => {
  useEngine(engine);

  it('a media download that stops sending fails with a TimeoutError and closes its connection', async () => {
    const hs = await start(homeserver(stalls));
    const client = createClient({ baseUrl: hs.url, accessToken: TOKEN });
    const file = await client.media.download('hs.test', 'stalled').get(undefined, { bodyTimeout: 150 });
    const error = await timeoutOf(file.bytes());
    expect(error.phase).toBe('body');
    expect(error.timeoutMs).toBe(150);
    expect(error.message).toBe('Timed out: no response data for 150 ms: GET /_matrix/client/v1/media/download/hs.test/stalled');
    const download = hs.requests.find((r) => r.url.includes('/download/'))!;
    expect(await download.closedEarly).toBe(true);
  });

  it('the timeout restarts with each chunk: a body dripping slower overall than the timeout is read whole', async () => {
    const hs = await start(homeserver(drips(8, 40)));
    const client = createClient({ baseUrl: hs.url, accessToken: TOKEN, bodyTimeout: 200 });
    const started = Date.now();
    const file = await client.media.download('hs.test', 'slow').get();
    const bytes = await file.bytes();
    expect([...bytes]).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    // The body took longer than one timeout: it was the time between chunks that counted.
    expect(Date.now() - started).toBeGreaterThan(200);
  });

  it('the client default applies, and a request overrides it', async () => {
    const hs = await start(homeserver(stalls));
    const client = createClient({ baseUrl: hs.url, accessToken: TOKEN, bodyTimeout: 120 });
    const byClient = await timeoutOf((await client.media.download('hs.test', 'a').get()).bytes());
    expect(byClient.timeoutMs).toBe(120);
    const byRequest = await timeoutOf((await client.media.download('hs.test', 'b').get(undefined, { bodyTimeout: 180 })).bytes());
    expect(byRequest.timeoutMs).toBe(180);
  });

  it('a streamed read ends with the error, and the stream can be read no further', async () => {
    const hs = await start(homeserver(stalls));
    const client = createClient({ baseUrl: hs.url, accessToken: TOKEN, bodyTimeout: 120 });
    const reader = (await client.media.download('hs.test', 'c').get()).stream().getReader();
    const first = await reader.read();
    expect(first.value?.byteLength).toBe(10);
    const error = await timeoutOf(reader.read());
    expect(error.phase).toBe('body');
    await expect(reader.read()).rejects.toBe(error);
  });

  it('a JSON body that stops halfway is retried like a dropped connection when the request may be repeated (GET)', async () => {
    const hs = await start([stallsJson, stallsJson, json(200, { user_id: '@alice:hs.test' })]);
    const { transport, delays, lines } = transportFor(hs, { bodyTimeout: 150 });
    await expect(transport.requestJson(req('GET', '/_matrix/client/v3/account/whoami'))).resolves.toEqual({ user_id: '@alice:hs.test' });
    expect(hs.requests).toHaveLength(3);
    expect(delays).toHaveLength(2);
    // Each stalled body's connection was closed, not left to the pool.
    expect(await hs.requests[0]!.closedEarly).toBe(true);
    expect(await hs.requests[1]!.closedEarly).toBe(true);
    expect(lines.filter((line) => line.startsWith('warn Retrying GET')).join('\n')).toMatch(/no response data for 150 ms/);
  });

  it('a JSON body that keeps stalling fails with a TimeoutError once the retry budget is spent', async () => {
    const hs = await start(stallsJson);
    const { transport, delays } = transportFor(hs, { bodyTimeout: 150 });
    const error = await timeoutOf(transport.requestJson(req('GET', '/_matrix/client/v3/account/whoami', { options: { retry: 2 } })));
    expect(error.phase).toBe('body');
    expect(error.message).toBe('Timed out: no response data for 150 ms: GET /_matrix/client/v3/account/whoami');
    expect(hs.requests).toHaveLength(3);
    expect(delays).toHaveLength(2);
  });

  it('a PUT with its txnId whose answer stalls is sent again, the same request', async () => {
    const hs = await start([stallsJson, json(200, { event_id: '$e' })]);
    const { transport, delays } = transportFor(hs, { bodyTimeout: 150 });
    const path = '/_matrix/client/v3/rooms/!r:hs.test/send/m.room.message/txn1';
    await expect(transport.requestJson(req('PUT', path, { body: { msgtype: 'm.text', body: 'hi' } }))).resolves.toEqual({ event_id: '$e' });
    expect(hs.requests.map((r) => `${r.method} ${r.url} ${r.body.toString()}`)).toEqual([
      `PUT ${encodeURI(path)} {"msgtype":"m.text","body":"hi"}`,
      `PUT ${encodeURI(path)} {"msgtype":"m.text","body":"hi"}`,
    ]);
    expect(delays).toHaveLength(1);
  });

  it('a POST that may not be repeated fails at its first stalled body, not retried, its connection closed', async () => {
    const hs = await start([stallsJson, json(200, { room_id: '!r:hs.test' })]);
    const { transport, delays } = transportFor(hs, { bodyTimeout: 150 });
    const error = await timeoutOf(transport.requestJson(req('POST', '/_matrix/client/v3/createRoom', { safeToRetry: false })));
    expect(error.phase).toBe('body');
    expect(hs.requests).toHaveLength(1);
    expect(delays).toEqual([]);
    expect(await hs.requests[0]!.closedEarly).toBe(true);
  });

  it('a JSON body dripping within the timeout is parsed', async () => {
    const body = JSON.stringify({ user_id: '@alice:hs.test', device_id: 'DEV' });
    const hs = await start(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) });
      for (let i = 0; i < body.length; i += 10) {
        res.write(body.slice(i, i + 10));
        await new Promise((resolve) => setTimeout(resolve, 30));
      }
      res.end();
    });
    const { transport } = transportFor(hs, { bodyTimeout: 200 });
    await expect(transport.requestJson(req('GET', '/_matrix/client/v3/account/whoami'))).resolves.toEqual({ user_id: '@alice:hs.test', device_id: 'DEV' });
  });
});
