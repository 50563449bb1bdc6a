/**
 * A transport's options, resolved once at construction into one object: the
 * call path reads plain fields, with no `?? default` at each call site.
 */
import { DEFAULT_TRANSPORT_OPTIONS, WARN_LOGGER, type ResolvedRetryOptions } from './defaults.js';
import { resolveEngine, type HttpEngine } from './engine.js';
import { createScrubber } from './redact.js';
import { resolveRetryOptions } from './retry.js';
import type { TransportHooks, TransportLogger, TransportOptions } from './options.js';
import { defaultSleep } from './defaults.js';
import { seamsOf, type TransportSeams } from '../internal/test-seams.js';

/** setTimeout cannot wait longer than 2^31-1 ms (it would fire at once): longer means no timeout. */
const MAX_TIMER_MS = 2_147_483_647;

/** Every setting of one transport, defaults applied. */
export interface ResolvedTransportOptions {
  readonly baseUrl: string;
  /** The access token or as_token. */
  readonly token: string | undefined;
  /** An application service sends its token on every call. */
  readonly alwaysSendToken: boolean;
  readonly engine: HttpEngine;
  readonly scrub: (text: string) => string;
  readonly logger: TransportLogger;
  /** Whether the logger keeps debug lines (they are not even formatted otherwise). */
  readonly debugs: boolean;
  readonly hooks: TransportHooks;
  /** Whether any hook is set (hook state is built only then). */
  readonly hooked: boolean;
  readonly random: () => number;
  readonly sleep: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
  readonly userAgent: string | false;
  readonly retry: ResolvedRetryOptions;
  readonly timeout: number | false;
  readonly ignoreRateLimit: boolean;
  readonly maxResponseBytes: number;
  readonly maxErrorBodyBytes: number;
  readonly maxRedirects: number;
}

/**
 * A timeout as the attempt uses it: `false` for none, including one too long for a timer.
 *
 * @example
 * ```ts
 * usableTimeout(2 ** 40); // false
 * ```
 */
export function usableTimeout(timeout: number | false): number | false {
  return timeout !== false && timeout > MAX_TIMER_MS ? false : timeout;
}

/**
 * Validates and resolves the options of one transport.
 *
 * @example
 * ```ts
 * const resolved = resolveTransportOptions({ baseUrl: 'https://matrix.example.org', accessToken });
 * ```
 */
export function resolveTransportOptions(options: TransportOptions): ResolvedTransportOptions {
  if (options.accessToken !== undefined && options.asToken !== undefined) {
    throw new TypeError('createTransport: give either accessToken or asToken, not both');
  }
  const token = options.accessToken ?? options.asToken;
  // A token a header cannot carry would fail every request with an error that quotes it:
  // refuse it here, without quoting it.
  if (token !== undefined && !/^[\x21-\x7e]+$/.test(token)) {
    throw new TypeError('createTransport: the token is empty or holds characters an Authorization header cannot carry');
  }
  const seams = seamsOf<TransportSeams>(options);
  const hooks: TransportHooks = options.hooks ?? DEFAULT_TRANSPORT_OPTIONS.hooks;
  const logger = options.logger ?? DEFAULT_TRANSPORT_OPTIONS.logger;
  let baseUrl = options.baseUrl;
  while (baseUrl.endsWith('/')) baseUrl = baseUrl.slice(0, -1);
  return Object.freeze({
    baseUrl,
    token,
    alwaysSendToken: options.asToken !== undefined,
    engine: resolveEngine(options.engine, options.fetch),
    scrub: createScrubber([options.accessToken, options.asToken]),
    logger,
    debugs: logger.debug !== WARN_LOGGER.debug,
    hooks,
    hooked: hooks.beforeRequest !== undefined || hooks.afterResponse !== undefined || hooks.beforeRetry !== undefined,
    random: seams.random ?? Math.random,
    sleep: seams.sleep ?? defaultSleep,
    userAgent: options.userAgent ?? DEFAULT_TRANSPORT_OPTIONS.userAgent,
    retry: resolveRetryOptions(options.retry, undefined),
    timeout: usableTimeout(options.timeout ?? DEFAULT_TRANSPORT_OPTIONS.timeout),
    ignoreRateLimit: options.ignoreRateLimit ?? DEFAULT_TRANSPORT_OPTIONS.ignoreRateLimit,
    maxResponseBytes: options.maxResponseBytes ?? DEFAULT_TRANSPORT_OPTIONS.maxResponseBytes,
    maxErrorBodyBytes: options.maxErrorBodyBytes ?? DEFAULT_TRANSPORT_OPTIONS.maxErrorBodyBytes,
    maxRedirects: options.maxRedirects ?? DEFAULT_TRANSPORT_OPTIONS.maxRedirects,
  });
}
