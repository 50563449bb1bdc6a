/**
 * The fetch engine: ky over the injected or global `fetch`. The universal path
 * (browsers, Deno, Bun, and whenever a caller passes `fetch`).
 *
 * ky runs with its own policy switched off (`retry: 0`, `throwHttpErrors: false`,
 * `timeout: false`, `redirect: 'manual'`): the transport above owns all of it. ky
 * builds the request (URL, method, headers, redirect mode); the body and the
 * signal are attached when it is sent.
 */
import type { KyInstance } from 'ky';
import { DEFAULT_TRANSPORT_OPTIONS } from '../defaults.js';
import type { EngineRequest, EngineResponse, HttpEngine } from '../engine.js';
import { isAsyncIterable, isWebStream, iterableToStream } from './body-kinds.js';

/**
 * What one call attaches at the fetch itself rather than through ky: the body (ky
 * clones each request for its retries, which would tee, that is buffer, a body) and
 * the signal (ky would compose it with its own on every call, for a policy that is
 * the transport's).
 */
type Attach = {
  init: RequestInit;
};

/**
 * Creates a fetch engine over `fetch` (the global fetch, looked up per call, when omitted).
 *
 * @example
 * ```ts
 * const client = createClient({ baseUrl, accessToken, engine: createFetchEngine(myFetch) });
 * ```
 */
export function createFetchEngine(fetch: typeof globalThis.fetch = DEFAULT_TRANSPORT_OPTIONS.fetch): HttpEngine {
  // ky is imported when the first fetch engine is created, not with the package:
  // Node code on the undici engine never loads it.
  let client: KyInstance | undefined;
  const loading: Promise<KyInstance> = import('ky').then(({ default: ky }) =>
    (client = ky.create({
      retry: 0,
      throwHttpErrors: false,
      timeout: false,
      redirect: 'manual',
      fetch,
      hooks: {
        // ky builds and normalises the Request; this hook sends it with the call's body and
        // signal attached (see `Attach`), and answers ky with the Response, which skips
        // ky's retry clone (it would tee the body) and its signal composition.
        beforeRequest: [(request, options) => fetch(request, (options.context as unknown as Attach).init)],
      },
    })),
  );
  // A failed load surfaces on the first request, not as an unhandled rejection.
  loading.catch(() => undefined);
  return {
    name: 'fetch',
    async send(request: EngineRequest, follow = false): Promise<EngineResponse> {
      const { body, signal } = request;
      // A Node stream or async generator is read through a web stream: fetch takes no other.
      const stream = isWebStream(body) ? body : isAsyncIterable(body) ? iterableToStream(body) : undefined;
      const init: RequestInit =
        stream === undefined
          ? { body: (body as BodyInit | undefined) ?? null, signal: signal ?? null }
          : ({ body: stream, duplex: 'half', signal: signal ?? null } as RequestInit);
      const context: Attach = { init };
      const ky = client ?? (await loading);
      const response = await ky(request.url, {
        method: request.method,
        headers: request.headers,
        context,
        ...(follow ? { redirect: 'follow' as const } : {}),
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
