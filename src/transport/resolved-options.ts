/**
 * A transport's options, resolved once at construction into one object: the
 * call path reads plain fields, with no `?? default` at each call site.
 */
import { DEFAULT_TRANSPORT_OPTIONS, WARN_LOGGER, type ResolvedRetryOptions } from './defaults.js';
import { resolveEngine, type HttpEngine } from './engine.js';
import { createScrubber, scrubbingLogger, type Scrub } from './scrub.js';
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
  /** The one scrubbing rule, with this transport's tokens (see `scrub.ts`). */
  readonly scrub: Scrub;
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
  /** `undefined`: where the spec says. */
  readonly followRedirects: boolean | undefined;
  readonly bodyTimeout: number | false;
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
  const scrub = createScrubber([options.accessToken, options.asToken]);
  const userAgent = options.userAgent ?? DEFAULT_TRANSPORT_OPTIONS.userAgent;
  if (userAgent !== false) checkHeader('user-agent', userAgent, 'createTransport: userAgent');
  return Object.freeze({
    baseUrl: checkBaseUrl(options.baseUrl),
    token,
    alwaysSendToken: options.asToken !== undefined,
    engine: resolveEngine(options.engine, options.fetch),
    scrub,
    logger: scrubbingLogger(logger, scrub),
    debugs: logger.debug !== WARN_LOGGER.debug,
    hooks,
    hooked: hooks.beforeRequest !== undefined || hooks.afterResponse !== undefined || hooks.beforeRetry !== undefined,
    random: seams.random ?? Math.random,
    sleep: seams.sleep ?? defaultSleep,
    userAgent,
    retry: resolveRetryOptions(options.retry, undefined),
    timeout: usableTimeout(options.timeout ?? DEFAULT_TRANSPORT_OPTIONS.timeout),
    ignoreRateLimit: options.ignoreRateLimit ?? DEFAULT_TRANSPORT_OPTIONS.ignoreRateLimit,
    maxResponseBytes: options.maxResponseBytes ?? DEFAULT_TRANSPORT_OPTIONS.maxResponseBytes,
    maxErrorBodyBytes: options.maxErrorBodyBytes ?? DEFAULT_TRANSPORT_OPTIONS.maxErrorBodyBytes,
    maxRedirects: options.maxRedirects ?? DEFAULT_TRANSPORT_OPTIONS.maxRedirects,
    followRedirects: options.followRedirects,
    bodyTimeout: usableTimeout(options.bodyTimeout ?? DEFAULT_TRANSPORT_OPTIONS.bodyTimeout),
  });
}

/**
 * The base URL without trailing slashes, once checked: an absolute `http:` or
 * `https:` URL with no credentials, query or fragment. A mistake here fails at
 * construction with a clear `TypeError` (it would otherwise fail every request,
 * and be retried as a network error).
 *
 * @example
 * ```ts
 * checkBaseUrl('https://matrix.example.org/'); // 'https://matrix.example.org'
 * checkBaseUrl('not a url'); // throws TypeError
 * ```
 */
export function checkBaseUrl(baseUrl: unknown): string {
  if (typeof baseUrl !== 'string' || baseUrl === '') throw new TypeError('createTransport: baseUrl must be an absolute http(s) URL, e.g. https://matrix.example.org');
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new TypeError(`createTransport: baseUrl ${JSON.stringify(baseUrl.slice(0, 200))} is not an absolute URL (expected e.g. https://matrix.example.org)`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TypeError(`createTransport: baseUrl must use http: or https:, not ${url.protocol}`);
  }
  // Said without quoting the URL, which holds a credential.
  if (url.username !== '' || url.password !== '') throw new TypeError('createTransport: baseUrl must not hold a user name or password');
  if (url.search !== '' || url.hash !== '' || /[?#]/.test(baseUrl)) throw new TypeError('createTransport: baseUrl must not hold a query or fragment');
  let out = baseUrl;
  while (out.endsWith('/')) out = out.slice(0, -1);
  return out;
}

/** A header name: an HTTP token. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** A header value: visible Latin-1 characters, spaces and tabs; no line breaks, NUL or other controls. */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * Throws a `TypeError` naming the header (never quoting its value, which may be
 * a secret) when the name or value cannot be sent in an HTTP header.
 *
 * @example
 * ```ts
 * checkHeader('x-trace', 'abc\r\nInjected: 1', 'GET /x'); // throws TypeError
 * ```
 */
export function checkHeader(name: string, value: unknown, where: string): void {
  if (!HEADER_NAME.test(name)) throw new TypeError(`${where}: ${JSON.stringify(name.slice(0, 64))} is not a valid header name`);
  if (typeof value !== 'string') throw new TypeError(`${where}: the value of header ${name} must be a string, got ${value === null ? 'null' : typeof value}`);
  if (!HEADER_VALUE.test(value)) {
    throw new TypeError(`${where}: the value of header ${name} holds characters a header cannot carry (line breaks, control or non-Latin-1 characters)`);
  }
}
