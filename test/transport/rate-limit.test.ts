import { describe, expect, it } from 'vitest';
import { isRateLimitError, type RateLimitError } from '../../src/errors/index.js';
import { json, useTestServers } from './http-test-server.js';
import { rejection, req, transportFor } from './fixtures.js';
import { ENGINES, useEngine } from './engines.js';

const limited = (headers: Record<string, string> = {}, retryAfterMs?: number) =>
  json(
    429,
    { errcode: 'M_LIMIT_EXCEEDED', error: 'Too many requests', ...(retryAfterMs === undefined ? {} : { retry_after_ms: retryAfterMs }) },
    headers,
  );

const start = useTestServers();

describe.each(ENGINES)('on the %s engine', (engine) => {
  useEngine(engine);

  describe('429 / M_LIMIT_EXCEEDED', () => {
    it('waits Retry-After delta-seconds, without jitter', async () => {
      const server = await start([limited({ 'retry-after': '2' }), json(200, { ok: true })]);
      const { transport, delays } = transportFor(server, { random: () => 0.5 });
      await expect(transport.requestJson(req('GET', '/_matrix/client/v3/sync'))).resolves.toEqual({ ok: true });
      expect(delays).toEqual([2000]);
      expect(server.requests).toHaveLength(2);
    });

    it('waits until a Retry-After HTTP-date', async () => {
      const date = new Date(Math.ceil(Date.now() / 1000) * 1000 + 3000).toUTCString();
      const server = await start([limited({ 'retry-after': date }), json(200, {})]);
      const { transport, delays } = transportFor(server);
      await transport.requestJson(req('GET', '/x'));
      expect(delays).toHaveLength(1);
      expect(delays[0]).toBeGreaterThan(1500);
      expect(delays[0]).toBeLessThanOrEqual(4000);
    });

    it('prefers the Retry-After header over retry_after_ms in the body', async () => {
      const server = await start([limited({ 'retry-after': '1' }, 7000), json(200, {})]);
      const { transport, delays } = transportFor(server);
      await transport.requestJson(req('GET', '/x'));
      expect(delays).toEqual([1000]);
    });

    it('uses retry_after_ms from the body when there is no header', async () => {
      const server = await start([limited({}, 1234), json(200, {})]);
      const { transport, delays } = transportFor(server);
      await transport.requestJson(req('GET', '/x'));
      expect(delays).toEqual([1234]);
    });

    it('falls back to exponential backoff without jitter when the server gives no wait', async () => {
      const server = await start([limited(), limited(), json(200, {})]);
      const { transport, delays } = transportFor(server, { random: () => 0 });
      await transport.requestJson(req('GET', '/x'));
      expect(delays).toEqual([500, 1000]);
    });

    it('treats M_LIMIT_EXCEEDED under another status as a rate limit', async () => {
      const server = await start([json(400, { errcode: 'M_LIMIT_EXCEEDED', error: 'slow', retry_after_ms: 10 }), json(200, {})]);
      const { transport, delays } = transportFor(server);
      await transport.requestJson(req('GET', '/x'));
      expect(delays).toEqual([10]);
    });

    it('fails fast with RateLimitError when the wait exceeds maxRetryAfter', async () => {
      const server = await start([limited({ 'retry-after': '120' }), json(200, {})]);
      const { transport, delays } = transportFor(server);
      const error = (await rejection(transport.requestJson(req('GET', '/x')))) as RateLimitError;
      expect(isRateLimitError(error)).toBe(true);
      expect(error.retryAfterMs).toBe(120_000);
      expect(error.status).toBe(429);
      expect(error.errcode).toBe('M_LIMIT_EXCEEDED');
      expect(delays).toEqual([]);
      expect(server.requests).toHaveLength(1);
    });

    it('respects a per-request maxRetryAfter', async () => {
      const server = await start([limited({}, 5000), json(200, {})]);
      const { transport, delays } = transportFor(server);
      const error = await rejection(
        transport.requestJson(req('GET', '/x', { options: { retry: { maxRetryAfter: 1000 } } })),
      );
      expect(isRateLimitError(error)).toBe(true);
      expect(delays).toEqual([]);
    });

    it('throws RateLimitError at once with ignoreRateLimit on the client', async () => {
      const server = await start([limited({ 'retry-after': '3' }), json(200, {})]);
      const { transport, delays } = transportFor(server, { ignoreRateLimit: true });
      const error = (await rejection(transport.requestJson(req('GET', '/x')))) as RateLimitError;
      expect(error.name).toBe('RateLimitError');
      expect(error.retryAfterMs).toBe(3000);
      expect(error.message).toBe('[429 / M_LIMIT_EXCEEDED] Too many requests: GET /x');
      expect(delays).toEqual([]);
      expect(server.requests).toHaveLength(1);
    });

    it('throws RateLimitError at once with ignoreRateLimit on the request', async () => {
      const server = await start([limited({}, 250), json(200, {})]);
      const { transport } = transportFor(server);
      const error = (await rejection(
        transport.requestJson(req('GET', '/x', { options: { ignoreRateLimit: true } })),
      )) as RateLimitError;
      expect(error.retryAfterMs).toBe(250);
      expect(server.requests).toHaveLength(1);
    });

    it('retries a 429 for a plain (unsafe) POST: the server did not act', async () => {
      const server = await start([limited({}, 20), json(200, { event_id: '$e' })]);
      const { transport, delays } = transportFor(server);
      const request = req('POST', '/_matrix/client/v3/rooms/%21r%3Ax/ban', { body: { user_id: '@u:x' }, safeToRetry: false });
      await expect(transport.requestJson(request)).resolves.toEqual({ event_id: '$e' });
      expect(delays).toEqual([20]);
      expect(server.requests.map((r) => r.body.toString())).toEqual(['{"user_id":"@u:x"}', '{"user_id":"@u:x"}']);
    });

    it('gives up with RateLimitError after the retry limit', async () => {
      const server = await start([limited({}, 5)]);
      const { transport, delays } = transportFor(server, { retry: 2 });
      const error = await rejection(transport.requestJson(req('GET', '/x')));
      expect(isRateLimitError(error)).toBe(true);
      expect(delays).toEqual([5, 5]);
      expect(server.requests).toHaveLength(3);
    });
  });
});
