import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { isMatrixError, isNetworkError, type MatrixError } from '../../src/errors/index.js';
import type { TransportHookState } from '../../src/transport/options.js';
import { json, reset, text, useTestServers } from './http-test-server.js';
import { rejection, req, transportFor } from './fixtures.js';
import { ENGINES, useEngine } from './engines.js';

const start = useTestServers();

const gateway = (status: number) => text(status, `<html>${status}</html>`);

describe.each(ENGINES)('on the %s engine', (engine) => {
  useEngine(engine);

  describe('5xx and network retries', () => {
    it('retries 502, 503, 504 then succeeds, with delays within full-jitter bounds', async () => {
      const server = await start([gateway(502), gateway(503), gateway(504), json(200, { done: true })]);
      const { transport, delays } = transportFor(server);
      await expect(transport.requestJson(req('GET', '/x'))).resolves.toEqual({ done: true });
      expect(server.requests).toHaveLength(4);
      expect(delays).toHaveLength(3);
      [500, 1000, 2000].forEach((cap, i) => {
        expect(delays[i]).toBeGreaterThanOrEqual(0);
        expect(delays[i]).toBeLessThan(cap);
      });
    });

    it('schedules exact delays with a pinned random', async () => {
      const server = await start([gateway(502), gateway(503), gateway(504), json(200, {})]);
      const { transport, delays } = transportFor(server, { random: () => 0.5 });
      await transport.requestJson(req('GET', '/x'));
      expect(delays).toEqual([250, 500, 1000]);
    });

    it('caps the backoff at backoffLimit', async () => {
      const server = await start([gateway(503), gateway(503), gateway(503), json(200, {})]);
      const { transport, delays } = transportFor(server, {
        random: () => 0.999,
        retry: { backoffBase: 1000, backoffLimit: 1500 },
      });
      await transport.requestJson(req('GET', '/x'));
      expect(delays.map(Math.round)).toEqual([999, 1499, 1499]);
    });

    it('stops after the limit (default 3 retries) and throws the last MatrixError', async () => {
      const server = await start([gateway(503)]);
      const { transport, delays } = transportFor(server, { random: () => 0 });
      const error = (await rejection(transport.requestJson(req('GET', '/x')))) as MatrixError;
      expect(isMatrixError(error)).toBe(true);
      expect(error.status).toBe(503);
      expect(server.requests).toHaveLength(4);
      expect(delays).toEqual([0, 0, 0]);
    });

    it('does not retry other statuses (500, 404)', async () => {
      const server = await start([json(500, { errcode: 'M_UNKNOWN', error: 'boom' }), json(200, {})]);
      const { transport, delays } = transportFor(server);
      const error = (await rejection(transport.requestJson(req('GET', '/x')))) as MatrixError;
      expect(error.status).toBe(500);
      expect(delays).toEqual([]);
    });

    it('does not retry a 5xx on an unsafe POST', async () => {
      const server = await start([gateway(502), json(200, {})]);
      const { transport, delays } = transportFor(server);
      const error = (await rejection(transport.requestJson(req('POST', '/x', { safeToRetry: false })))) as MatrixError;
      expect(error.status).toBe(502);
      expect(server.requests).toHaveLength(1);
      expect(delays).toEqual([]);
    });

    it('retries a 5xx on a POST the route table marks safeToRetry', async () => {
      const server = await start([gateway(502), json(200, { ok: 1 })]);
      const { transport } = transportFor(server);
      await expect(transport.requestJson(req('POST', '/x', { safeToRetry: true }))).resolves.toEqual({ ok: 1 });
      expect(server.requests).toHaveLength(2);
    });

    it('retries a 5xx on an unsafe POST with retry.unsafePost (client or request)', async () => {
      const server = await start([gateway(504), gateway(504), json(200, { ok: 2 })]);
      const { transport } = transportFor(server, { retry: { unsafePost: true } });
      await expect(transport.requestJson(req('POST', '/x', { safeToRetry: false }))).resolves.toEqual({ ok: 2 });
      const second = await start([gateway(504), json(200, { ok: 3 })]);
      const other = transportFor(second).transport;
      await expect(
        other.requestJson(req('POST', '/x', { safeToRetry: false, options: { retry: { unsafePost: true } } })),
      ).resolves.toEqual({ ok: 3 });
    });

    it('retries a reset connection for GET', async () => {
      const server = await start([reset(), reset(), json(200, { again: true })]);
      const { transport, delays } = transportFor(server, { random: () => 1 });
      await expect(transport.requestJson(req('GET', '/x'))).resolves.toEqual({ again: true });
      expect(delays).toEqual([500, 1000]);
    });

    it('throws NetworkError for a reset connection on an unsafe POST, without retrying', async () => {
      const server = await start([reset(), json(200, {})]);
      const { transport } = transportFor(server);
      const error = await rejection(transport.requestJson(req('POST', '/x', { safeToRetry: false })));
      expect(isNetworkError(error)).toBe(true);
      expect(error.message).toMatch(/^Network error \(.*\): POST \/x$/);
      expect(error.cause).toBeDefined();
      expect(server.requests).toHaveLength(1);
    });

    it('throws NetworkError after the retries when nothing listens', async () => {
      const server = await start([json(200, {})]);
      const { transport, delays } = transportFor(server, { retry: 1 });
      await server.close();
      const error = await rejection(transport.requestJson(req('GET', '/x')));
      expect(isNetworkError(error)).toBe(true);
      expect(delays).toHaveLength(1);
    });

    it('retries a txn-style PUT with the exact same URL and body', async () => {
      const server = await start([gateway(503), reset(), json(200, { event_id: '$1' })]);
      const { transport } = transportFor(server);
      const path = '/_matrix/client/v3/rooms/%21r%3Ax/send/m.room.message/txn%2F1';
      const request = req('PUT', path, { body: { msgtype: 'm.text', body: 'hi' } });
      await expect(transport.requestJson(request)).resolves.toEqual({ event_id: '$1' });
      expect(server.requests).toHaveLength(3);
      expect(new Set(server.requests.map((r) => r.url))).toEqual(new Set([path]));
      expect(new Set(server.requests.map((r) => r.body.toString()))).toEqual(new Set(['{"msgtype":"m.text","body":"hi"}']));
    });

    it('retries byte-array bodies but never one-shot stream bodies', async () => {
      const server = await start([gateway(503), json(200, { content_uri: 'mxc://x/y' }), gateway(503)]);
      const { transport } = transportFor(server);
      const bytes = new Uint8Array([1, 2, 3]);
      const upload = (body: unknown) =>
        req('PUT', '/_matrix/media/v3/upload/x/y', { bodyKind: 'binary', body, contentType: 'image/png' });
      await expect(transport.requestJson(upload(bytes))).resolves.toEqual({ content_uri: 'mxc://x/y' });
      expect(server.requests.map((r) => [...r.body])).toEqual([
        [1, 2, 3],
        [1, 2, 3],
      ]);
      expect(server.requests[0]?.headers['content-type']).toBe('image/png');
      const web = new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(new Uint8Array([4, 5]));
          c.close();
        },
      });
      const e1 = (await rejection(transport.requestJson(upload(web)))) as MatrixError;
      expect(e1.status).toBe(503);
      expect(server.requests).toHaveLength(3);
      expect([...(server.requests[2]?.body ?? [])]).toEqual([4, 5]);

      const node = Readable.from([Buffer.from('ab'), Buffer.from('cd')]);
      const e2 = (await rejection(transport.requestJson(upload(node)))) as MatrixError;
      expect(e2.status).toBe(503);
      expect(server.requests).toHaveLength(4);
      expect(server.requests[3]?.body.toString()).toBe('abcd');
    });

    it('hooks receive one state object each, with attempt, status, delay and redacted url', async () => {
      const server = await start([gateway(503), json(200, {})]);
      const seen: [string, TransportHookState][] = [];
      const { transport } = transportFor(server, {
        random: () => 0.5,
        hooks: {
          beforeRequest: (state) => void seen.push(['beforeRequest', state]),
          afterResponse: (state) => void seen.push(['afterResponse', state]),
          beforeRetry: (state) => void seen.push(['beforeRetry', state]),
        },
      });
      const request = req('GET', '/_matrix/client/v3/rooms/%21r%3Ax/messages', {
        route: 'GET /_matrix/client/v3/rooms/{roomId}/messages',
        query: { dir: 'b', access_token: 'leaked' },
      });
      await transport.requestJson(request);
      expect(seen.map(([name, s]) => [name, s.attempt, s.retryCount, s.status, s.delayMs])).toEqual([
        ['beforeRequest', 1, 0, undefined, undefined],
        ['afterResponse', 1, 0, 503, undefined],
        ['beforeRetry', 1, 1, 503, 250],
        ['beforeRequest', 2, 1, undefined, undefined],
        ['afterResponse', 2, 1, 200, undefined],
      ]);
      for (const [, state] of seen) {
        // A request holding a credential is shown as a redacted copy.
        expect(state.request).toEqual({ ...request, query: { dir: 'b', access_token: '<redacted>' } });
        expect(state.request).toBe(seen[0]?.[1].request);
        expect(state.route).toBe('GET /_matrix/client/v3/rooms/{roomId}/messages');
        expect(state.method).toBe('GET');
        expect(state.url).toBe(`${server.url}/_matrix/client/v3/rooms/%21r%3Ax/messages?dir=b&access_token=<redacted>`);
      }
      expect(isMatrixError(seen[2]?.[1].error)).toBe(true);
    });

    it('hooks see credentials in a JSON body redacted, and the body that is sent intact', async () => {
      const server = await start([json(200, {})]);
      const seen: TransportHookState[] = [];
      const { transport } = transportFor(server, { hooks: { beforeRequest: (state) => void seen.push(state) } });
      const body = { type: 'm.login.password', identifier: { type: 'm.id.user', user: 'alice' }, password: 'hunter2', auth: { new_password: 'x2', session: 's' } };
      await transport.requestJson(req('POST', '/_matrix/client/v3/login', { body, bodyKind: 'json' }));
      expect(seen[0]!.request.body).toEqual({ ...body, password: '<redacted>', auth: { new_password: '<redacted>', session: 's' } });
      expect(JSON.parse(server.requests[0]!.body.toString())).toEqual(body);
    });

    it('a throwing hook ends the request with its own error, not a retry', async () => {
      const server = await start([json(200, {})]);
      const boom = new Error('hook says no');
      const { transport, delays } = transportFor(server, {
        hooks: {
          afterResponse: () => {
            throw boom;
          },
        },
      });
      await expect(transport.requestJson(req('GET', '/x'))).rejects.toBe(boom);
      expect(delays).toEqual([]);
    });
  });
});
