/**
 * The undici engine (Node >= 20.18.1): one keep-alive `Pool` per origin, bodies
 * streamed both ways, abort through the signal. It skips the `Request` and
 * `Response` objects of `fetch`, which cost more than the socket work on a
 * local homeserver. Redirects are never followed here: the transport does it.
 */
import { Pool } from 'undici';
import type { EngineHeaders, EngineRequest, EngineResponse, HttpEngine } from '../engine.js';

/**
 * Options of {@link createUndiciEngine}.
 *
 * @example
 * ```ts
 * const engine = createUndiciEngine({ connections: 64, keepAliveTimeout: 30_000 } satisfies UndiciEngineOptions);
 * ```
 */
export interface UndiciEngineOptions {
  /**
   * Sockets kept per origin.
   * @default unlimited
   */
  connections?: number | null;
  /**
   * Milliseconds an idle socket stays open.
   * @default 4_000 (undici's default, or the server's keep-alive hint)
   */
  keepAliveTimeout?: number;
}

const ignore = (): void => {};

/** The answer headers undici hands back (lower-case names), read without building a `Headers`. */
class UndiciHeaders implements EngineHeaders {
  readonly #raw: Record<string, string | string[] | undefined>;
  constructor(raw: Record<string, string | string[] | undefined>) {
    this.#raw = raw;
  }
  get(name: string): string | null {
    const value = this.#raw[name.toLowerCase()];
    if (value === undefined) return null;
    return typeof value === 'string' ? value : value.join(', ');
  }
  /** A standard `Headers` with every value (for raw responses handed to callers). */
  toHeaders(): Headers {
    const headers = new Headers();
    for (const [name, value] of Object.entries(this.#raw)) {
      if (value === undefined) continue;
      if (typeof value === 'string') headers.append(name, value);
      else for (const one of value) headers.append(name, one);
    }
    return headers;
  }
}

/**
 * Creates an undici engine at once (undici loaded). Most code wants the lazy
 * {@link createUndiciEngine} of `matrix-fluent/node` instead.
 *
 * @example
 * ```ts
 * const engine = createUndiciPoolEngine({ connections: 64 });
 * await engine.close?.();
 * ```
 */
export function createUndiciPoolEngine(options: UndiciEngineOptions = {}): HttpEngine {
  const pools = new Map<string, Pool>();
  let closed = false;
  const pool = (origin: string): Pool => {
    if (closed) throw new Error('the undici engine was closed');
    let found = pools.get(origin);
    if (found === undefined) {
      found = new Pool(origin, {
        connections: options.connections ?? null,
        // The transport owns timeouts (`timeout`, possibly `false`): undici's own stay off.
        headersTimeout: 0,
        bodyTimeout: 0,
        ...(options.keepAliveTimeout !== undefined ? { keepAliveTimeout: options.keepAliveTimeout } : {}),
      });
      pools.set(origin, found);
    }
    return found;
  };
  return {
    name: 'undici',
    async send(request: EngineRequest): Promise<EngineResponse> {
      // Split without building a URL object: the transport hands absolute URLs.
      const at = request.url.indexOf('/', request.url.indexOf('//') + 2);
      const origin = at < 0 ? request.url : request.url.slice(0, at);
      const path = at < 0 ? '/' : request.url.slice(at);
      const { body } = request;
      const answer = await pool(origin).request({
        method: request.method as 'GET',
        path,
        headers: request.headers,
        // undici takes strings, bytes, Blobs, Node streams and async iterables (web streams are).
        body: (body ?? null) as string | Uint8Array | null,
        // An EventTarget-like is enough for undici, and cheaper than an AbortSignal.
        signal: request.abort ?? request.signal ?? null,
      });
      // Errors reach whoever reads the body (through its iterator); an unread body that
      // is aborted or destroyed must not raise an unhandled 'error' event.
      answer.body.on('error', ignore);
      return {
        status: answer.statusCode,
        statusText: answer.statusText ?? '',
        headers: new UndiciHeaders(answer.headers),
        body: answer.body,
      };
    },
    async close(): Promise<void> {
      closed = true;
      const all = [...pools.values()];
      pools.clear();
      await Promise.all(all.map((one) => one.close()));
    },
  };
}
