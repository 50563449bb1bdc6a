import { describe, expect, it } from 'vitest';
import { isTimeoutError, type TimeoutError } from '../../src/errors/index.js';
import { type Handler, json, text, useTestServers } from './http-test-server.js';
import { TOKEN, recordingLogger, rejection, req, transportFor } from './fixtures.js';
import { ENGINES, useEngine, createTransport } from './engines.js';

const start = useTestServers();

/** Never answers (until the client gives up). */
const hang: Handler = () => {};

describe.each(ENGINES)('on the %s engine', (engine) => {
  useEngine(engine);

  describe('timeouts and cancellation', () => {
    it('a per-request timeout ends a hanging GET with TimeoutError after the retries', async () => {
      const server = await start([hang]);
      // Attempts are counted in the client (under load a request may time out before the
      // server sees it); a timeout that did not end the attempt would hang the test.
      const attempts: number[] = [];
      const { transport, delays } = transportFor(server, { random: () => 0, hooks: { beforeRequest: ({ attempt }) => void attempts.push(attempt) } });
      const error = (await rejection(
        transport.requestJson(req('GET', '/_matrix/client/v3/sync', { options: { timeout: 100, retry: 2 } })),
      )) as TimeoutError;
      expect(isTimeoutError(error)).toBe(true);
      expect(error.timeoutMs).toBe(100);
      expect(error.message).toBe('Timed out after 100 ms: GET /_matrix/client/v3/sync');
      expect(attempts).toEqual([1, 2, 3]);
      expect(delays).toEqual([0, 0]);
      expect(server.requests.length).toBeLessThanOrEqual(3);
      for (const request of server.requests) expect(await request.closedEarly).toBe(true);
    });

    it('a timed-out attempt is retried and may then succeed', async () => {
      const server = await start([hang, json(200, { next_batch: 's1' })]);
      const { transport } = transportFor(server, { timeout: 50 });
      await expect(transport.requestJson(req('GET', '/sync'))).resolves.toEqual({ next_batch: 's1' });
    });

    it('the timeout also covers a JSON body that stalls', async () => {
      const server = await start([
        (_req, res) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.write('{"a":');
        },
      ]);
      const { transport } = transportFor(server, { timeout: 50, retry: 0 });
      expect(isTimeoutError(await rejection(transport.requestJson(req('GET', '/x'))))).toBe(true);
    });

    it('a timeout on an unsafe POST is not retried', async () => {
      const server = await start([hang]);
      // Attempts are counted where they start, in the client: under load the 100 ms may
      // pass before a request reaches the server, and the server would count none.
      const attempts: number[] = [];
      const retries: number[] = [];
      const { transport, delays } = transportFor(server, {
        timeout: 100,
        hooks: { beforeRequest: ({ attempt }) => void attempts.push(attempt), beforeRetry: ({ retryCount }) => void retries.push(retryCount) },
      });
      const error = await rejection(transport.requestJson(req('POST', '/x', { safeToRetry: false })));
      expect(isTimeoutError(error)).toBe(true);
      expect(attempts).toEqual([1]);
      expect(retries).toEqual([]);
      expect(delays).toEqual([]);
      expect(server.requests.length).toBeLessThanOrEqual(1);
    });

    it('the signal aborts an in-flight request with its reason', async () => {
      const server = await start([hang]);
      const { transport } = transportFor(server);
      const controller = new AbortController();
      const reason = new Error('user left the room view');
      const pending = transport.requestJson(req('GET', '/x', { options: { signal: controller.signal } }));
      setTimeout(() => controller.abort(reason), 100);
      await expect(pending).rejects.toBe(reason);
      expect(server.requests.length).toBeLessThanOrEqual(1);
    });

    it('an already aborted signal sends nothing', async () => {
      const server = await start([json(200, {})]);
      const { transport } = transportFor(server);
      const error = await rejection(transport.requestJson(req('GET', '/x', { options: { signal: AbortSignal.abort() } })));
      expect(error.name).toBe('AbortError');
      expect(server.requests).toHaveLength(0);
    });

    it('aborting during the backoff wait ends at once (real sleep)', async () => {
      const server = await start([text(503, 'busy'), json(200, {})]);
      const { logger } = recordingLogger();
      const controller = new AbortController();
      let abortedAt = 0;
      const transport = createTransport({
        baseUrl: server.url,
        accessToken: TOKEN,
        logger,
        random: () => 1,
        retry: { backoffBase: 10_000 },
        hooks: {
          // Abort 50 ms into the 10 s backoff wait.
          beforeRetry: () =>
            void setTimeout(() => {
              abortedAt = Date.now();
              controller.abort();
            }, 50),
        },
      });
      const error = await rejection(transport.requestJson(req('GET', '/x', { options: { signal: controller.signal } })));
      expect(error.name).toBe('AbortError');
      expect(abortedAt).toBeGreaterThan(0);
      expect(Date.now() - abortedAt).toBeLessThan(500);
      expect(server.requests).toHaveLength(1);
    });

    it('aborting during a 429 wait ends at once even if the injected sleep ignores the signal', async () => {
      const server = await start([json(429, { errcode: 'M_LIMIT_EXCEEDED', error: 'slow', retry_after_ms: 30_000 }), json(200, {})]);
      const requested: number[] = [];
      const controller = new AbortController();
      const transport = createTransport({
        baseUrl: server.url,
        accessToken: TOKEN,
        logger: recordingLogger().logger,
        sleep: (ms) => {
          requested.push(ms);
          setTimeout(() => controller.abort(new Error('stop')), 20);
          return new Promise(() => {}); // never settles
        },
      });
      const pending = transport.requestJson(req('POST', '/x', { options: { signal: controller.signal } }));
      await expect(pending).rejects.toThrow('stop');
      expect(requested).toEqual([30_000]);
      expect(server.requests).toHaveLength(1);
    });

    it('requestRaw: the timeout covers the headers only, the signal covers the stream', async () => {
      const server = await start(async (req, res) => {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.write(Buffer.alloc(10));
        if (req.url === '/hang') return; // never ends
        await new Promise((resolve) => setTimeout(resolve, 600));
        if (!res.destroyed) res.end(Buffer.alloc(10));
      });
      const { transport } = transportFor(server, { timeout: 300 });
      const raw = await transport.requestRaw(req('GET', '/slow', { responseKind: 'binary' }));
      const bytes = new Uint8Array(await new Response(raw.body).arrayBuffer());
      expect(bytes.byteLength).toBe(20);

      const controller = new AbortController();
      const second = await transport.requestRaw(req('GET', '/hang', { responseKind: 'binary', options: { signal: controller.signal } }));
      const reading = new Response(second.body).arrayBuffer();
      setTimeout(() => controller.abort(), 30);
      await expect(reading).rejects.toBeDefined();
      const hung = server.requests.find((r) => r.url === '/hang');
      await expect(hung?.closedEarly).resolves.toBe(true);
    });
  });
});
