import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import {
  InvalidResponseError,
  MatrixError,
  NetworkError,
  RateLimitError,
  ResponseTooLargeError,
  TimeoutError,
  isInvalidResponseError,
  isMatrixError,
  isMatrixSdkError,
  isNetworkError,
  isRateLimitError,
  isResponseTooLargeError,
  isTimeoutError,
} from '../../src/errors/index.js';
import { buildUrl, serializeQuery } from '../../src/transport/query.js';
import { createScrubber, redactUrl } from '../../src/transport/scrub.js';
import { DEFAULT_TRANSPORT_OPTIONS } from '../../src/transport/defaults.js';
import { abortableSleep, delay, untilAborted } from '../../src/transport/delay.js';
import { prepareBody } from '../../src/transport/request-body.js';
import {
  backoffDelay,
  exponentialDelay,
  isRepeatable,
  jitteredDelay,
  parseRetryAfter,
  resolveRetryOptions,
} from '../../src/transport/retry.js';
import { req } from './fixtures.js';

describe('query and URL', () => {
  it('serialises values, arrays, objects, booleans; skips undefined and null', () => {
    expect(
      serializeQuery({ a: 'x y', via: ['s1', 's2'], f: { limit: 1 }, b: true, n: 0, u: undefined, z: null }),
    ).toBe('a=x%20y&via=s1&via=s2&f=%7B%22limit%22%3A1%7D&b=true&n=0');
    expect(serializeQuery(undefined)).toBe('');
  });

  it('joins base URL, path and query, tolerating trailing slashes', () => {
    expect(buildUrl('https://h.org//', '/_matrix/x', '')).toBe('https://h.org/_matrix/x');
    expect(buildUrl('https://h.org/base', '/p', 'a=1')).toBe('https://h.org/base/p?a=1');
  });
});

describe('redaction', () => {
  it('redacts credential query parameters only', () => {
    expect(redactUrl('https://h/p?dir=b&access_token=abc&from=1#frag')).toBe(
      'https://h/p?dir=b&access_token=<redacted>&from=1#frag',
    );
    expect(redactUrl('https://h/p')).toBe('https://h/p');
  });

  it('scrubs a token and its encoded forms from text', () => {
    const scrub = createScrubber(['tok/en+1', undefined]);
    expect(scrub('a tok/en+1 b tok%2Fen%2B1 c')).toBe('a <redacted> b <redacted> c');
  });
});

describe('retry policy', () => {
  const retry = resolveRetryOptions(undefined, undefined);

  it('has the documented defaults', () => {
    expect(retry).toEqual(DEFAULT_TRANSPORT_OPTIONS.retry);
    expect(retry.limit).toBe(3);
    expect(DEFAULT_TRANSPORT_OPTIONS.maxResponseBytes).toBe(50 * 1024 * 1024);
    expect(DEFAULT_TRANSPORT_OPTIONS.timeout).toBe(60_000);
  });

  it('layers client and request settings; a number is the limit', () => {
    const merged = resolveRetryOptions({ limit: 5, backoffBase: 100 }, 1);
    expect(merged.limit).toBe(1);
    expect(merged.backoffBase).toBe(100);
  });

  it('computes exponential and full-jitter delays', () => {
    expect([1, 2, 3, 4].map((n) => exponentialDelay(n, retry))).toEqual([500, 1000, 2000, 4000]);
    expect(jitteredDelay(3, retry, () => 0.25)).toBe(500);
    expect(exponentialDelay(20, retry)).toBe(30_000);
  });

  it.each([
    ['none', 3, 0.5, 2_000],
    ['full', 3, 0.25, 500],
    ['spread', 3, 0, 1_600],
    ['spread', 3, 1, 2_400],
    ['spread', 10, 0.5, 30_000],
  ] as const)('one backoff serves every loop: %s jitter, attempt %i, random %f gives %i ms', (jitter, attempt, random, want) => {
    expect(backoffDelay(attempt, { backoffBase: 500, backoffLimit: 30_000, jitter }, () => random)).toBe(want);
  });

  it('parses Retry-After seconds and HTTP-dates', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('5', now)).toBe(5000);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:07 GMT', now)).toBe(7000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('repeats GET/PUT/DELETE and safe POSTs, never one-shot bodies', () => {
    expect(isRepeatable(req('GET', '/'), retry, false)).toBe(true);
    expect(isRepeatable(req('PUT', '/'), retry, false)).toBe(true);
    expect(isRepeatable(req('DELETE', '/'), retry, false)).toBe(true);
    expect(isRepeatable(req('POST', '/', { safeToRetry: false }), retry, false)).toBe(false);
    expect(isRepeatable(req('POST', '/', { safeToRetry: true }), retry, false)).toBe(true);
    expect(isRepeatable(req('POST', '/', { safeToRetry: false }), { ...retry, unsafePost: true }, false)).toBe(true);
    expect(isRepeatable(req('PUT', '/'), retry, true)).toBe(false);
  });
});

describe('the one abortable delay', () => {
  it('settles after the wait, on the timers it is given', async () => {
    const scheduled: number[] = [];
    const timers = {
      setTimeout: (callback: () => void, ms: number) => {
        scheduled.push(ms);
        queueMicrotask(callback);
        return 1;
      },
      clearTimeout: () => undefined,
    };
    await delay(1_234, undefined, timers);
    expect(scheduled).toEqual([1_234]);
  });

  it('rejects with the reason as soon as the signal aborts, even when the injected sleep ignores it', async () => {
    const controller = new AbortController();
    const never = () => new Promise<void>(() => undefined);
    const waiting = abortableSleep(never, 60_000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    await expect(delay(60_000, controller.signal)).rejects.toThrow('stop');
    await expect(untilAborted(new Promise(() => undefined), controller.signal)).rejects.toThrow('stop');
  });
});

describe('request bodies', () => {
  it.each([
    ['JSON', { bodyKind: 'json', body: { a: 1 } }, true],
    ['bytes', { bodyKind: 'binary', body: new Uint8Array(3) }, true],
    ['a Blob', { bodyKind: 'binary', body: new Blob(['x']) }, true],
    ['a web stream', { bodyKind: 'binary', body: new Blob(['x']).stream() }, false],
    ['an async iterable', { bodyKind: 'binary', body: (async function* () { yield new Uint8Array(1); })() }, false],
  ] as const)('one place decides whether %s can be sent again', (_name, extra, replayable) => {
    expect(prepareBody(req('PUT', '/', extra as never)).replayable).toBe(replayable);
  });
});

describe('errors', () => {
  const init = { status: 403, errcode: 'M_FORBIDDEN', error: 'No', body: {}, method: 'POST', path: '/a/%21r%3Ax' };

  it('format their messages and are recognised by their guards', () => {
    const all = [
      new MatrixError(init),
      new RateLimitError({ ...init, status: 429, errcode: 'M_LIMIT_EXCEEDED', retryAfterMs: 10 }),
      new ResponseTooLargeError({ limit: 1, received: 2, declared: false, method: 'GET', path: '/x' }),
      new NetworkError('reset', 'GET', '/x'),
      new TimeoutError(5, 'GET', '/x'),
      new InvalidResponseError(200, 'x', 'GET', '/x'),
    ];
    expect(all.map((e) => e.name)).toEqual([
      'MatrixError',
      'RateLimitError',
      'ResponseTooLargeError',
      'NetworkError',
      'TimeoutError',
      'InvalidResponseError',
    ]);
    expect(all.every(isMatrixSdkError)).toBe(true);
    expect(all.map(isMatrixError)).toEqual([true, true, false, false, false, false]);
    expect(all.map(isRateLimitError)).toEqual([false, true, false, false, false, false]);
    expect(String(all[0])).toBe('MatrixError: [403 / M_FORBIDDEN] No: POST /a/!r:x');
    expect(isResponseTooLargeError(all[2])).toBe(true);
    expect(isNetworkError(all[3])).toBe(true);
    expect(isTimeoutError(all[4])).toBe(true);
    expect(isTimeoutError(new DOMException('t', 'TimeoutError'))).toBe(false);
    expect(isMatrixSdkError(new DOMException('t', 'TimeoutError'))).toBe(false);
    expect(isInvalidResponseError(all[5])).toBe(true);
  });

  it('guards work across realms', () => {
    const foreign: unknown = runInNewContext(
      'const e = new Error("x"); e.name = "RateLimitError"; e.retryAfterMs = 5; e',
    );
    expect(foreign instanceof Error).toBe(false);
    expect(isRateLimitError(foreign)).toBe(true);
    expect(isMatrixError(foreign)).toBe(true);
    expect(isMatrixSdkError(foreign)).toBe(true);
    expect(isMatrixError({ name: 'MatrixError', message: 'plain object' })).toBe(false);
  });
});
