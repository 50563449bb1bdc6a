/**
 * The fetch engine: ky over the injected or global `fetch`. The universal path
 * (browsers, Deno, Bun, and whenever a caller passes `fetch`).
 *
 * ky runs with its own policy switched off (`retry: 0`, `throwHttpErrors: false`,
 * `timeout: false`, `redirect: 'manual'`): the transport above owns all of it.
 */
import ky from 'ky';
import { DEFAULT_TRANSPORT_OPTIONS } from '../defaults.js';
import type { EngineRequest, EngineResponse, HttpEngine } from '../engine.js';
import { isAsyncIterable, isWebStream, iterableToStream } from './body-kinds.js';

/**
 * Creates a fetch engine over `fetch` (the global fetch, looked up per call, when omitted).
 *
 * @example
 * ```ts
 * const client = createClient({ baseUrl, accessToken, engine: createFetchEngine(myFetch) });
 * ```
 */
export function createFetchEngine(fetch: typeof globalThis.fetch = DEFAULT_TRANSPORT_OPTIONS.fetch): HttpEngine {
  const client = ky.create({ retry: 0, throwHttpErrors: false, timeout: false, redirect: 'manual', fetch });
  return {
    name: 'fetch',
    async send(request: EngineRequest, follow = false): Promise<EngineResponse> {
      const { body } = request;
      // A Node stream or async generator is read through a web stream: fetch takes no other.
      const stream = isWebStream(body) ? body : isAsyncIterable(body) ? iterableToStream(body) : undefined;
      const response = await client(request.url, {
        method: request.method,
        headers: request.headers,
        body: stream === undefined ? (body as BodyInit | undefined) ?? null : null,
        signal: request.signal ?? null,
        ...(follow ? { redirect: 'follow' as const } : {}),
        ...(stream === undefined
          ? {}
          : {
              // A one-shot stream is attached under ky's clone: ky clones each request
              // for its retries, which would tee (buffer) the whole upload.
              fetch: (input: RequestInfo | URL, init?: RequestInit) =>
                fetch(new Request(input as Request, { body: stream, duplex: 'half' } as RequestInit), init),
            }),
      });
      return {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
        body: response.body,
        opaqueRedirect: response.type === 'opaqueredirect',
        url: response.url,
      };
    },
  };
}
