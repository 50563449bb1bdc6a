/**
 * The one HTTP transport of a client: the Matrix retry loop (see `retry.ts`)
 * over an {@link HttpEngine} that performs single exchanges. Redirects
 * (`redirects.ts`), the per-attempt abort and timer (`attempt.ts`), error bodies
 * (`error-body.ts`) and request bodies (`request-body.ts`) have files of their
 * own; options are resolved once per transport (`resolved-options.ts`).
 */
import { InvalidResponseError } from '../errors/invalid-response-error.js';
import type { MatrixError } from '../errors/matrix-error.js';
import { MatrixSdkError } from '../errors/matrix-sdk-error.js';
import { NetworkError } from '../errors/network-error.js';
import { ResponseTooLargeError } from '../errors/response-too-large-error.js';
import { TimeoutError } from '../errors/timeout-error.js';
import { refuseDoubledIdentity, refuseDoubledTimestamp } from './act-as.js';
import { AttemptAbort } from './attempt.js';
import { abortReason, abortableSleep } from './delay.js';
import type { ResolvedRetryOptions } from './defaults.js';
import type { EngineResponse } from './engine.js';
import { readErrorBody, toRateLimitError } from './error-body.js';
import type { TransportHook, TransportHookState, TransportIdentity, TransportOptions } from './options.js';
import { buildUrl, serializeQuery } from './query.js';
import { describeError, redactRequest, redactUrl, scrubbedCause } from './scrub.js';
import { isRedirectStatus, manualRedirect, redirectMode, sendFollowingRedirects, type RedirectMode } from './redirects.js';
import { prepareBody, type PreparedBody } from './request-body.js';
import { checkHeader, resolveTransportOptions, usableTimeout, type ResolvedTransportOptions } from './resolved-options.js';
import { checkDeclaredLength, limitStream, readLimited, type IdleLimit } from './response-body.js';
import { FINAL_ERRCODES, backoffDelay, exponentialDelay, isRepeatable, overrideRetry } from './retry.js';
import type { AnswerShape, RawResponse, Transport, TransportRequest } from './types.js';

/**
 * A {@link Transport} that can also act as another user (application services).
 *
 * @example
 * ```ts
 * const transport: HttpTransport = createClient({ baseUrl, accessToken }).transport;
 * console.log(transport.engine); // 'undici' on Node, else 'fetch'
 * await transport.close();
 * ```
 */
export interface HttpTransport extends Transport {
  /**
   * A transport sharing this one's state (token, engine, hooks, limits) that adds
   * `user_id` (and `device_id`) to every request: application service masquerading.
   */
  as(identity: TransportIdentity): HttpTransport;
  /** The name of the engine under this transport (`'undici'`, `'fetch'`, or a custom engine's). */
  readonly engine: string;
  /**
   * Applies this transport's scrubbing rule to a text, the one its errors, logs and
   * hook states follow: secret-named fields, `Bearer` credentials and its token
   * in any encoding become `<redacted>`.
   *
   * @example
   * ```ts
   * myLogger.info(client.transport.scrub(`answer: ${text}`));
   * ```
   */
  scrub(text: string): string;
  /** Releases the engine's pooled connections (undici); the transport may not be used afterwards. */
  close(): Promise<void>;
  /**
   * Closes the engine's pooled connections (undici) once the requests in flight are done;
   * the transport stays usable and connects again when next used.
   */
  release(): Promise<void>;
}

/**
 * Creates the HTTP transport of one client.
 *
 * @example
 * ```ts
 * const transport = createTransport({ baseUrl: 'https://matrix.example.org', accessToken });
 * const bot = createTransport({ baseUrl, asToken }).as({ userId: '@bot:example.org' });
 * const browserLike = createTransport({ baseUrl, accessToken, engine: 'fetch' });
 * ```
 */
export function createTransport(options: TransportOptions): HttpTransport {
  return bind(new TransportCore(options), undefined);
}

function bind(core: TransportCore, identity: TransportIdentity | undefined): HttpTransport {
  return Object.freeze({
    requestJson: (request: TransportRequest) => core.requestJson(request, identity),
    requestRaw: (request: TransportRequest) => core.requestRaw(request, identity),
    scrub: (text: string) => core.scrub(text),
    as: (next: TransportIdentity) => bind(core, next),
    engine: core.engineName,
    close: () => core.close(),
    release: () => core.release(),
  });
}

const EXCERPT_CHARS = 1024;
const DECODER = new TextDecoder();

/** A hook's own failure, passed through the attempt without being taken for a network error. */
class HookFailure {
  constructor(readonly error: unknown) {}
}

/** Reads a 2xx answer; `attempt.release` is the caller's unless `keep` was called. */
type Consume<T> = (response: EngineResponse, url: string, request: TransportRequest, attempt: AttemptAbort, keep: () => void) => Promise<T>;

type Failure =
  | { kind: 'status'; error: MatrixError; rateLimited: boolean; retryAfter: number | undefined }
  | { kind: 'network'; error: NetworkError | TimeoutError };

/** What one call needs beyond the resolved options, computed once before its first attempt. */
interface Call {
  request: TransportRequest;
  url: string;
  /** The path shown in errors: scrubbed on first use only. */
  errorPath: () => string;
  prepared: PreparedBody;
  headers: Record<string, string>;
  retry: ResolvedRetryOptions;
  timeout: number | false;
  signal: AbortSignal | undefined;
  /** What a redirect answer does. */
  redirect: RedirectMode;
}

class TransportCore {
  readonly #o: ResolvedTransportOptions;
  #closed = false;

  constructor(options: TransportOptions) {
    this.#o = resolveTransportOptions(options);
  }

  scrub(text: string): string {
    return this.#o.scrub(text);
  }

    get engineName(): string {
    return this.#o.engine.name;
  }

  close(): Promise<void> {
    this.#closed = true;
    return this.#o.engine.close?.() ?? Promise.resolve();
  }

  release(): Promise<void> {
    return this.#o.engine.release?.() ?? Promise.resolve();
  }

  requestJson(request: TransportRequest, identity: TransportIdentity | undefined): Promise<unknown> {
    return this.#execute(request, identity, this.#consumeJson);
  }

  requestRaw(request: TransportRequest, identity: TransportIdentity | undefined): Promise<RawResponse> {
    return this.#execute(request, identity, this.#consumeRaw);
  }

  readonly #consumeJson: Consume<unknown> = async (response, _url, request) => {
    const limit = this.#limit(request);
    checkDeclaredLength(response.headers, limit, (received, declared) => this.#tooLarge(request, limit, received, declared));
    const bytes = await readLimited(response.body, limit, (received) => this.#tooLarge(request, limit, received, false), this.#idle(request));
    const text = DECODER.decode(bytes);
    const answer: AnswerShape = request.answer ?? 'object-or-empty';
    if (text.length === 0 || text.trim() === '') {
      if (answer === 'object-or-empty') return {};
      return this.#invalid(response.status, text, request, `empty, where the operation answers ${answer === 'array' ? 'an array' : 'an object with required fields'}`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text) as unknown;
    } catch (cause) {
      // The parser's message quotes the body: only a scrubbed description is kept.
      return this.#invalid(response.status, text, request, undefined, scrubbedCause(cause, this.#o.scrub));
    }
    const got = shapeOf(parsed);
    if (answer === 'array' ? got !== 'an array' : got !== 'an object') {
      return this.#invalid(response.status, text, request, `${got}, where the operation answers ${answer === 'array' ? 'an array' : 'an object'}`);
    }
    return parsed;
  };

  #invalid(status: number, text: string, request: TransportRequest, problem: string | undefined, cause?: Error): never {
    const excerpt = this.#o.scrub(text, { maxChars: EXCERPT_CHARS });
    const options: { cause?: unknown; problem?: string } = {};
    if (problem !== undefined) options.problem = problem;
    if (cause !== undefined) options.cause = cause;
    throw new InvalidResponseError(status, excerpt, request.method, this.#errorPath(request), options);
  }

  readonly #consumeRaw: Consume<RawResponse> = async (response, url, request, attempt, keep) => {
    const limit = this.#limit(request);
    checkDeclaredLength(response.headers, limit, (received, declared) => this.#tooLarge(request, limit, received, declared));
    attempt.stopTimer();
    let body: ReadableStream<Uint8Array> | null = null;
    if (response.body !== null) {
      keep();
      body = limitStream(
        response.body,
        limit,
        (received) => this.#tooLarge(request, limit, received, false),
        (complete) => attempt.release(complete),
        this.#idle(request),
      );
    }
    const headers = response.headers instanceof Headers ? response.headers : response.headers.toHeaders();
    return { status: response.status, headers, url: this.#o.scrub(redactUrl(url)), body };
  };

  /** How long the body may go without a byte (`bodyTimeout`), and the error it then fails with. */
  #idle(request: TransportRequest): IdleLimit {
    const given = request.options?.bodyTimeout;
    const ms = given === undefined ? this.#o.bodyTimeout : usableTimeout(given);
    return { ms, error: () => new TimeoutError(ms === false ? 0 : ms, request.method, this.#errorPath(request), 'body') };
  }

  #limit(request: TransportRequest): number {
    return request.options?.maxResponseBytes ?? this.#o.maxResponseBytes;
  }

  #tooLarge(request: TransportRequest, limit: number, received: number, declared: boolean): ResponseTooLargeError {
    return new ResponseTooLargeError({ limit, received, declared, method: request.method, path: this.#errorPath(request) });
  }

  /** The path shown in errors: encoded, without query string, scrubbed. */
  #errorPath(request: TransportRequest): string {
    const q = request.path.indexOf('?');
    return this.#o.scrub(q < 0 ? request.path : request.path.slice(0, q));
  }

  #url(request: TransportRequest, identity: TransportIdentity | undefined): string {
    if (identity !== undefined) refuseDoubledIdentity(request, identity, () => this.#errorPath(request));
    refuseDoubledTimestamp(request, () => this.#errorPath(request));
    let query = serializeQuery(request.query);
    const ts = request.options?.ts;
    if (ts !== undefined || identity !== undefined) {
      const more = serializeQuery({ ts, user_id: identity?.userId, device_id: identity?.deviceId });
      if (more !== '') query = query === '' ? more : `${query}&${more}`;
    }
    return buildUrl(this.#o.baseUrl, request.path, query);
  }

  #headers(request: TransportRequest, prepared: PreparedBody): Record<string, string> {
    const headers: Record<string, string> = {};
    const extra = request.options?.headers;
    if (extra !== undefined) {
      for (const name of Object.keys(extra)) {
        const key = name.toLowerCase();
        if (key === 'authorization') continue;
        const value: unknown = extra[name];
        if (value === undefined) continue;
        // A caller's mistake, refused before anything is sent (an engine would
        // throw it as a network failure, and it would be retried).
        checkHeader(key, value, `${request.method} ${this.#errorPath(request)}`);
        headers[key] = (value as string).trim();
      }
    }
    if (request.responseKind === 'json') headers['accept'] ??= 'application/json';
    if (prepared.contentType !== undefined) headers['content-type'] ??= prepared.contentType;
    const userAgent = this.#o.userAgent;
    if (userAgent !== false) headers['user-agent'] ??= userAgent;
    // An application service authenticates every call with its as_token, including
    // those the spec lists without security (registering its users, for one).
    const token = this.#o.token;
    if (token !== undefined && (request.authenticated || this.#o.alwaysSendToken)) headers['authorization'] = `Bearer ${token}`;
    return headers;
  }

  #call(request: TransportRequest, identity: TransportIdentity | undefined): Call {
    const options = request.options;
    const prepared = prepareBody(request);
    let errorPath: string | undefined;
    return {
      request,
      url: this.#url(request, identity),
      errorPath: () => (errorPath ??= this.#errorPath(request)),
      prepared,
      headers: this.#headers(request, prepared),
      retry: overrideRetry(this.#o.retry, options?.retry),
      timeout: options?.timeout === undefined ? this.#o.timeout : usableTimeout(options.timeout),
      signal: options?.signal,
      redirect: redirectMode(request, this.#o.followRedirects),
    };
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
    const o = this.#o;
    // Not a network failure to retry: the caller closed the transport.
    if (this.#closed) throw new Error(`the transport was closed: ${request.method} ${this.#errorPath(request)}`);
    const call = this.#call(request, identity);
    const { signal, timeout, retry, errorPath } = call;
    const method = request.method;
    // Only logs and hooks show the URL: redact it once, when first asked.
    let shownUrl: string | undefined;
    const safeUrl = (): string => (shownUrl ??= o.scrub(redactUrl(call.url)));
    // Only hooks see the request: redact (walk the body) only when there is one.
    const visibleRequest = o.hooked ? redactRequest(request, o.scrub) : request;

    try {
      for (let attempt = 1; ; attempt++) {
        if (signal?.aborted) throw abortReason(signal);
        const state: TransportHookState | undefined = o.hooked
          ? { request: visibleRequest, route: visibleRequest.route, method, url: safeUrl(), attempt, retryCount: attempt - 1 }
          : undefined;
        if (state !== undefined) await this.#hook(o.hooks.beforeRequest, state);
        if (o.debugs) o.logger.debug(`→ ${method} ${safeUrl()}`, { attempt });
        const started = Date.now();

        const abort = new AttemptAbort(timeout, signal);
        let kept = false;
        let clean = false;
        let failure: Failure;
        try {
          const exchange = {
            url: call.url,
            method,
            headers: call.headers,
            prepared: call.prepared,
            attempt: abort,
            errorPath,
            mode: call.redirect,
            scrub: o.scrub,
          };
          const { response, url } = await sendFollowingRedirects(o.engine, exchange, o.maxRedirects);
          if (state !== undefined) await this.#hook(o.hooks.afterResponse, { ...state, status: response.status });
          if (o.debugs) o.logger.debug(`← ${response.status} ${method} ${safeUrl()}`, { attempt, ms: Date.now() - started });
          // An operation answered by a redirect (SSO): the redirect is the answer.
          if (call.redirect === 'manual' && isRedirectStatus(response.status) && response.headers.get('location') !== null) {
            return manualRedirect(response, url, exchange) as T;
          }
          if (response.status >= 200 && response.status < 300) {
            const result = await consume(response, url, request, abort, () => {
              kept = true;
            });
            clean = true;
            return result;
          }
          const { error, complete } = await readErrorBody(response, o.maxErrorBodyBytes, o.scrub, method, errorPath());
          clean = complete;
          const rateLimited = response.status === 429 || error.errcode === 'M_LIMIT_EXCEEDED';
          failure = { kind: 'status', error, rateLimited, retryAfter: error.retryAfterMs };
        } catch (error) {
          if (error instanceof HookFailure) throw error;
          if (signal?.aborted) throw abortReason(signal);
          if (abort.timedOut) {
            failure = { kind: 'network', error: new TimeoutError(timeout === false ? 0 : timeout, method, errorPath()) };
          } else if (error instanceof TimeoutError && error.phase === 'body') {
            // A body that went idle is a dropped connection: retried where a request may be repeated.
            failure = { kind: 'network', error };
          } else if (error instanceof MatrixSdkError) {
            // Our own verdicts (too large, invalid JSON, too many redirects) are final.
            throw error;
          } else {
            failure = { kind: 'network', error: new NetworkError(describeError(error, o.scrub), method, errorPath(), { cause: scrubbedCause(error, o.scrub) }) };
          }
        } finally {
          if (!kept) abort.release(clean);
        }

        const delay = this.#decide(failure, attempt, call);
        if (state !== undefined) {
          const status = failure.kind === 'status' ? failure.error.status : undefined;
          // As in ky: the number of the retry about to be made, 1 for the first.
          const retry = { retryCount: attempt, delayMs: delay, error: failure.error };
          const retryState: TransportHookState = status === undefined ? { ...state, ...retry } : { ...state, status, ...retry };
          await this.#hook(o.hooks.beforeRetry, retryState);
        }
        o.logger.warn(`Retrying ${method} ${safeUrl()} in ${Math.round(delay)} ms (retry ${attempt}/${retry.limit}): ${failure.error.message}`);
        await abortableSleep(o.sleep, delay, signal);
      }
    } catch (error) {
      if (error instanceof HookFailure) throw error.error;
      if (o.debugs) o.logger.debug(`✗ ${method} ${safeUrl()}: ${error instanceof Error ? error.message : String(error)}`);
      throw error;
    }
  }

  /** The wait before the next attempt, or throws the error to hand to the caller. */
  #decide(failure: Failure, attempt: number, call: Call): number {
    const { retry, prepared, request } = call;
    const retriesLeft = attempt <= retry.limit;
    if (failure.kind === 'status' && failure.rateLimited) {
      // 429: the server did not act, so every method may be repeated; no jitter.
      const asked = failure.retryAfter;
      const delay = asked ?? exponentialDelay(attempt, retry);
      const error = toRateLimitError(failure.error, delay);
      if (request.options?.ignoreRateLimit ?? this.#o.ignoreRateLimit) throw error;
      if (asked !== undefined && asked > retry.maxRetryAfter) throw error;
      if (!retriesLeft || !prepared.replayable) throw error;
      return delay;
    }
    if (failure.kind === 'status') {
      const { status, errcode } = failure.error;
      if (!retry.statusCodes.includes(status) || (errcode !== undefined && FINAL_ERRCODES.has(errcode))) throw failure.error;
    }
    if (!isRepeatable(request, retry, !prepared.replayable) || !retriesLeft) throw failure.error;
    // A 503 (or 502/504) that says when to come back is waited for as it says, within maxRetryAfter.
    const asked = failure.kind === 'status' ? failure.retryAfter : undefined;
    if (asked !== undefined) {
      if (asked > retry.maxRetryAfter) throw failure.error;
      return asked;
    }
    return backoffDelay(attempt, { backoffBase: retry.backoffBase, backoffLimit: retry.backoffLimit, jitter: 'full' }, this.#o.random);
  }
}

/** What a parsed JSON answer is, in words. */
function shapeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
