/**
 * Errors keep their meaning: an error body over the limit still gives its
 * errcode and user-interactive auth fields; every server-given delay is a
 * finite, bounded number; retries follow the errcode (`M_NOT_YET_UPLOADED` is
 * final) and a 503's `Retry-After`.
 */
import { describe, expect, it } from 'vitest';
import { isMatrixError, isRateLimitError, type MatrixError, type RateLimitError } from '../../src/errors/index.js';
import type { TransportHookState } from '../../src/transport/options.js';
import { MAX_SERVER_DELAY_MS } from '../../src/transport/retry.js';
import { ENGINES, useEngine } from './engines.js';
import { rejection, req, transportFor } from './fixtures.js';
import { json, text, useTestServers } from './http-test-server.js';

const start = useTestServers();

describe.each(ENGINES)('on the %s engine', (engine) => {
  useEngine(engine);

  describe('error bodies over the limit', () => {
    it('a 5 MiB M_FORBIDDEN keeps its errcode and error text, read from the bounded prefix', async () => {
      const body = `{"errcode":"M_FORBIDDEN","error":"You are not invited to this room","details":"${'x'.repeat(5 * 1024 * 1024)}"}`;
      const server = await start([text(403, body, 'application/json')]);
      const { transport } = transportFor(server);
      const error = (await rejection(transport.requestJson(req('GET', '/_matrix/client/v3/rooms/%21r%3Ax/state')))) as MatrixError;
      expect(isMatrixError(error)).toBe(true);
      expect(error.status).toBe(403);
      expect(error.errcode).toBe('M_FORBIDDEN');
      expect(error.error).toBe('You are not invited to this room');
      expect(error.message).toBe('[403 / M_FORBIDDEN] You are not invited to this room: GET /_matrix/client/v3/rooms/!r:x/state');
      // Only the members read from the prefix are kept, not the 64 KiB of padding.
      expect(error.body).toEqual({ errcode: 'M_FORBIDDEN', error: 'You are not invited to this room' });
    });

    it('a 70 KiB 401 keeps its user-interactive auth session, flows, completed stages and params', async () => {
      const uia = {
        session: 'xyzzy',
        flows: [{ stages: ['m.login.password'] }, { stages: ['m.login.sso'] }],
        completed: ['m.login.dummy'],
        params: { 'm.login.terms': { policies: {} } },
      };
      const body = `${JSON.stringify(uia).slice(0, -1)},"errcode":"M_FORBIDDEN","error":"Invalid password","noise":"${'n'.repeat(70 * 1024)}"}`;
      const server = await start([text(401, body, 'application/json')]);
      const { transport } = transportFor(server);
      const error = (await rejection(transport.requestJson(req('DELETE', '/_matrix/client/v3/devices/D1')))) as MatrixError;
      expect(error.status).toBe(401);
      expect(error.errcode).toBe('M_FORBIDDEN');
      expect(error.error).toBe('Invalid password');
      expect(error.body).toEqual({ ...uia, errcode: 'M_FORBIDDEN', error: 'Invalid password' });
    });

    it('a member the cut goes through is not read, and the members before it are', async () => {
      const body = `{"session":"s1","error":"${'e'.repeat(100)}","errcode":"M_FORBIDDEN"}`;
      const server = await start([text(401, body, 'application/json')]);
      const { transport } = transportFor(server, { maxErrorBodyBytes: 60 });
      const error = (await rejection(transport.requestJson(req('GET', '/x')))) as MatrixError;
      expect(error.body).toEqual({ session: 's1' });
      expect(error.errcode).toBeUndefined();
      expect(error.error).toBe('Unauthorized');
    });
  });

  describe('server-given delays', () => {
    it('a Retry-After of 400 digits is a finite wait, over maxRetryAfter, handed to the caller at once', async () => {
      const server = await start([json(429, { errcode: 'M_LIMIT_EXCEEDED', error: 'slow' }, { 'retry-after': '9'.repeat(400) })]);
      const { transport, delays } = transportFor(server);
      const error = (await rejection(transport.requestJson(req('GET', '/x')))) as RateLimitError;
      expect(isRateLimitError(error)).toBe(true);
      expect(error.retryAfterMs).toBe(MAX_SERVER_DELAY_MS);
      expect(Number.isFinite(error.retryAfterMs)).toBe(true);
      expect(delays).toEqual([]);
    });

    it('a retry_after_ms of 1e400 (Infinity once parsed) and a Retry-After date in the year 9999 are clamped', async () => {
      const server = await start([
        text(429, '{"errcode":"M_LIMIT_EXCEEDED","retry_after_ms":1e400}', 'application/json'),
        json(429, { errcode: 'M_LIMIT_EXCEEDED' }, { 'retry-after': 'Fri, 31 Dec 9999 23:59:59 GMT' }),
      ]);
      const { transport } = transportFor(server);
      const first = (await rejection(transport.requestJson(req('GET', '/x')))) as RateLimitError;
      const second = (await rejection(transport.requestJson(req('GET', '/x')))) as RateLimitError;
      expect([first.retryAfterMs, second.retryAfterMs]).toEqual([MAX_SERVER_DELAY_MS, MAX_SERVER_DELAY_MS]);
    });
  });

  describe('retry rules by errcode and Retry-After', () => {
    it('504 M_NOT_YET_UPLOADED is the final answer: not retried', async () => {
      const server = await start([json(504, { errcode: 'M_NOT_YET_UPLOADED', error: 'Not yet uploaded' }), json(200, {})]);
      const { transport, delays } = transportFor(server);
      const error = (await rejection(transport.requestJson(req('GET', '/_matrix/client/v1/media/download/x/abc')))) as MatrixError;
      expect(error.status).toBe(504);
      expect(error.errcode).toBe('M_NOT_YET_UPLOADED');
      expect(server.requests).toHaveLength(1);
      expect(delays).toEqual([]);
    });

    it('a 504 without that errcode is still retried', async () => {
      const server = await start([text(504, '<html>gateway timeout</html>'), json(200, { ok: true })]);
      const { transport, delays } = transportFor(server, { random: () => 0.5 });
      await expect(transport.requestJson(req('GET', '/x'))).resolves.toEqual({ ok: true });
      expect(delays).toEqual([250]);
    });

    it('a 503 with Retry-After waits what it says (no jitter), and so does one with retry_after_ms', async () => {
      const server = await start([
        text(503, 'busy', 'text/plain', { 'retry-after': '2' }),
        json(503, { errcode: 'M_UNKNOWN', retry_after_ms: 1500 }),
        json(200, { ok: true }),
      ]);
      const { transport, delays } = transportFor(server, { random: () => 0 });
      await expect(transport.requestJson(req('GET', '/x'))).resolves.toEqual({ ok: true });
      expect(delays).toEqual([2000, 1500]);
    });

    it('a 503 asking for more than maxRetryAfter is handed to the caller at once, with the wait it asked', async () => {
      const server = await start([text(503, 'maintenance', 'text/plain', { 'retry-after': '120' }), json(200, {})]);
      const { transport, delays } = transportFor(server);
      const error = (await rejection(transport.requestJson(req('GET', '/x')))) as MatrixError;
      expect(error.status).toBe(503);
      expect(error.retryAfterMs).toBe(120_000);
      expect(delays).toEqual([]);
      expect(server.requests).toHaveLength(1);
    });

    it('a 503 with Retry-After on an unsafe POST is still not retried', async () => {
      const server = await start([text(503, 'busy', 'text/plain', { 'retry-after': '1' }), json(200, {})]);
      const { transport, delays } = transportFor(server);
      expect((await rejection(transport.requestJson(req('POST', '/x', { safeToRetry: false })))).message).toMatch(/^\[503/);
      expect(delays).toEqual([]);
    });

    it('the first beforeRetry sees retryCount 1, as in ky; beforeRequest and afterResponse count the retries made before', async () => {
      const server = await start([text(502, 'x'), text(502, 'x'), json(200, {})]);
      const seen: string[] = [];
      const record = (name: string) => (state: TransportHookState) => void seen.push(`${name} attempt=${state.attempt} retryCount=${state.retryCount}`);
      const { transport } = transportFor(server, {
        hooks: { beforeRequest: record('beforeRequest'), afterResponse: record('afterResponse'), beforeRetry: record('beforeRetry') },
      });
      await transport.requestJson(req('GET', '/x'));
      expect(seen).toEqual([
        'beforeRequest attempt=1 retryCount=0',
        'afterResponse attempt=1 retryCount=0',
        'beforeRetry attempt=1 retryCount=1',
        'beforeRequest attempt=2 retryCount=1',
        'afterResponse attempt=2 retryCount=1',
        'beforeRetry attempt=2 retryCount=2',
        'beforeRequest attempt=3 retryCount=2',
        'afterResponse attempt=3 retryCount=2',
      ]);
    });
  });
});
