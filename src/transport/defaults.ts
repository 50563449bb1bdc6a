import { abortReason, delay } from './delay.js';
import type { TransportLogger, TransportOptions } from './options.js';
import type { HttpMethod, RetryOptions } from './types.js';

const noop = (): void => {};

/**
 * The default sleep between attempts: the package's one abortable delay.
 *
 * @example
 * ```ts
 * await defaultSleep(250, signal);
 * ```
 */
export const defaultSleep = (ms: number, signal: AbortSignal | undefined): Promise<void> => delay(ms, signal);

export { abortReason };

/** The default logger: drops debug and info, sends warn and error to the console. */
export const WARN_LOGGER: TransportLogger = Object.freeze({
  debug: noop,
  info: noop,
  warn: (message: string, context?: Record<string, unknown>) => console.warn(`[matrix-fluent] ${message}`, context ?? ''),
  error: (message: string, context?: Record<string, unknown>) => console.error(`[matrix-fluent] ${message}`, context ?? ''),
});

/** A fully specified retry policy. */
export type ResolvedRetryOptions = Required<Omit<RetryOptions, 'methods' | 'statusCodes'>> & {
  methods: readonly HttpMethod[];
  statusCodes: readonly number[];
};

/**
 * Every default of the transport in one place; {@link TransportOptions} documents each.
 * `fetch` looks `globalThis.fetch` up at each call, so a fetch patched later is used.
 *
 * @example
 * ```ts
 * console.log(DEFAULT_TRANSPORT_OPTIONS.retry.limit, DEFAULT_TRANSPORT_OPTIONS.timeout); // 3 60000
 * ```
 */
export const DEFAULT_TRANSPORT_OPTIONS = {
  /** @default globalThis.fetch at call time */
  fetch: (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => globalThis.fetch(input, init),
  retry: {
    /** @default 3 */
    limit: 3,
    /** @default ['GET', 'PUT', 'DELETE'] */
    methods: ['GET', 'PUT', 'DELETE'],
    /** @default [502, 503, 504] */
    statusCodes: [502, 503, 504],
    /** @default 60_000 */
    maxRetryAfter: 60_000,
    /** @default 500 */
    backoffBase: 500,
    /** @default 30_000 */
    backoffLimit: 30_000,
    /** @default false */
    unsafePost: false,
  },
  /** @default 60_000 */
  timeout: 60_000,
  /** @default 50 MiB */
  maxResponseBytes: 50 * 1024 * 1024,
  /** @default 64 KiB */
  maxErrorBodyBytes: 64 * 1024,
  /** @default false */
  ignoreRateLimit: false,
  /** @default 5 */
  maxRedirects: 5,
  /** @default 30_000 */
  bodyTimeout: 30_000,
  /** @default {} */
  hooks: {},
  /** @default WARN_LOGGER */
  logger: WARN_LOGGER,
  /** @default 'matrix-fluent' */
  userAgent: 'matrix-fluent',
} as const satisfies Required<Omit<TransportOptions, 'baseUrl' | 'accessToken' | 'asToken' | 'retry' | 'engine' | 'followRedirects'>> & {
  retry: ResolvedRetryOptions;
};
