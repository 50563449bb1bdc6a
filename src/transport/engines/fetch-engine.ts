/**
 * The fetch engine: ky over the injected or global `fetch`. The universal path
 * (browsers, Deno, Bun, and whenever a caller passes `fetch`).
 *
 * One ky instance per engine, with its own policy switched off (`retry: 0`,
 * `throwHttpErrors: false`, `timeout: false`): the transport above owns all of it.
 * Each call gives ky the method and the URL, from which ky builds and normalises
 * the `Request`; ky's `beforeRequest` hook then sends that Request through
 * `fetch` with the rest of the exchange attached (see {@link Dispatch}) and
 * answers ky with the `Response`.
 *
 * What a call costs in ky grows with what it is given: every option passes through
 * ky's option merge, and headers through four `Headers` copies, so a call gives ky
 * no more than the method, the URL and the dispatch. Part of the cost is fixed
 * whatever the options: each call builds an `AbortController` and a `Request` of
 * ky's own (following that controller's signal) and merges ky's defaults and hooks,
 * before `fetch` builds its own `Request` from it; ky 1.x has no option that skips
 * them. This is most of what the engine costs over a bare `fetch` (see the README's
 * HTTP engines figures, where bare ky is measured beside it).
 */
import type { KyInstance, Options as KyOptions } from 'ky';
import { DEFAULT_TRANSPORT_OPTIONS } from '../defaults.js';
import type { EngineRequest, EngineResponse, HttpEngine } from '../engine.js';
import { isAsyncIterable, isWebStream, iterableToStream } from './body-kinds.js';

/**
 * What one call attaches when ky's Request is sent, through ky's `context`: the
 * headers (as they are: ky would copy them through `Headers` four times), the
 * body (ky clones a request for its retries, which would tee, that is buffer, a
 * body), the signal (ky would compose it with its own) and the redirect mode.
 * `signal: null` keeps `fetch` from following ky's own signal, which only ky can abort.
 */
type Dispatch = RequestInit & { duplex?: 'half' };

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
      fetch,
      hooks: {
        // Answering ky with the Response skips ky's retry clone (it would tee the body)
        // and its timeout race; the Request sent is the one ky built.
        beforeRequest: [(request, options) => fetch(request, options.context as Dispatch)],
      },
    })),
  );
  // A failed load surfaces on the first request, not as an unhandled rejection.
  loading.catch(() => undefined);
  return {
    name: 'fetch',
    async send(request: EngineRequest, follow = false): Promise<EngineResponse> {
      const body = request.body;
      const dispatch: Dispatch = {
        headers: request.headers,
        body: null,
        signal: request.signal ?? null,
        redirect: follow ? 'follow' : 'manual',
      };
      if (body !== undefined) {
        if (isWebStream(body)) {
          dispatch.body = body;
          dispatch.duplex = 'half';
        } else if (isAsyncIterable(body)) {
          // A Node stream or async generator is read through a web stream: fetch takes no other.
          dispatch.body = iterableToStream(body);
          dispatch.duplex = 'half';
        } else {
          dispatch.body = body as BodyInit;
        }
      }
      const ky = client ?? (await loading);
      const options: KyOptions = { method: request.method, context: dispatch as Record<string, unknown> };
      const response = await ky(request.url, options);
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
