/**
 * The one HTTP transport of a client: ky over an injectable fetch, with the
 * Matrix retry policy (see `retry.ts`), size limits, manual redirects,
 * credential redaction and typed errors.
 *
 * How ky is used: one `ky.create({ retry: 0, throwHttpErrors: false,
 * timeout: false, redirect: 'manual', fetch })` instance per transport sends
 * each HTTP hop (headers, body, signal, fetch injection resolved at call time).
 * The retry loop, the per-attempt timeout and the redirect loop live here,
 * because ky's own policy cannot express the rules (see `retry.ts`) and its
 * `timeout` stops at the response headers while a JSON body must be covered too.
 */
import ky, { type KyInstance } from 'ky';
import { MatrixError, type MatrixErrorInit } from '../errors/matrix-error.js';
import { RateLimitError } from '../errors/rate-limit-error.js';
import { ResponseTooLargeError } from '../errors/response-too-large-error.js';
import { NetworkError } from '../errors/network-error.js';
import { TimeoutError } from '../errors/timeout-error.js';
import { InvalidResponseError } from '../errors/invalid-response-error.js';
import { MatrixSdkError } from '../errors/matrix-sdk-error.js';
import { DEFAULT_TRANSPORT_OPTIONS, abortReason, type ResolvedRetryOptions } from './defaults.js';
import { checkDeclaredLength, limitStream, readLimited, readTruncated } from './limits.js';
import { buildUrl, serializeQuery } from './query.js';
import { createScrubber, redactRequest, redactUrl } from './redact.js';
import {
  abortableSleep,
  exponentialDelay,
  isRepeatable,
  jitteredDelay,
  resolveRetryOptions,
  serverRetryAfter,
} from './retry.js';
import type {
  TransportHook,
  TransportHookState,
  TransportHooks,
  TransportIdentity,
  TransportLogger,
  TransportOptions,
} from './options.js';
import type { HttpMethod, RawResponse, Transport, TransportRequest } from './types.js';

/** A {@link Transport} that can also act as another user (application services). */
export interface HttpTransport extends Transport {
  /**
   * A transport sharing this one's state (token, fetch, hooks, limits) that adds
   * `user_id` (and `device_id`) to every request: application service masquerading.
   */
  as(identity: TransportIdentity): HttpTransport;
}

/**
 * Creates the HTTP transport of one client.
 *
 * @example
 * ```ts
 * const transport = createTransport({ baseUrl: 'https://matrix.example.org', accessToken });
 * const bot = createTransport({ baseUrl, asToken }).as({ userId: '@bot:example.org' });
 * ```
 */
export function createTransport(options: TransportOptions): HttpTransport {
  const core = new TransportCore(options);
  return bind(core, undefined);
}

function bind(core: TransportCore, identity: TransportIdentity | undefined): HttpTransport {
  return Object.freeze({
    requestJson: (request: TransportRequest) => core.requestJson(request, identity),
    requestRaw: (request: TransportRequest) => core.requestRaw(request, identity),
    as: (next: TransportIdentity) => bind(core, next),
  });
}

const REDIRECTS: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);
const EXCERPT_CHARS = 1024;
const MAX_TIMER_MS = 2_147_483_647;

/** A hook's own failure, passed through the attempt without being taken for a network error. */
class HookFailure {
  constructor(readonly error: unknown) {}
}

interface PreparedBody {
  body: BodyInit | undefined;
  /** A stream that can be sent once only: never retried, never replayed on redirect. */
  stream: ReadableStream<Uint8Array> | undefined;
  contentType: string | undefined;
}

interface AttemptControl {
  /** Stops the per-attempt timer (headers arrived for a streamed body). */
  stopTimer(): void;
  /** Keeps the abort link alive after the attempt; call the result when the body ends. */
  keep(): (complete: boolean) => void;
  /** Marks the body as fully read (the connection can be reused). */
  done(): void;
}

type Consume<T> = (response: Response, url: string, control: AttemptControl) => Promise<T>;

type Failure =
  | { kind: 'status'; error: MatrixError; rateLimited: boolean; retryAfter: number | undefined }
  | { kind: 'network'; error: NetworkError | TimeoutError };

class TransportCore {
  readonly #baseUrl: string;
  readonly #token: string | undefined;
  readonly #options: TransportOptions;
  readonly #ky: KyInstance;
  readonly #scrub: (text: string) => string;
  readonly #logger: TransportLogger;
  readonly #hooks: TransportHooks;
  readonly #random: () => number;
  readonly #sleep: (ms: number, signal: AbortSignal | undefined) => Promise<void>;

  constructor(options: TransportOptions) {
    if (options.accessToken !== undefined && options.asToken !== undefined) {
      throw new TypeError('createTransport: give either accessToken or asToken, not both');
    }
    this.#baseUrl = options.baseUrl;
    this.#token = options.accessToken ?? options.asToken;
    // A token a header cannot carry would fail every request with an error that quotes it:
    // refuse it here, without quoting it.
    if (this.#token !== undefined && !/^[\x21-\x7e]+$/.test(this.#token)) {
      throw new TypeError('createTransport: the token is empty or holds characters an Authorization header cannot carry');
    }
    this.#options = options;
    this.#scrub = createScrubber([options.accessToken, options.asToken]);
    this.#logger = options.logger ?? DEFAULT_TRANSPORT_OPTIONS.logger;
    this.#hooks = options.hooks ?? DEFAULT_TRANSPORT_OPTIONS.hooks;
    this.#random = options.random ?? DEFAULT_TRANSPORT_OPTIONS.random;
    this.#sleep = options.sleep ?? DEFAULT_TRANSPORT_OPTIONS.sleep;
    const userFetch = options.fetch;
    this.#ky = ky.create({
      retry: 0,
      throwHttpErrors: false,
      timeout: false,
      redirect: 'manual',
      // Looked up at each call, so a fetch installed after construction is used.
      fetch: (input, init) => (userFetch ?? DEFAULT_TRANSPORT_OPTIONS.fetch)(input, init),
    });
  }

  requestJson(request: TransportRequest, identity: TransportIdentity | undefined): Promise<unknown> {
    const { limit, tooLarge } = this.#sizeLimit(request);
    return this.#execute(request, identity, async (response, _url, control) => {
      const path = this.#errorPath(request);
      checkDeclaredLength(response.headers, limit, tooLarge);
      const bytes = await readLimited(response.body, limit, (received) => tooLarge(received, false));
      control.done();
      const text = new TextDecoder().decode(bytes);
      if (text.trim() === '') return {};
      try {
        return JSON.parse(text) as unknown;
      } catch (cause) {
        throw new InvalidResponseError(response.status, this.#scrub(text.slice(0, EXCERPT_CHARS)), request.method, path, {
          cause,
        });
      }
    });
  }

  requestRaw(request: TransportRequest, identity: TransportIdentity | undefined): Promise<RawResponse> {
    const { limit, tooLarge } = this.#sizeLimit(request);
    return this.#execute(request, identity, async (response, url, control) => {
      checkDeclaredLength(response.headers, limit, tooLarge);
      control.stopTimer();
      let body: ReadableStream<Uint8Array> | null = null;
      if (response.body === null) {
        control.done();
      } else {
        const finish = control.keep();
        body = limitStream(
          response.body,
          limit,
          (received) => tooLarge(received, false),
          finish,
        );
      }
      return { status: response.status, headers: response.headers, url: this.#scrub(redactUrl(url)), body };
    });
  }

  /** The body limit of a request, and the error for a body over it. */
  #sizeLimit(request: TransportRequest): { limit: number; tooLarge: (received: number, declared: boolean) => ResponseTooLargeError } {
    const limit = request.options?.maxResponseBytes ?? this.#options.maxResponseBytes ?? DEFAULT_TRANSPORT_OPTIONS.maxResponseBytes;
    const path = this.#errorPath(request);
    return {
      limit,
      tooLarge: (received, declared) => new ResponseTooLargeError({ limit, received, declared, method: request.method, path }),
    };
  }

  /** The path shown in errors: encoded, without query string, scrubbed. */
  #errorPath(request: TransportRequest): string {
    const q = request.path.indexOf('?');
    return this.#scrub(q < 0 ? request.path : request.path.slice(0, q));
  }

  #url(request: TransportRequest, identity: TransportIdentity | undefined): string {
    let query = serializeQuery(request.query);
    const extra: Record<string, string | number | undefined> = {};
    if (request.options?.ts !== undefined) extra['ts'] = request.options.ts;
    if (identity !== undefined) {
      extra['user_id'] = identity.userId;
      extra['device_id'] = identity.deviceId;
    }
    const more = serializeQuery(extra);
    if (more !== '') query = query === '' ? more : `${query}&${more}`;
    return buildUrl(this.#baseUrl, request.path, query);
  }

  #headers(request: TransportRequest, prepared: PreparedBody): Record<string, string> {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.options?.headers ?? {})) {
      const key = name.toLowerCase();
      if (key !== 'authorization') headers[key] = value;
    }
    if (request.responseKind === 'json') headers['accept'] ??= 'application/json';
    if (prepared.contentType !== undefined) headers['content-type'] ??= prepared.contentType;
    const userAgent = this.#options.userAgent ?? DEFAULT_TRANSPORT_OPTIONS.userAgent;
    if (userAgent !== false) headers['user-agent'] ??= userAgent;
    // An application service authenticates every call with its as_token, including
    // those the spec lists without security (registering its users, for one).
    const sendToken = request.authenticated || this.#options.asToken !== undefined;
    if (sendToken && this.#token !== undefined) headers['authorization'] = `Bearer ${this.#token}`;
    return headers;
  }

  async #hook(hook: TransportHook | undefined, state: TransportHookState): Promise<void> {
    if (hook === undefined) return;
    try {
      await hook(state);
    } catch (error) {
      throw new HookFailure(error);
    }
  }

  async #execute<T>(request: TransportRequest, identity: TransportIdentity | undefined, consume: Consume<T>): Promise<T> {
    const options = request.options ?? {};
    const retry = resolveRetryOptions(this.#options.retry, options.retry);
    const configured = options.timeout ?? this.#options.timeout ?? DEFAULT_TRANSPORT_OPTIONS.timeout;
    // setTimeout cannot wait longer than 2^31-1 ms (it would fire at once): treat that as no timeout.
    const timeout = configured !== false && configured > MAX_TIMER_MS ? false : configured;
    const ignoreRateLimit = options.ignoreRateLimit ?? this.#options.ignoreRateLimit ?? false;
    const signal = options.signal;
    const method = request.method;
    const path = this.#errorPath(request);
    const url = this.#url(request, identity);
    const safeUrl = this.#scrub(redactUrl(url));
    const prepared = prepareBody(request);
    const headers = this.#headers(request, prepared);
    const repeatable = isRepeatable(request, retry, prepared.stream !== undefined);
    // Only hooks see the request: redact (walk the body) only when there is one.
    const hooks = this.#hooks;
    const visibleRequest = hooks.beforeRequest || hooks.afterResponse || hooks.beforeRetry ? redactRequest(request) : request;

    try {
      for (let attempt = 1; ; attempt++) {
        if (signal?.aborted) throw abortReason(signal);
        const state: TransportHookState = {
          request: visibleRequest,
          route: request.route,
          method,
          url: safeUrl,
          attempt,
          retryCount: attempt - 1,
        };
        await this.#hook(this.#hooks.beforeRequest, state);
        this.#logger.debug(`→ ${method} ${safeUrl}`, { attempt });
        const started = Date.now();

        const controller = new AbortController();
        let timedOut = false;
        let kept = false;
        let clean = false;
        const onUserAbort = (): void => controller.abort(signal?.reason);
        signal?.addEventListener('abort', onUserAbort, { once: true });
        let timer: ReturnType<typeof setTimeout> | undefined =
          timeout === false
            ? undefined
            : setTimeout(() => {
                timedOut = true;
                controller.abort(new DOMException(`Timed out after ${timeout} ms`, 'TimeoutError'));
              }, timeout);
        const stopTimer = (): void => {
          if (timer !== undefined) clearTimeout(timer);
          timer = undefined;
        };
        const release = (complete: boolean): void => {
          stopTimer();
          signal?.removeEventListener('abort', onUserAbort);
          // An unfinished body: abort so that the connection is closed, not left hanging.
          if (!complete) controller.abort();
        };
        const control: AttemptControl = {
          stopTimer,
          keep: () => {
            kept = true;
            return release;
          },
          done: () => {
            clean = true;
          },
        };

        let failure: Failure;
        try {
          const { response, url: finalUrl } = await this.#send(url, method, headers, prepared, controller.signal, path);
          await this.#hook(this.#hooks.afterResponse, { ...state, status: response.status });
          this.#logger.debug(`← ${response.status} ${method} ${safeUrl}`, { attempt, ms: Date.now() - started });
          if (response.status >= 200 && response.status < 300) {
            return await consume(response, finalUrl, control);
          }
          const { error, complete } = await this.#readError(response, method, path);
          clean = complete;
          const rateLimited = response.status === 429 || error.errcode === 'M_LIMIT_EXCEEDED';
          failure = { kind: 'status', error, rateLimited, retryAfter: error.retryAfterMs };
        } catch (error) {
          if (error instanceof HookFailure) throw error;
          if (signal?.aborted) throw abortReason(signal);
          if (timedOut) {
            failure = { kind: 'network', error: new TimeoutError(timeout === false ? 0 : timeout, method, path) };
          } else if (error instanceof MatrixSdkError) {
            // Our own verdicts (too large, invalid JSON, too many redirects) are final.
            throw error;
          } else {
            failure = { kind: 'network', error: new NetworkError(this.#describe(error), method, path, { cause: this.#scrubCause(error) }) };
          }
        } finally {
          if (!kept) release(clean);
        }

        const delay = this.#decide(failure, attempt, retry, repeatable, ignoreRateLimit, prepared);
        const status = failure.kind === 'status' ? failure.error.status : undefined;
        const retryState: TransportHookState =
          status === undefined
            ? { ...state, delayMs: delay, error: failure.error }
            : { ...state, status, delayMs: delay, error: failure.error };
        await this.#hook(this.#hooks.beforeRetry, retryState);
        this.#logger.warn(
          `Retrying ${method} ${safeUrl} in ${Math.round(delay)} ms (retry ${attempt}/${retry.limit}): ${failure.error.message}`,
        );
        await abortableSleep(this.#sleep, delay, signal, abortReason);
      }
    } catch (error) {
      if (error instanceof HookFailure) throw error.error;
      this.#logger.debug(`✗ ${method} ${safeUrl}: ${error instanceof Error ? error.message : String(error)}`);
      throw error;
    }
  }

  /** The wait before the next attempt, or throws the error to hand to the caller. */
  #decide(
    failure: Failure,
    attempt: number,
    retry: ResolvedRetryOptions,
    repeatable: boolean,
    ignoreRateLimit: boolean,
    prepared: PreparedBody,
  ): number {
    const retriesLeft = attempt <= retry.limit;
    if (failure.kind === 'status' && failure.rateLimited) {
      // 429: the server did not act, so every method may be repeated; no jitter.
      const asked = failure.retryAfter;
      const delay = asked ?? exponentialDelay(attempt, retry);
      const error = toRateLimitError(failure.error, delay);
      if (ignoreRateLimit) throw error;
      if (asked !== undefined && asked > retry.maxRetryAfter) throw error;
      if (!retriesLeft || prepared.stream !== undefined) throw error;
      return delay;
    }
    if (failure.kind === 'status' && !retry.statusCodes.includes(failure.error.status)) throw failure.error;
    if (!repeatable || !retriesLeft) throw failure.error;
    return jitteredDelay(attempt, retry, this.#random);
  }

  /** The cause kept on a NetworkError: the original, unless its messages hold a credential. */
  #scrubCause(error: unknown): unknown {
    let leaks = false;
    let current: unknown = error;
    for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
      if (this.#scrub(current.message) !== current.message || (current.stack !== undefined && this.#scrub(current.stack) !== current.stack)) leaks = true;
      current = current.cause;
    }
    if (!leaks) return error;
    const safe = new Error(this.#describe(error));
    safe.name = error instanceof Error ? error.name : 'Error';
    return safe;
  }

  #describe(error: unknown): string {
    const parts: string[] = [];
    let current: unknown = error;
    for (let depth = 0; depth < 3 && current instanceof Error; depth++) {
      const code = (current as { code?: unknown }).code;
      parts.push(typeof code === 'string' ? `${current.message} [${code}]` : current.message);
      current = current.cause;
    }
    return this.#scrub(parts.length === 0 ? String(error) : parts.join(': '));
  }

  /** Sends one HTTP exchange, following up to `maxRedirects` redirects by hand. */
  async #send(
    url: string,
    method: HttpMethod,
    baseHeaders: Record<string, string>,
    prepared: PreparedBody,
    signal: AbortSignal,
    path: string,
  ): Promise<{ response: Response; url: string }> {
    const maxRedirects = this.#options.maxRedirects ?? DEFAULT_TRANSPORT_OPTIONS.maxRedirects;
    let current = url;
    let currentMethod: string = method;
    let headers = baseHeaders;
    let body = prepared.body;
    let stream = prepared.stream;
    for (let hop = 0; ; hop++) {
      const oneShot = stream;
      let response = await this.#ky(current, {
        method: currentMethod,
        headers,
        body: body ?? null,
        signal,
        ...(oneShot === undefined
          ? {}
          : {
              // A one-shot stream is attached under ky's clone: ky clones each
              // request for its retries, which would tee (buffer) the whole upload.
              fetch: (input: RequestInfo | URL, init?: RequestInit) =>
                (this.#options.fetch ?? DEFAULT_TRANSPORT_OPTIONS.fetch)(
                  new Request(input as Request, { body: oneShot, duplex: 'half' } as RequestInit),
                  init,
                ),
            }),
      });
      if (response.type === 'opaqueredirect') {
        // A streamed body was sent already and cannot be sent again to the new location.
        if (oneShot !== undefined) throw new NetworkError('redirected after a streamed upload, which cannot be sent again', method, path);
        // Browsers hide manual redirects; let the browser follow (it drops
        // Authorization on cross-origin redirects itself).
        response = await this.#ky(current, { method: currentMethod, headers, body: body ?? null, signal, redirect: 'follow' });
        return { response, url: response.url || current };
      }
      if (!REDIRECTS.has(response.status)) return { response, url: current };
      const location = response.headers.get('location');
      if (location === null) return { response, url: current };
      if (hop >= maxRedirects) {
        void response.body?.cancel().catch(() => undefined);
        throw new NetworkError(`more than ${maxRedirects} redirects`, method, path);
      }
      const next = new URL(location, current);
      const mustSwitchToGet =
        (response.status === 303 && currentMethod !== 'GET') ||
        ((response.status === 301 || response.status === 302) && currentMethod === 'POST');
      if (!mustSwitchToGet && stream !== undefined) {
        // The upload stream is spent and cannot be sent again: hand the 3xx back.
        return { response, url: current };
      }
      void response.body?.cancel().catch(() => undefined);
      if (next.origin !== new URL(current).origin && headers['authorization'] !== undefined) {
        const { authorization: _dropped, ...rest } = headers;
        headers = rest;
      }
      if (mustSwitchToGet) {
        currentMethod = 'GET';
        body = undefined;
        stream = undefined;
        const { 'content-type': _type, ...rest } = headers;
        headers = rest;
      }
      current = next.href;
    }
  }

  /** Reads a non-2xx answer (bounded) into a {@link MatrixError}. */
  async #readError(
    response: Response,
    method: string,
    path: string,
  ): Promise<{ error: MatrixError; complete: boolean }> {
    const limit = this.#options.maxErrorBodyBytes ?? DEFAULT_TRANSPORT_OPTIONS.maxErrorBodyBytes;
    const { bytes, truncated } = await readTruncated(response.body, limit);
    const text = this.#scrub(new TextDecoder().decode(bytes));
    let parsed: unknown;
    try {
      parsed = text.trim() === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const fallback = response.statusText || `HTTP ${response.status}`;
    let init: MatrixErrorInit;
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      const json = parsed as { errcode?: unknown; error?: unknown; soft_logout?: unknown };
      init = {
        status: response.status,
        errcode: typeof json.errcode === 'string' ? json.errcode : undefined,
        error: typeof json.error === 'string' ? json.error : fallback,
        body: parsed,
        method,
        path,
        retryAfterMs: serverRetryAfter(response.headers, parsed),
        softLogout: typeof json.soft_logout === 'boolean' ? json.soft_logout : undefined,
      };
    } else {
      init = {
        status: response.status,
        errcode: 'M_UNKNOWN',
        error: fallback,
        body: text,
        method,
        path,
        retryAfterMs: serverRetryAfter(response.headers, undefined),
      };
    }
    return { error: new MatrixError(init), complete: !truncated };
  }
}

function toRateLimitError(error: MatrixError, retryAfterMs: number): RateLimitError {
  return new RateLimitError({
    status: error.status,
    errcode: error.errcode ?? 'M_LIMIT_EXCEEDED',
    error: error.error,
    body: error.body,
    method: error.method,
    path: error.path,
    retryAfterMs,
    softLogout: error.softLogout,
  });
}

function isReadableStream(value: unknown): value is ReadableStream<Uint8Array> {
  return typeof value === 'object' && value !== null && typeof (value as { getReader?: unknown }).getReader === 'function';
}

function isAsyncIterable(value: unknown): value is AsyncIterable<Uint8Array | string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function'
  );
}

/** A web stream over a Node `Readable` or any async iterable of bytes. */
function iterableToStream(iterable: AsyncIterable<Uint8Array | string>): ReadableStream<Uint8Array> {
  const iterator = iterable[Symbol.asyncIterator]();
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await iterator.next();
      if (done === true) controller.close();
      else controller.enqueue(typeof value === 'string' ? encoder.encode(value) : value);
    },
    async cancel(reason) {
      await iterator.return?.(reason);
    },
  });
}

function prepareBody(request: TransportRequest): PreparedBody {
  if (request.bodyKind === 'none') return { body: undefined, stream: undefined, contentType: undefined };
  if (request.bodyKind === 'json') {
    return { body: JSON.stringify(request.body ?? {}), stream: undefined, contentType: 'application/json' };
  }
  const contentType = request.contentType ?? 'application/octet-stream';
  const body = request.body;
  if (body === undefined || body === null) return { body: undefined, stream: undefined, contentType };
  if (isReadableStream(body)) return { body: undefined, stream: body, contentType };
  if (
    typeof body === 'string' ||
    body instanceof ArrayBuffer ||
    ArrayBuffer.isView(body) ||
    (typeof Blob !== 'undefined' && body instanceof Blob)
  ) {
    return { body: body as BodyInit, stream: undefined, contentType };
  }
  if (isAsyncIterable(body)) return { body: undefined, stream: iterableToStream(body), contentType };
  throw new TypeError(`Unsupported binary body for ${request.route}: ${Object.prototype.toString.call(body)}`);
}
