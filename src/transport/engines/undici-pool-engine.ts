/**
 * The undici engine (Node >= 20.18.1): one keep-alive `Pool` per origin, bodies
 * streamed both ways, abort through the signal. It skips the `Request` and
 * `Response` objects of `fetch`, which cost more than the socket work on a
 * local homeserver. Redirects are never followed here: the transport does it.
 */
import { pipeline, type Readable, type Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
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
  /**
   * Origins with a pool kept at once. Past it, creating a pool for another origin (a
   * media CDN, say) first closes pools that have no request in flight, those without an
   * open socket first.
   * @default 32
   */
  maxOrigins?: number;
}

/** The content codings decoded, as `fetch` does: gzip, deflate and br. */
const DECODERS: Record<string, () => Transform> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

/**
 * The body decoded by its `Content-Encoding` (as `fetch` decodes it), or as it is
 * when there is none or a coding is unknown. The size limits above count decoded bytes.
 */
function decoded(body: Readable, encoding: string | string[] | undefined, status: number): Readable {
  if (encoding === undefined || status === 204 || status === 304) return body;
  const codings = (typeof encoding === 'string' ? encoding : encoding.join(','))
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity');
  if (codings.length === 0 || codings.length > 5 || !codings.every((coding) => DECODERS[coding] !== undefined)) return body;
  // Codings apply in order: undo them from the last.
  const steps = codings.reverse().map((coding) => (DECODERS[coding] as () => Transform)());
  // pipeline destroys every stream when one fails or the reader stops (closing the socket).
  return pipeline([body, ...steps], ignore) as unknown as Readable;
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
  const maxOrigins = Math.max(1, options.maxOrigins ?? 32);
  let closed = false;
  /** Makes room for one more pool: closes idle pools, the unconnected ones first. */
  const prune = (): void => {
    for (const unconnectedOnly of [true, false]) {
      for (const [origin, one] of pools) {
        if (pools.size < maxOrigins) return;
        const stats = one.stats;
        if (stats.size > 0 || (unconnectedOnly && stats.connected > 0)) continue;
        pools.delete(origin);
        // close() lets anything still queued finish, then ends the sockets.
        one.close().catch(ignore);
      }
    }
  };
  /** Closes every pool (requests in flight finish first); the next request opens a new one. */
  const release = async (): Promise<void> => {
    const all = [...pools.values()];
    pools.clear();
    await Promise.all(all.map((one) => one.close()));
  };
  const pool = (origin: string): Pool => {
    if (closed) throw new Error('the undici engine was closed');
    let found = pools.get(origin);
    if (found === undefined) {
      if (pools.size >= maxOrigins) prune();
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
      const encoding = answer.headers['content-encoding'];
      let answerBody: Readable = answer.body;
      if (encoding !== undefined) {
        answerBody = decoded(answer.body, encoding, answer.statusCode);
        answerBody.on('error', ignore);
      }
      return {
        status: answer.statusCode,
        statusText: answer.statusText ?? '',
        headers: new UndiciHeaders(answer.headers),
        body: answerBody,
      };
    },
    async close(): Promise<void> {
      closed = true;
      await release();
    },
    release,
  };
}
