/**
 * The seam between the gateways (API, media, sync) and the HTTP layer.
 *
 * The gateways resolve a chain against the route table and describe one
 * operation call as a {@link TransportRequest}; a {@link Transport} turns it
 * into HTTP, with auth, retries, limits and hooks.
 */

/**
 * An HTTP method the Matrix spec uses.
 *
 * @example
 * ```ts
 * const method: HttpMethod = 'PUT';
 * ```
 */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/**
 * A query value as the gateway accepts it. Objects are sent as JSON text.
 *
 * @example
 * ```ts
 * const query: Record<string, QueryValue> = { dir: 'b', limit: 10, filter: { lazy_load_members: true } };
 * ```
 */
export type QueryValue =
  | string
  | number
  | boolean
  | null
  | undefined
  | readonly (string | number | boolean)[]
  | { readonly [key: string]: unknown };

/**
 * What a JSON success answer must be; see {@link TransportRequest.answer}.
 *
 * @example
 * ```ts
 * const answer: AnswerShape = ROUTES['GET /_matrix/client/v3/account/whoami'].answer; // 'object'
 * ```
 */
export type AnswerShape = 'object' | 'array' | 'object-or-empty';

/**
 * Options any single request may override.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * await client.api.versions.get({ signal: controller.signal, timeout: 5_000, retry: 0 });
 * ```
 */
export interface RequestOptions {
  /** Aborts the request and any pending retry at once. */
  signal?: AbortSignal;
  /** Milliseconds before one attempt is abandoned (`false` for none). */
  timeout?: number | false;
  /** Retry settings for this request; a number is the retry limit. */
  retry?: number | RetryOptions;
  /** Hand a 429 straight to the caller as a `RateLimitError` instead of waiting. */
  ignoreRateLimit?: boolean;
  /** Largest response body accepted, in bytes. */
  maxResponseBytes?: number;
  /** Application services: the origin server timestamp to give the event (`ts` query parameter). */
  ts?: number;
  /** Extra request headers (never `Authorization`, which the transport owns). */
  headers?: Record<string, string>;
  /**
   * Follow redirects on this request (`true`), or follow none (`false`); unset, only the
   * operations the spec lets redirect follow them (media downloads and thumbnails,
   * `.well-known`). A followed redirect still never takes the body or the token to
   * another origin, nor goes from https to http.
   */
  followRedirects?: boolean;
  /**
   * Milliseconds a response body may go without a byte before the request fails with a
   * `TimeoutError` (reset on each chunk; `false` for none).
   */
  bodyTimeout?: number | false;
}

/**
 * Retry settings, in ky's vocabulary.
 *
 * @example
 * ```ts
 * const retry: RetryOptions = { limit: 5, maxRetryAfter: 30_000, backoffBase: 1_000 };
 * const client = createClient({ baseUrl, accessToken, retry });
 * ```
 */
export interface RetryOptions {
  /** How many times a failed attempt may be repeated. */
  limit?: number;
  /** Methods that may be retried on 5xx and network errors. */
  methods?: readonly HttpMethod[];
  /** Status codes retried with jittered backoff. */
  statusCodes?: readonly number[];
  /** Longest wait accepted from a 429; a longer one fails at once with `RateLimitError`. */
  maxRetryAfter?: number;
  /** Base delay of the exponential backoff, in milliseconds. */
  backoffBase?: number;
  /** Cap of the exponential backoff, in milliseconds. */
  backoffLimit?: number;
  /** Retry a POST that the route table does not mark as safe to repeat. */
  unsafePost?: boolean;
}

/**
 * One operation call, as the gateways hand it to the transport.
 *
 * @example
 * ```ts
 * const request: TransportRequest = { method: 'GET', route: 'GET /_matrix/client/v3/account/whoami', path: '/_matrix/client/v3/account/whoami', bodyKind: 'none', responseKind: 'json', safeToRetry: true, authenticated: true };
 * const me = await client.transport.requestJson(request);
 * ```
 */
export interface TransportRequest {
  method: HttpMethod;
  /** Route key, as in the route table: `"POST /_matrix/client/v3/rooms/{roomId}/ban"`. */
  route: string;
  /** The path with every parameter already percent-encoded. */
  path: string;
  /** Query parameters; `undefined` values are left out. */
  query?: Record<string, QueryValue>;
  /** A JSON value (`bodyKind: 'json'`) or bytes (`bodyKind: 'binary'`). */
  body?: unknown;
  bodyKind: 'none' | 'json' | 'binary';
  /** Content-Type of a binary body. */
  contentType?: string;
  /** How to read a successful response. */
  responseKind: 'json' | 'binary';
  /**
   * What a JSON success answer must be (from the route table): `'object'` (with
   * required fields: an empty body is invalid), `'array'`, or `'object-or-empty'`
   * (an empty body reads as `{}`). Anything else is an `InvalidResponseError`.
   * @default 'object-or-empty'
   */
  answer?: AnswerShape;
  /** The route table says this operation may be repeated without harm. */
  safeToRetry: boolean;
  /** Whether the operation takes the access token. */
  authenticated: boolean;
  /**
   * What a redirect answer does: `'follow'` it (the spec says the operation may redirect),
   * hand it back as a {@link RedirectResponse} (`'manual'`: the operation's answer is the
   * redirect), or fail with a `RedirectError` (`'error'`, the default).
   */
  redirect?: 'follow' | 'manual' | 'error';
  options?: RequestOptions;
}

/**
 * The answer of an operation that answers with a redirect (SSO login): the
 * redirect is not followed, its target is handed to the caller.
 *
 * @example
 * ```ts
 * const { location } = await client.api.login.sso.redirect.get({ redirectUrl: 'https://app.example/done' });
 * window.location.assign(location);
 * ```
 */
export interface RedirectResponse {
  /** The redirect's status (302, 303, 307...). */
  status: number;
  /** The redirect target, resolved against the request URL. */
  location: string;
}

/**
 * A successful binary response, its body limited to the size allowed.
 *
 * @example
 * ```ts
 * const raw: RawResponse = await client.transport.requestRaw(request);
 * console.log(raw.status, raw.headers.get('content-type'));
 * ```
 */
export interface RawResponse {
  status: number;
  headers: Headers;
  /** The final URL, after redirects, with no credentials in it. */
  url: string;
  body: ReadableStream<Uint8Array> | null;
}

/**
 * Sends operation calls over HTTP. One per client, shared by every gateway.
 *
 * @example
 * ```ts
 * const transport: Transport = client.transport;
 * const answer = await transport.requestJson(request);
 * ```
 */
export interface Transport {
  /** Sends a request and returns the parsed JSON body of a 2xx answer, or throws a typed error. */
  requestJson(request: TransportRequest): Promise<unknown>;
  /** Sends a request and returns the streaming body of a 2xx answer, or throws a typed error. */
  requestRaw(request: TransportRequest): Promise<RawResponse>;
  /**
   * Applies the transport's scrubbing rule to a text: the rule its own errors,
   * log lines and hook states follow (secret fields by name, `Bearer`
   * credentials and its token in any encoding become `<redacted>`).
   */
  scrub?(text: string): string;
}
