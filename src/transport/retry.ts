/**
 * The retry policy, owned here rather than by ky.
 *
 * ky 1.14.3 runs with `retry: 0`: its built-in policy cannot express the Matrix
 * rules exactly. It clamps a long `Retry-After` to `maxRetryAfter` and waits
 * instead of failing fast; it never reads `retry_after_ms` from the JSON body;
 * its method check cannot see the route table's per-operation `safeToRetry`;
 * its jitter uses `Math.random` and its waits its own `setTimeout` (neither
 * injectable for tests); and with `throwHttpErrors: false` it retries no status
 * at all, while an `afterResponse` `ky.retry({ delay })` bypasses its cap.
 */
import { DEFAULT_TRANSPORT_OPTIONS, type ResolvedRetryOptions } from './defaults.js';
import type { HttpMethod, RetryOptions, TransportRequest } from './types.js';

/** Merges retry settings: defaults, then the client's, then the request's. A number is the limit. */
export function resolveRetryOptions(
  client: number | RetryOptions | undefined,
  request: number | RetryOptions | undefined,
): ResolvedRetryOptions {
  const out: ResolvedRetryOptions = { ...DEFAULT_TRANSPORT_OPTIONS.retry };
  for (const layer of [client, request]) {
    if (layer === undefined) continue;
    if (typeof layer === 'number') {
      out.limit = layer;
      continue;
    }
    if (layer.limit !== undefined) out.limit = layer.limit;
    if (layer.methods !== undefined) out.methods = layer.methods;
    if (layer.statusCodes !== undefined) out.statusCodes = layer.statusCodes;
    if (layer.maxRetryAfter !== undefined) out.maxRetryAfter = layer.maxRetryAfter;
    if (layer.backoffBase !== undefined) out.backoffBase = layer.backoffBase;
    if (layer.backoffLimit !== undefined) out.backoffLimit = layer.backoffLimit;
    if (layer.unsafePost !== undefined) out.unsafePost = layer.unsafePost;
  }
  return out;
}

/**
 * Whether a request may be repeated after a 5xx, a network error or a timeout:
 * GET/PUT/DELETE (the configured methods), a POST the route table marks safe,
 * or any POST with `unsafePost`. One-shot stream bodies never are.
 */
export function isRepeatable(request: TransportRequest, retry: ResolvedRetryOptions, oneShotBody: boolean): boolean {
  if (oneShotBody) return false;
  const method: HttpMethod = request.method;
  if (method === 'POST') return request.safeToRetry || retry.unsafePost || retry.methods.includes('POST');
  return retry.methods.includes(method);
}

/** Exponential backoff without jitter: `min(backoffLimit, backoffBase * 2^(retry-1))`. */
export function exponentialDelay(retryNumber: number, retry: ResolvedRetryOptions): number {
  return Math.min(retry.backoffLimit, retry.backoffBase * 2 ** Math.max(0, retryNumber - 1));
}

/** Full jitter: `random() * min(backoffLimit, backoffBase * 2^(retry-1))`. */
export function jitteredDelay(retryNumber: number, retry: ResolvedRetryOptions, random: () => number): number {
  return random() * exponentialDelay(retryNumber, retry);
}

/**
 * Parses `Retry-After`, as delta-seconds or an HTTP-date, into milliseconds from
 * `now` (never negative). `undefined` when absent or unreadable.
 */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/**
 * How long a 429 asks to wait: `Retry-After` wins, then `retry_after_ms` of the
 * body; `undefined` when the server gave neither.
 */
export function serverRetryAfter(headers: Headers, body: unknown, now: number = Date.now()): number | undefined {
  const fromHeader = parseRetryAfter(headers.get('retry-after'), now);
  if (fromHeader !== undefined) return fromHeader;
  if (typeof body === 'object' && body !== null && 'retry_after_ms' in body) {
    const ms = (body as { retry_after_ms?: unknown }).retry_after_ms;
    if (typeof ms === 'number' && Number.isFinite(ms) && ms >= 0) return ms;
  }
  return undefined;
}

/**
 * Waits with the injected sleep, but ends at once when `signal` aborts even if
 * that sleep ignores its signal.
 */
export function abortableSleep(
  sleep: (ms: number, signal: AbortSignal | undefined) => Promise<void>,
  ms: number,
  signal: AbortSignal | undefined,
  reason: (signal: AbortSignal) => unknown,
): Promise<void> {
  if (signal === undefined) return sleep(ms, undefined);
  if (signal.aborted) return Promise.reject(reason(signal));
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => reject(reason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    sleep(ms, signal).then(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(signal.aborted ? reason(signal) : error);
      },
    );
  });
}
