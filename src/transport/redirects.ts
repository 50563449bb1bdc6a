/**
 * The redirect loop: sends one exchange through the engine and follows up to
 * `maxRedirects` redirects by hand, dropping the credential on a change of
 * origin and never replaying a body that cannot be sent again.
 */
import { NetworkError } from '../errors/network-error.js';
import type { AttemptAbort } from './attempt.js';
import type { EngineRequest, EngineResponse, HttpEngine } from './engine.js';
import type { PreparedBody } from './request-body.js';
import { discardBody } from './response-body.js';

const REDIRECTS: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** One exchange to send, redirects included. */
export interface Exchange {
  url: string;
  method: string;
  headers: Record<string, string>;
  prepared: PreparedBody;
  attempt: AttemptAbort;
  /** The path shown in errors (computed only when one is raised). */
  errorPath: () => string;
}

/** The request an engine gets: the `AbortSignal` is built only if the engine reads it. */
function engineRequest(
  method: string,
  url: string,
  headers: Record<string, string>,
  body: EngineRequest['body'],
  attempt: AttemptAbort,
): EngineRequest {
  return {
    method,
    url,
    headers,
    body,
    abort: attempt.handle,
    get signal() {
      return attempt.signal;
    },
  };
}

function originOf(url: string): string {
  return new URL(url).origin;
}

/**
 * Sends an exchange, following redirects; answers the final response and its URL.
 *
 * @example
 * ```ts
 * const { response, url } = await sendFollowingRedirects(engine, exchange, 5);
 * ```
 */
export async function sendFollowingRedirects(
  engine: HttpEngine,
  exchange: Exchange,
  maxRedirects: number,
): Promise<{ response: EngineResponse; url: string }> {
  const { attempt, errorPath } = exchange;
  let current = exchange.url;
  let method = exchange.method;
  let headers = exchange.headers;
  let body = exchange.prepared.body;
  let replayable = exchange.prepared.replayable;
  for (let hop = 0; ; hop++) {
    const request = engineRequest(method, current, headers, body, attempt);
    const response = await engine.send(request);
    if (response.opaqueRedirect === true) {
      // A streamed body was sent already and cannot be sent again to the new location.
      if (!replayable) throw new NetworkError('redirected after a streamed upload, which cannot be sent again', exchange.method, errorPath());
      // Browsers hide manual redirects; let the browser follow (it drops
      // Authorization on cross-origin redirects itself).
      const followed = await engine.send(request, true);
      return { response: followed, url: followed.url || current };
    }
    if (!REDIRECTS.has(response.status)) return { response, url: current };
    const location = response.headers.get('location');
    if (location === null) return { response, url: current };
    if (hop >= maxRedirects) {
      discardBody(response.body);
      throw new NetworkError(`more than ${maxRedirects} redirects`, exchange.method, errorPath());
    }
    const next = new URL(location, current);
    const mustSwitchToGet =
      (response.status === 303 && method !== 'GET') || ((response.status === 301 || response.status === 302) && method === 'POST');
    // The upload stream is spent and cannot be sent again: hand the 3xx back.
    if (!mustSwitchToGet && !replayable) return { response, url: current };
    discardBody(response.body);
    if (next.origin !== originOf(current) && headers['authorization'] !== undefined) {
      const { authorization: _dropped, ...rest } = headers;
      headers = rest;
    }
    if (mustSwitchToGet) {
      method = 'GET';
      body = undefined;
      replayable = true;
      const { 'content-type': _type, ...rest } = headers;
      headers = rest;
    }
    current = next.href;
  }
}
