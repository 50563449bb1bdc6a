import { createFetchEngine } from './engines/fetch-engine.js';

/**
 * The engine seam: the one place an HTTP exchange leaves the process.
 *
 * An engine performs exactly one exchange: no retries, no redirects followed,
 * no credentials added, no size limits. Everything above it (the retry loop,
 * redirects, auth, limits, errors, hooks, scrubbing) is written once in the
 * transport, so engines are interchangeable.
 */

/**
 * Answer headers an engine may hand back instead of a `Headers`: read by name
 * on the hot path, turned into a `Headers` only when a caller gets them.
 *
 * @example
 * ```ts
 * const headers: EngineHeaders = { get: (name) => (name === 'content-type' ? 'application/json' : null), toHeaders: () => new Headers({ 'content-type': 'application/json' }) };
 * ```
 */
export interface EngineHeaders {
  /** The value of a header (several values joined with `, `), or `null`. */
  get(name: string): string | null;
  /** Every header as a standard `Headers`. */
  toHeaders(): Headers;
}

/**
 * A request body as the transport gives it to an engine. Streams (web or Node,
 * or any async iterable of bytes) are sent once.
 *
 * @example
 * ```ts
 * const body: EngineBody = JSON.stringify({ msgtype: 'm.text', body: 'hi' });
 * ```
 */
export type EngineBody =
  | string
  | Uint8Array
  | ArrayBuffer
  | Blob
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array | string>;

/**
 * An abort as an EventTarget-like: what undici's `signal` option takes. Cheaper to
 * build than an `AbortSignal`; an `AbortSignal` is one too.
 */
export interface AbortHandle {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/**
 * One HTTP exchange to perform.
 *
 * @example
 * ```ts
 * const logging: HttpEngine = { name: 'logging', send: (request: EngineRequest, follow) => (console.log(request.method), inner.send(request, follow)) };
 * ```
 */
export interface EngineRequest {
  /** Upper-case method. */
  method: string;
  /** Absolute URL, already encoded. */
  url: string;
  /** Lower-case header names. */
  headers: Record<string, string>;
  body: EngineBody | undefined;
  /**
   * Aborts the exchange, including the reading of the answer's body. May be built
   * on first read: engines that can listen to {@link EngineRequest.abort} should.
   */
  readonly signal: AbortSignal | undefined;
  /** The same abort as an EventTarget-like, for engines that accept one (undici). */
  readonly abort?: AbortHandle | undefined;
}

/**
 * The answer to one exchange: status and headers at once, the body still streaming.
 *
 * @example
 * ```ts
 * const answer: EngineResponse = { status: 200, statusText: 'OK', headers: new Headers({ 'content-type': 'application/json' }), body: new Response('{}').body };
 * ```
 */
export interface EngineResponse {
  status: number;
  statusText: string;
  headers: Headers | EngineHeaders;
  /**
   * The body: a web stream, or any async iterable of bytes (a Node stream).
   * `null` when there is none.
   */
  body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | null;
  /**
   * A browser hid a redirect (`redirect: 'manual'` answers an opaque response):
   * the transport asks the engine to let the runtime follow it.
   */
  opaqueRedirect?: boolean;
  /** The final URL when the runtime followed redirects itself. */
  url?: string;
}

/**
 * Performs single HTTP exchanges for the transport.
 *
 * @example
 * ```ts
 * const engine: HttpEngine = {
 *   name: 'plain-fetch',
 *   async send({ method, url, headers, body, signal }, follow) {
 *     const init = { method, headers, body: body as BodyInit, signal: signal ?? null, redirect: follow ? 'follow' : 'manual' } as const;
 *     const response = await fetch(url, init);
 *     return { status: response.status, statusText: response.statusText, headers: response.headers, body: response.body };
 *   },
 * };
 * const client = createClient({ baseUrl, accessToken, engine });
 * ```
 */
export interface HttpEngine {
  /** A short name for logs (`'fetch'`, `'undici'`). */
  readonly name: string;
  /**
   * Sends one request. With `follow`, the runtime may follow redirects itself
   * (browsers, after an opaque redirect); otherwise redirects are answered as they come.
   */
  send(request: EngineRequest, follow?: boolean): Promise<EngineResponse>;
  /** Releases pooled connections; the engine may not be used afterwards. */
  close?(): Promise<void>;
  /**
   * Closes the pooled connections (requests in flight finish first); unlike `close`,
   * the engine stays usable and connects again when next used.
   */
  release?(): Promise<void>;
}

/**
 * The engine a client uses: a built-in one by name, or any {@link HttpEngine}.
 *
 * @example
 * ```ts
 * const engine: EngineChoice = 'fetch';
 * const client = createClient({ baseUrl, accessToken, engine });
 * ```
 */
export type EngineChoice = 'fetch' | 'undici' | HttpEngine;

/** Builds a named engine for one transport. */
export type EngineFactory = (options: { fetch: typeof globalThis.fetch | undefined }) => HttpEngine;

const factories = new Map<string, EngineFactory>();
let defaultName = 'fetch';

/**
 * Makes a named engine available to `engine: name`, and optionally the default.
 * The Node entry registers `'undici'` this way; the main entry knows `'fetch'` only,
 * so that a browser bundle never holds another engine.
 *
 * @example
 * ```ts
 * registerEngine('undici', () => createUndiciEngine(), true);
 * ```
 */
export function registerEngine(name: string, factory: EngineFactory, makeDefault = false): void {
  factories.set(name, factory);
  if (makeDefault) defaultName = name;
}

/**
 * The engine of a transport: the one chosen, else the fetch engine when a `fetch`
 * is given, else the runtime's default (undici on Node, fetch elsewhere).
 *
 * @example
 * ```ts
 * const engine = resolveEngine(undefined, undefined); // undici on Node
 * ```
 */
export function resolveEngine(choice: EngineChoice | undefined, fetch: typeof globalThis.fetch | undefined): HttpEngine {
  if (typeof choice === 'object') return choice;
  if (choice === 'undici' && fetch !== undefined) {
    throw new TypeError("createTransport: a custom fetch runs on the fetch engine; drop `fetch` or `engine: 'undici'`");
  }
  const name = choice ?? (fetch !== undefined ? 'fetch' : defaultName);
  if (name === 'fetch') return createFetchEngine(fetch);
  const factory = factories.get(name);
  if (factory === undefined) {
    throw new TypeError(
      `createTransport: no engine named ${JSON.stringify(name)} here` +
        (name === 'undici' ? ' (the undici engine runs on Node >= 20.18.1, through the package\'s node entry)' : ''),
    );
  }
  return factory({ fetch });
}
