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

/**
 * Merges retry settings: defaults, then the client's, then the request's. A number is the limit.
 *
 * @example
 * ```ts
 * resolveRetryOptions({ limit: 5, backoffBase: 100 }, 1).limit; // 1
 * ```
 */
export function resolveRetryOptions(
  client: number | RetryOptions | undefined,
  request: number | RetryOptions | undefined,
): ResolvedRetryOptions {
  return overrideRetry(overrideRetry(DEFAULT_TRANSPORT_OPTIONS.retry, client), request);
}

/**
 * Resolved retry settings with one more layer on top (the same object when the layer is absent).
 *
 * @example
 * ```ts
 * overrideRetry(client.retry, request.options?.retry);
 * ```
 */
export function overrideRetry(base: ResolvedRetryOptions, layer: number | RetryOptions | undefined): ResolvedRetryOptions {
  if (layer === undefined) return base;
  const out: ResolvedRetryOptions = { ...base };
  if (typeof layer === 'number') {
    out.limit = layer;
    return out;
  }
  if (layer.limit !== undefined) out.limit = layer.limit;
  if (layer.methods !== undefined) out.methods = layer.methods;
  if (layer.statusCodes !== undefined) out.statusCodes = layer.statusCodes;
  if (layer.maxRetryAfter !== undefined) out.maxRetryAfter = layer.maxRetryAfter;
  if (layer.backoffBase !== undefined) out.backoffBase = layer.backoffBase;
  if (layer.backoffLimit !== undefined) out.backoffLimit = layer.backoffLimit;
  if (layer.unsafePost !== undefined) out.unsafePost = layer.unsafePost;
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

/** The inputs of {@link backoffDelay}. */
export interface BackoffPolicy {
  /** Delay of the first retry, in milliseconds. */
  backoffBase: number;
  /** Cap of the exponential growth, in milliseconds. */
  backoffLimit: number;
  /**
   * `'full'`: a random wait in [0, delay) (retries of many clients spread out);
   * `'spread'`: the delay ±20% (a loop's steady pace); `'none'`: the delay itself.
   */
  jitter: 'full' | 'spread' | 'none';
}

/**
 * The one backoff of the package: `min(backoffLimit, backoffBase * 2^(attempt-1))`,
 * jittered as the policy says. Serves the transport's retries and the sync loop.
 *
 * @example
 * ```ts
 * backoffDelay(3, { backoffBase: 500, backoffLimit: 30_000, jitter: 'none' }); // 2000
 * backoffDelay(3, { backoffBase: 2_000, backoffLimit: 30_000, jitter: 'spread' }, Math.random); // 6400..9600
 * ```
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exact = Math.min(policy.backoffLimit, policy.backoffBase * 2 ** Math.max(0, attempt - 1));
  if (policy.jitter === 'full') return random() * exact;
  if (policy.jitter === 'spread') return Math.round(exact * (0.8 + 0.4 * random()));
  return exact;
}

/**
 * Exponential backoff without jitter: `min(backoffLimit, backoffBase * 2^(retry-1))`
 * (the wait of a 429 that named none).
 *
 * @example
 * ```ts
 * exponentialDelay(3, { backoffBase: 500, backoffLimit: 30_000 }); // 2000
 * ```
 */
export function exponentialDelay(retryNumber: number, retry: Pick<BackoffPolicy, 'backoffBase' | 'backoffLimit'>): number {
  return backoffDelay(retryNumber, { backoffBase: retry.backoffBase, backoffLimit: retry.backoffLimit, jitter: 'none' });
}

/**
 * Full jitter: `random() * min(backoffLimit, backoffBase * 2^(retry-1))`.
 *
 * @example
 * ```ts
 * jitteredDelay(3, { backoffBase: 500, backoffLimit: 30_000 }, () => 0.25); // 500
 * ```
 */
export function jitteredDelay(retryNumber: number, retry: Pick<BackoffPolicy, 'backoffBase' | 'backoffLimit'>, random: () => number): number {
  return backoffDelay(retryNumber, { backoffBase: retry.backoffBase, backoffLimit: retry.backoffLimit, jitter: 'full' }, random);
}

/**
 * Parses `Retry-After`, as delta-seconds or an HTTP-date, into milliseconds from
 * `now` (never negative). `undefined` when absent or unreadable.
 */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  // Clamped: 400 digits are Infinity, and no timer waits longer than 2^31 - 1 ms.
  if (/^\d+(\.\d+)?$/.test(text)) return Math.min(Math.round(Number(text) * 1000), MAX_SERVER_DELAY_MS);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.min(Math.max(0, date - now), MAX_SERVER_DELAY_MS);
}

/** The longest wait a server can ask for: the largest delay a timer takes (about 24.8 days). */
const MAX_SERVER_DELAY_MS = 2_147_483_647;

/**
 * How long a 429 asks to wait: `Retry-After` wins, then `retry_after_ms` of the
 * body; `undefined` when the server gave neither.
 */
export function serverRetryAfter(headers: { get(name: string): string | null }, body: unknown, now: number = Date.now()): number | undefined {
  const fromHeader = parseRetryAfter(headers.get('retry-after'), now);
  if (fromHeader !== undefined) return fromHeader;
  if (typeof body === 'object' && body !== null && 'retry_after_ms' in body) {
    const ms = (body as { retry_after_ms?: unknown }).retry_after_ms;
    if (typeof ms === 'number' && Number.isFinite(ms) && ms >= 0) return ms;
  }
  return undefined;
}
