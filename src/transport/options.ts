import type { EngineChoice, HttpEngine } from './engine.js';
import type { HttpMethod, RetryOptions, TransportRequest } from './types.js';

/**
 * A sink for the transport's log lines. Lines never contain credentials.
 *
 * @example
 * ```ts
 * const logger: TransportLogger = { debug() {}, info() {}, warn: (m) => console.warn(m), error: (m) => console.error(m) };
 * const client = createClient({ baseUrl, accessToken, logger });
 * ```
 */
export interface TransportLogger {
  /** Every request and answer. */
  debug(message: string, context?: Record<string, unknown>): void;
  /** Noteworthy but normal events. */
  info(message: string, context?: Record<string, unknown>): void;
  /** Retries and rate limits. */
  warn(message: string, context?: Record<string, unknown>): void;
  /** Failures handed to the caller. */
  error(message: string, context?: Record<string, unknown>): void;
}

/**
 * The one object every hook receives. `url` is redacted (no `access_token`), and
 * the state never holds the access token or Authorization header.
 *
 * @example
 * ```ts
 * const afterResponse = (state: TransportHookState): void => console.log(state.route, state.status, state.attempt);
 * ```
 */
export interface TransportHookState {
  /** The request as the gateway described it. */
  readonly request: TransportRequest;
  /** Route key, e.g. `"POST /_matrix/client/v3/rooms/{roomId}/ban"`. */
  readonly route: string;
  /** HTTP method. */
  readonly method: HttpMethod;
  /** Full request URL with credentials redacted. */
  readonly url: string;
  /** 1-based number of the attempt. */
  readonly attempt: number;
  /**
   * As in ky: in `beforeRequest` and `afterResponse`, the retries made before this
   * attempt (`attempt - 1`, 0 for the first); in `beforeRetry`, the number of the
   * retry about to be made (`attempt`, 1 for the first).
   */
  readonly retryCount: number;
  /** HTTP status, when an answer arrived. */
  readonly status?: number;
  /** The wait before the next attempt, in milliseconds (`beforeRetry`). */
  readonly delayMs?: number;
  /** Why the attempt failed (`beforeRetry`). */
  readonly error?: unknown;
}

/**
 * A hook: receives one state object, may be async; throwing ends the request.
 *
 * @example
 * ```ts
 * const onRetry: TransportHook = ({ method, url, retryCount, delayMs }) => console.warn(`retry ${retryCount} of ${method} ${url} in ${delayMs} ms`);
 * createClient({ baseUrl, accessToken, hooks: { beforeRetry: onRetry } });
 * ```
 */
export type TransportHook = (state: TransportHookState) => void | Promise<void>;

/**
 * Observation points of the transport.
 *
 * @example
 * ```ts
 * const hooks: TransportHooks = { afterResponse: ({ route, status }) => console.log(route, status) };
 * const client = createClient({ baseUrl, accessToken, hooks });
 * ```
 */
export interface TransportHooks {
  /** Before each attempt (including retries). */
  beforeRequest?: TransportHook;
  /** After each HTTP answer (any status), before its body is read. */
  afterResponse?: TransportHook;
  /** Before waiting for a retry, with `delayMs` and `error`. */
  beforeRetry?: TransportHook;
}

/**
 * Who an application service acts as (`user_id` / `device_id` query parameters).
 *
 * @example
 * ```ts
 * const ghost: HttpTransport = client.transport.as({ userId: '@_bridge_alice:example.org' });
 * ```
 */
export interface TransportIdentity {
  /** The user to masquerade as. */
  userId: string;
  /** The device to masquerade as (MSC3202 / MSC4190). */
  deviceId?: string;
}

/**
 * Options of {@link createTransport}. Unset options take {@link DEFAULT_TRANSPORT_OPTIONS}.
 *
 * @example
 * ```ts
 * const transport = createTransport({ baseUrl, accessToken, retry: { limit: 5 }, timeout: 20_000 } satisfies TransportOptions);
 * ```
 */
export interface TransportOptions {
  /** Homeserver base URL, e.g. `https://matrix.example.org` (a trailing slash is tolerated). */
  baseUrl: string;
  /** Access token of a user, sent as `Authorization: Bearer` on authenticated requests. */
  accessToken?: string | undefined;
  /** Application service token (`as_token`), sent like an access token. Exclusive with `accessToken`. */
  asToken?: string | undefined;
  /**
   * The fetch implementation; giving one selects the fetch engine.
   * @default globalThis.fetch, looked up at each call
   */
  fetch?: typeof globalThis.fetch;
  /**
   * The HTTP engine under the transport: `'fetch'` (ky over `fetch`, every runtime),
   * `'undici'` (a keep-alive pool per origin; Node >= 20.18.1 through the package's
   * node entry), or any {@link HttpEngine}.
   * @default 'undici' on Node (unless `fetch` is given), 'fetch' elsewhere
   */
  engine?: EngineChoice;
  /**
   * Retry policy; a number is the retry limit.
   * @default { limit: 3, methods: ['GET', 'PUT', 'DELETE'], statusCodes: [502, 503, 504], maxRetryAfter: 60_000, backoffBase: 500, backoffLimit: 30_000, unsafePost: false }
   */
  retry?: number | RetryOptions;
  /**
   * Milliseconds before one attempt is abandoned, or `false` for none. For `requestRaw`
   * the timeout covers the wait for the headers; for `requestJson` the whole body too.
   * @default 60_000
   */
  timeout?: number | false;
  /**
   * Largest 2xx response body accepted, in bytes.
   * @default 52_428_800 (50 MiB)
   */
  maxResponseBytes?: number;
  /**
   * Largest error body read, in bytes; longer error bodies are truncated (their
   * errcode, error and user-interactive auth fields are still read from the prefix).
   * @default 65_536 (64 KiB)
   */
  maxErrorBodyBytes?: number;
  /**
   * Hand every 429 to the caller as a `RateLimitError` instead of waiting.
   * @default false
   */
  ignoreRateLimit?: boolean;
  /**
   * Redirects followed per attempt (307/308 on media downloads).
   * @default 5
   */
  maxRedirects?: number;
  /**
   * Follow redirects on every operation (`true`), or on none (`false`). Unset, only the
   * operations the spec lets redirect follow them (media downloads and thumbnails,
   * `.well-known`); elsewhere a redirect fails with a `RedirectError`. Each request can
   * override it. A followed redirect never takes the body or the token to another
   * origin, nor goes from https to http.
   * @default undefined (where the spec says)
   */
  followRedirects?: boolean | undefined;
  /**
   * Milliseconds a response body may go without a byte (reset on each chunk) before
   * the request fails with a `TimeoutError` and its connection is closed; `false` for
   * none. Covers media downloads read after `timeout` stopped counting.
   * @default 30_000
   */
  bodyTimeout?: number | false;
  /**
   * Observation hooks.
   * @default {}
   */
  hooks?: TransportHooks;
  /**
   * Log sink.
   * @default debug and info dropped, warn and error to the console
   */
  logger?: TransportLogger;
  /**
   * `User-Agent` header (not settable in every browser), or `false` to send none.
   * @default 'matrix-fluent'
   */
  userAgent?: string | false;
}
