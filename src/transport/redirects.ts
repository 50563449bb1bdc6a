/**
 * The redirect policy and loop. Engines never follow redirects: this loop sends
 * one exchange and decides each 3xx by the request's mode:
 * - `'follow'` (media downloads and thumbnails, `.well-known`, or the caller's
 *   `followRedirects: true`): up to `maxRedirects` hops, each checked by
 *   {@link planRedirect} (http(s) only, no https to http, no body to another
 *   origin), with the credentials dropped on a change of origin;
 * - `'manual'` (operations whose answer is the redirect): the 3xx is handed back;
 * - `'error'` (every other operation): a {@link RedirectError}.
 */
import { RedirectError, type RedirectRefusal } from '../errors/redirect-error.js';
import type { AttemptAbort } from './attempt.js';
import type { EngineRequest, EngineResponse, HttpEngine } from './engine.js';
import { redactUrl } from './scrub.js';
import type { PreparedBody } from './request-body.js';
import { discardBody } from './response-body.js';
import type { RedirectResponse, TransportRequest } from './types.js';

const REDIRECTS: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** Request headers that carry credentials: never sent to another origin. */
const CREDENTIAL_HEADERS: readonly string[] = ['authorization', 'cookie', 'proxy-authorization'];

/**
 * What a redirect answer does to a request: see the module comment.
 *
 * @example
 * ```ts
 * const mode: RedirectMode = redirectMode(request, options.followRedirects);
 * ```
 */
export type RedirectMode = 'follow' | 'manual' | 'error';

/**
 * One exchange to send, redirects included.
 *
 * @example
 * ```ts
 * const exchange: Exchange = { url, method: 'GET', headers, prepared, attempt, errorPath: () => path, mode: 'follow', scrub };
 * ```
 */
export interface Exchange {
  url: string;
  method: string;
  headers: Record<string, string>;
  prepared: PreparedBody;
  attempt: AttemptAbort;
  /** The path shown in errors (computed only when one is raised). */
  errorPath: () => string;
  /** What a redirect does (see {@link redirectMode}). */
  mode: RedirectMode;
  /** Removes credentials from text kept in errors. */
  scrub: (text: string) => string;
}

/**
 * The redirect mode of a request: `'manual'` stays; otherwise the caller's
 * `followRedirects` (per request, else per client) decides, and when unset the
 * mode the gateway gave (`'error'` when none).
 *
 * @example
 * ```ts
 * redirectMode({ ...request, redirect: 'follow' }, undefined); // 'follow'
 * redirectMode({ ...request, options: { followRedirects: true } }, undefined); // 'follow'
 * ```
 */
export function redirectMode(request: TransportRequest, clientFollows: boolean | undefined): RedirectMode {
  const given = request.redirect ?? 'error';
  if (given === 'manual') return given;
  const follows = request.options?.followRedirects ?? clientFollows;
  return follows === undefined ? given : follows ? 'follow' : 'error';
}

/**
 * Whether a status is a redirect this transport knows (301, 302, 303, 307, 308).
 *
 * @example
 * ```ts
 * isRedirectStatus(307); // true
 * ```
 */
export function isRedirectStatus(status: number): boolean {
  return REDIRECTS.has(status);
}

/**
 * The next request of a redirect that may be followed.
 *
 * @example
 * ```ts
 * const plan = planRedirect(303, from, location, 'POST', true);
 * if (typeof plan !== 'string') console.log(plan.method); // 'GET'
 * ```
 */
export interface RedirectPlan {
  /** The absolute target, without fragment. */
  url: string;
  /** The method to use (a 303, or a 301/302 after a POST, switch to GET). */
  method: string;
  /** The body (and its Content-Type) is dropped: the method switched to GET. */
  dropBody: boolean;
  /** The target is on another origin: credentials are dropped. */
  crossOrigin: boolean;
}

/**
 * Decides one redirect hop by the policy: the plan of the next request, or why it is
 * refused. Pure: `from` is the URL that answered, `location` its Location header.
 *
 * @example
 * ```ts
 * planRedirect(307, 'https://hs.example/a', 'http://hs.example/b', 'GET', false); // 'downgrade'
 * planRedirect(307, 'https://hs.example/login', 'https://evil.example/', 'POST', true); // 'cross-origin-body'
 * planRedirect(302, 'https://hs.example/a', '/b', 'GET', false); // { url: 'https://hs.example/b', method: 'GET', ... }
 * ```
 */
export function planRedirect(status: number, from: string, location: string, method: string, hasBody: boolean): RedirectPlan | RedirectRefusal {
  let next: URL;
  let origin: URL;
  try {
    origin = new URL(from);
    next = new URL(location, origin);
  } catch {
    return 'malformed';
  }
  if (next.protocol !== 'http:' && next.protocol !== 'https:') return 'scheme';
  if (origin.protocol === 'https:' && next.protocol === 'http:') return 'downgrade';
  const switchToGet = (status === 303 && method !== 'GET' && method !== 'HEAD') || ((status === 301 || status === 302) && method === 'POST');
  const crossOrigin = next.origin !== origin.origin;
  if (crossOrigin && hasBody && !switchToGet) return 'cross-origin-body';
  next.hash = '';
  return { url: next.href, method: switchToGet ? 'GET' : method, dropBody: switchToGet, crossOrigin };
}

/**
 * The answer of a `'manual'` request that was redirected: its status and resolved
 * Location. The redirect's body is dropped.
 *
 * @example
 * ```ts
 * const { location } = manualRedirect(response, url, exchange);
 * ```
 */
export function manualRedirect(response: EngineResponse, url: string, exchange: Pick<Exchange, 'method' | 'errorPath' | 'scrub'>): RedirectResponse {
  discardBody(response.body);
  const location = response.headers.get('location') ?? '';
  try {
    return { status: response.status, location: new URL(location, url).href };
  } catch {
    throw refusal('malformed', response.status, undefined, exchange);
  }
}

function refusal(reason: RedirectRefusal, status: number, location: string | undefined, exchange: Pick<Exchange, 'method' | 'errorPath' | 'scrub'>): RedirectError {
  let shown: string | undefined;
  if (location !== undefined) {
    try {
      shown = exchange.scrub(redactUrl(new URL(location).href));
    } catch {
      shown = undefined;
    }
  }
  return new RedirectError({ reason, status, location: shown, method: exchange.method, path: exchange.errorPath() });
}

/** `location` resolved against `from`, or the text itself when it is no URL. */
function resolved(location: string, from: string): string {
  try {
    return new URL(location, from).href;
  } catch {
    return location;
  }
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

function without(headers: Record<string, string>, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(headers)) if (!names.includes(name)) out[name] = headers[name] as string;
  return out;
}

/**
 * Sends an exchange and applies the redirect policy; answers the final response and its
 * URL (in `'manual'` mode, possibly the redirect itself). A refused redirect throws a
 * {@link RedirectError}, its body dropped.
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
  const { attempt, mode } = exchange;
  let current = exchange.url;
  let method = exchange.method;
  let headers = exchange.headers;
  let body = exchange.prepared.body;
  for (let hop = 0; ; hop++) {
    const request = engineRequest(method, current, headers, body, attempt);
    const response = await engine.send(request);
    if (response.opaqueRedirect === true) {
      // A browser hides the target: it may follow itself only where nothing can leak,
      // a followed request without a body (it drops Authorization across origins).
      discardBody(response.body);
      if (mode !== 'follow') throw refusal(mode === 'error' ? 'not-followed' : 'opaque', 0, undefined, exchange);
      if (body !== undefined) throw refusal('opaque', 0, undefined, exchange);
      const followed = await engine.send(request, true);
      return { response: followed, url: followed.url || current };
    }
    if (!REDIRECTS.has(response.status)) return { response, url: current };
    const location = response.headers.get('location');
    // A 3xx without a target is no redirect: it is answered as an error status.
    if (location === null || mode === 'manual') return { response, url: current };
    if (mode === 'error' || hop >= maxRedirects) {
      discardBody(response.body);
      throw refusal(mode === 'error' ? 'not-followed' : 'too-many', response.status, resolved(location, current), exchange);
    }
    const plan = planRedirect(response.status, current, location, method, body !== undefined);
    const refused =
      typeof plan === 'string' ? plan : !plan.dropBody && body !== undefined && !exchange.prepared.replayable ? 'streamed-body' : undefined;
    discardBody(response.body);
    if (refused !== undefined) throw refusal(refused, response.status, resolved(location, current), exchange);
    const next = plan as RedirectPlan;
    if (next.crossOrigin) headers = without(headers, CREDENTIAL_HEADERS);
    if (next.dropBody) {
      body = undefined;
      headers = without(headers, ['content-type', 'content-length']);
    }
    method = next.method;
    current = next.url;
  }
}
