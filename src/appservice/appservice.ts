/**
 * createAppservice: the receiver of the homeserver's pushes (routing, auth,
 * the durable inbox, queries) and the lifecycle around it.
 */
import { createScrubber } from '../transport/scrub.js';
import { seamsOf, type AppserviceSeams } from '../internal/test-seams.js';
import { readLimited as readLimitedBytes } from '../transport/response-body.js';
import { createClient, type MatrixClient } from '../client.js';
import { HandlerRegistry } from '../sync/emitter.js';
import type { HandlerErrorInfo, HandlerResult } from '../sync/types.js';
import type { BasicEvent, RoomEvent } from '../events/types.js';
import { DEFAULT_TRANSPORT_OPTIONS, WARN_LOGGER, defaultSleep } from '../transport/defaults.js';
import { abortableSleep } from '../transport/delay.js';
import { exponentialDelay } from '../transport/retry.js';
import { TokenCheck } from './auth.js';
import { Dispatcher, EVENT_PREFIX, callHook, type ActiveTransaction } from './dispatcher.js';
import { IntentManager, type Intent } from './intent.js';
import { TransactionBodyError, digestEventIds, eventIdsOf, otherPartsOf, parseTransactionBody, workItemsOf } from './payload.js';
import type { AppserviceRegistration } from './registration.js';
import { matchRoute } from './router.js';
import type { TransportLogger } from '../transport/options.js';
import type {
  Appservice,
  AppserviceEventContext,
  AppserviceMetrics,
  AppserviceHandlers,
  AppserviceOptions,
  AppserviceState,
  AppserviceStopOptions,
  AppserviceTransactionBody,
  DeadLetters,
  InboxTransaction,
  PingOutcome,
  ThirdPartyHandlers,
} from './types.js';

/** A request as the receiver reads it: what `fetch` and the Node listener both give it. */
export interface ReceiverRequest {
  readonly method: string;
  /** The path as on the wire (percent-encoded). */
  readonly pathname: string;
  readonly query: URLSearchParams;
  readonly authorization: string | null;
  /** The body as text; may throw an error with `status: 413` when the body is over a limit. */
  text(): Promise<string>;
  /** After `text()`: the body's bytes as received, when the caller has them (UTF-8 of the text). */
  bytes?(): Uint8Array | undefined;
}

/** An answer of the receiver: status, a JSON body, extra headers. */
export interface ReceiverReply {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Record<string, string>;
}

/** The receiver's request entry below `fetch`: the Node listener calls it without building a web Request. */
export const RECEIVE = Symbol.for('matrix-fluent.appservice.receive');

/** An appservice with the internal entry the Node listener uses. */
export interface ReceivingAppservice extends Appservice {
  readonly [RECEIVE]: (request: ReceiverRequest) => Promise<ReceiverReply>;
}

const LIFECYCLE_AND_GROUP_NAMES: ReadonlySet<string> = new Set<keyof AppserviceHandlers & string>([
  'ready', 'error', 'fatal', 'stopped', 'deadLetter', 'reset', 'invalid', 'timeline', 'state', 'typing', 'receipt',
  'presence', 'ephemeral', 'toDevice', 'deviceLists', 'otkCounts', 'fallbackKeys',
]);

function registryKey(name: string): string {
  return LIFECYCLE_AND_GROUP_NAMES.has(name) ? name : EVENT_PREFIX + name;
}

function error(status: number, errcode: string, message: string, headers?: Record<string, string>): ReceiverReply {
  return headers === undefined ? { status, body: { errcode, error: message } } : { status, body: { errcode, error: message }, headers };
}

const OK: ReceiverReply = Object.freeze({ status: 200, body: Object.freeze({}) });

const UTF8 = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * A transaction body as received: its bytes when the caller had them (the text is then not kept:
 * it is garbage as soon as it is parsed, and the bytes live off the JS heap), else its text.
 */
type ReceivedBody = { bytes: Uint8Array; text?: undefined } | { bytes?: undefined; text: string };

/** Reads and parses a transaction body, or answers why not. */
async function readTransaction(request: ReceiverRequest): Promise<ReceiverReply | { body: AppserviceTransactionBody; received: ReceivedBody }> {
  let text: string;
  try {
    text = await request.text();
  } catch (failure) {
    const status = (failure as { status?: unknown }).status;
    if (status === 413) return error(413, 'M_TOO_LARGE', 'The transaction is too large');
    return error(400, 'M_BAD_JSON', 'The body could not be read');
  }
  try {
    const body = parseTransactionBody(text);
    const bytes = request.bytes?.();
    return { body, received: bytes === undefined ? { text } : { bytes } };
  } catch (failure) {
    if (failure instanceof TransactionBodyError) return error(400, failure.errcode, failure.message);
    throw failure;
  }
}

/** What the store is given: with the bytes, the text is decoded only if the store reads it. */
function inboxTransaction(scope: string, txnId: string, contentHash: string, eventIds: string[], received: ReceivedBody, receivedAt: number): InboxTransaction {
  if (received.bytes === undefined) return { scope, txnId, contentHash, eventIds, body: received.text, receivedAt };
  const bytes = received.bytes;
  return {
    scope,
    txnId,
    contentHash,
    eventIds,
    bodyBytes: bytes,
    receivedAt,
    get body() {
      return UTF8.decode(bytes);
    },
  };
}

/**
 * Settles with the promise's value, or `undefined` once `ms` passed first, timed by the
 * package's one abortable wait (`sleep`: the appservice's); the wait is ended when the promise settles.
 */
async function within<T>(
  promise: Promise<T>,
  ms: number,
  sleep: (ms: number, signal: AbortSignal | undefined) => Promise<void>,
): Promise<{ value: T } | undefined> {
  const settled = new AbortController();
  const timeUp = abortableSleep(sleep, ms, settled.signal).then(
    () => undefined,
    () => undefined,
  );
  try {
    return await Promise.race([promise.then((value) => ({ value })), timeUp]);
  } finally {
    settled.abort();
  }
}

/** How long `stop()` waits for handlers by default, and `start()` for those a stop left running. */
const STOP_DEADLINE_MS = 10_000;

/** The largest transaction body taken by default: 100 PDUs and 100 EDUs of 64 KiB fit. */
export const DEFAULT_MAX_BODY_BYTES = 20 * 1024 * 1024;

/** A body over the limit: answered 413 `M_TOO_LARGE`. */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
  readonly status = 413;
}

/** Reads a web request's body as text, counting bytes as they stream; past `limit` it stops reading and throws. */
async function readLimited(request: Request, limit: number): Promise<string> {
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    await request.body?.cancel().catch(() => undefined);
    throw new BodyTooLargeError(`The body of ${declared} bytes is over the limit of ${limit}`);
  }
  const bytes = await readLimitedBytes(request.body, limit, () => new BodyTooLargeError(`The body is over the limit of ${limit} bytes`));
  return new TextDecoder().decode(bytes);
}

/** The query parameters of a third-party lookup, without the token. */
function fieldsOf(query: URLSearchParams): Record<string, string> {
  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [key, value] of query) if (key !== 'access_token') fields[key] = value;
  return fields;
}

class AppserviceImpl implements ReceivingAppservice {
  readonly registration: AppserviceRegistration;
  readonly client: MatrixClient;
  readonly thirdParty: ThirdPartyHandlers = {};
  onUserQuery: ((userId: string) => Promise<boolean> | boolean) | undefined;
  onRoomQuery: ((alias: string) => Promise<boolean> | boolean) | undefined;
  readonly fetch: (request: Request) => Promise<Response>;
  readonly deadLetters: DeadLetters;
  readonly [RECEIVE]: (request: ReceiverRequest) => Promise<ReceiverReply>;

  readonly #o: AppserviceOptions;
  readonly #registry: HandlerRegistry;
  readonly #dispatcher: Dispatcher;
  readonly #intents: IntentManager;
  readonly #tokens: TokenCheck;
  readonly #inFlight = new Map<string, Promise<boolean>>();
  readonly #now: () => number;
  readonly #sleep: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
  readonly #inboxLimit: number;
  readonly #budgetMs: number;
  readonly #queryTimeoutMs: number;
  readonly #maxBodyBytes: number;
  readonly #logger: TransportLogger;
  readonly #metrics: AppserviceMetrics;
  #state: AppserviceState = 'stopped';
  #scope: string | undefined;
  #pingWaiting = false;
  #starting: Promise<PingOutcome> | undefined;
  #stopping: Promise<void> | undefined;

  constructor(options: AppserviceOptions) {
    if (options.store === undefined || options.store === null) {
      throw new TypeError('createAppservice: a store is required (FileAppserviceStore from matrix-fluent/node, or MemoryAppserviceStore for tests)');
    }
    this.#o = options;
    this.registration = options.registration;
    const seams = seamsOf<AppserviceSeams>(options);
    this.#now = seams.now ?? Date.now;
    this.#sleep = seams.sleep ?? defaultSleep;
    this.#inboxLimit = options.inboxLimit ?? 10_000;
    this.#budgetMs = options.backpressureBudgetMs ?? 30_000;
    this.#queryTimeoutMs = options.queryTimeoutMs ?? 10_000;
    this.#maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    const logger = options.logger ?? WARN_LOGGER;
    this.#logger = logger;
    this.#metrics = options.metrics ?? {};
    this.#registry = new HandlerRegistry((info: HandlerErrorInfo) => {
      const reason = info.error instanceof Error ? info.error.message : String(info.error);
      logger.error(`An application service handler of '${info.event}' failed: ${reason}`);
    });
    // The package's one scrubbing rule, over the registration's tokens: an issue may quote an id-shaped excerpt of one.
    const scrub = createScrubber([options.registration.as_token, options.registration.hs_token]);
    this.#dispatcher = new Dispatcher({
      registry: this.#registry,
      store: options.store,
      concurrency: Math.max(1, options.concurrency ?? 16),
      retryLimit: Math.max(0, options.handlerRetry?.limit ?? 3),
      backoffBase: options.handlerRetry?.backoffBase ?? 1_000,
      backoffLimit: options.handlerRetry?.backoffLimit ?? 30_000,
      sleep: this.#sleep,
      now: this.#now,
      metrics: this.#metrics,
      logger,
      validation: options.validate === undefined ? undefined : { validate: options.validate, warn: (line) => logger.warn(scrub(line)) },
    });
    const validate = options.validate ?? options.client?.validate;
    this.client = createClient({ ...options.client, ...(validate === undefined ? {} : { validate }), baseUrl: options.homeserverUrl, asToken: options.registration.as_token });
    this.#intents = new IntentManager({ client: this.client, registration: options.registration, serverName: options.serverName });
    this.#tokens = new TokenCheck(options.registration.hs_token);
    this.fetch = (request: Request) => this.#fetch(request);
    this[RECEIVE] = (request: ReceiverRequest) => this.#receive(request);
    this.deadLetters = {
      list: () => options.store.deadLetters(),
      replay: async (id: string) => {
        const letter = (await options.store.deadLetters()).find((l) => l.id === id);
        if (letter === undefined) return false;
        if (!(await this.#dispatcher.replay(letter))) return false;
        await options.store.removeDeadLetter(id);
        return true;
      },
      discard: async (id: string) => (await options.store.removeDeadLetter(id)) !== undefined,
    };
  }

  get state(): AppserviceState {
    return this.#state;
  }

  get inboxDepth(): number {
    return this.#dispatcher.depth;
  }

  get bot(): Intent {
    return this.#intents.bot;
  }

  intent(localpartOrUserId: string): Intent {
    return this.#intents.intent(localpartOrUserId);
  }

  on<K extends keyof AppserviceHandlers>(name: K, handler: AppserviceHandlers[K]): this;
  on(type: string, handler: (event: RoomEvent | BasicEvent, context: AppserviceEventContext) => HandlerResult): this;
  on(name: string, handler: (...args: never[]) => HandlerResult): this {
    this.#registry.on(registryKey(name), handler as (...args: unknown[]) => unknown);
    return this;
  }

  once<K extends keyof AppserviceHandlers>(name: K, handler: AppserviceHandlers[K]): this;
  once(type: string, handler: (event: RoomEvent | BasicEvent, context: AppserviceEventContext) => HandlerResult): this;
  once(name: string, handler: (...args: never[]) => HandlerResult): this {
    this.#registry.once(registryKey(name), handler as (...args: unknown[]) => unknown);
    return this;
  }

  off<K extends keyof AppserviceHandlers>(name: K, handler?: AppserviceHandlers[K]): this;
  off(type: string, handler?: (event: RoomEvent | BasicEvent, context: AppserviceEventContext) => HandlerResult): this;
  off(name: string, handler?: (...args: never[]) => HandlerResult): this {
    this.#registry.off(registryKey(name), handler as ((...args: unknown[]) => unknown) | undefined);
    return this;
  }

  // ------------------------------------------------------------------------------------------
  // Lifecycle

  start(): Promise<PingOutcome> {
    if (this.#starting !== undefined) return this.#starting;
    if (this.#state !== 'stopped') return Promise.reject(new Error(`The application service is ${this.#state}`));
    this.#starting = this.#start().finally(() => (this.#starting = undefined));
    return this.#starting;
  }

  async #start(): Promise<PingOutcome> {
    this.#state = 'starting';
    const store = this.#o.store;
    try {
      this.#scope = `${this.registration.id}/${await this.#tokens.fingerprint()}`;
      // Handlers a stop() left running at its deadline finish first: their items would run twice at once.
      if (this.#dispatcher.active > 0) {
        const running = this.#dispatcher.active;
        this.#logger.warn(`Waiting for ${running} handler(s) of the previous run to finish before starting`);
        // As long as stop() waits by default: a handler that never returns must not hold start() forever.
        if ((await within(this.#dispatcher.settled(), STOP_DEADLINE_MS, this.#sleep)) === undefined) {
          throw new Error(
            `${running} handler(s) of the previous run did not finish within ${STOP_DEADLINE_MS} ms (the stop() deadline): ` +
              'the application service was not started, so that no item runs twice at once; start it again once they have finished',
          );
        }
      }
      await store.open();
      const pending = await store.pending();
      this.#dispatcher.reset();
      for (const txn of pending) {
        const body = parseTransactionBody(txn.body);
        const items = workItemsOf(body);
        const active: ActiveTransaction = { info: { txnId: txn.txnId, key: txn.key, receivedAt: txn.receivedAt }, itemCount: items.length };
        const done = new Set(txn.done);
        if (items.every((item) => done.has(item.index))) {
          await store.markDone(txn.key, [], items.length);
          continue;
        }
        this.#dispatcher.enqueue(active, items, done);
      }
      this.#state = 'running';
      const ping = this.#o.pingOnStart === false ? ({ ok: false, skipped: true, attempts: 0 } as const) : await this.#pingWithRetries(3);
      if (!ping.ok && !('skipped' in ping)) {
        this.#logger.warn('The homeserver did not answer the application service ping', {
          error: ping.error instanceof Error ? ping.error.message : String(ping.error),
        });
      }
      await this.#registry.emit('ready', { resumed: pending.length, ping });
      return ping;
    } catch (failure) {
      this.#state = 'stopped';
      await this.#registry.emit('fatal', { error: failure });
      throw failure;
    }
  }

  stop(options: AppserviceStopOptions = {}): Promise<void> {
    this.#stopping ??= this.#stop(options).finally(() => (this.#stopping = undefined));
    return this.#stopping;
  }

  async #stop(options: AppserviceStopOptions): Promise<void> {
    if (this.#starting !== undefined) await this.#starting.catch(() => undefined);
    if (this.#state !== 'running') return;
    this.#state = 'stopping';
    const deadline = options.deadlineMs ?? STOP_DEADLINE_MS;
    if (!(await this.#dispatcher.idle(deadline))) {
      const d = this.#dispatcher;
      this.#logger.warn(
        `stop(): ${d.depth} item(s) (run again after the next start) and ${d.invalidRunning} invalid handler run(s) did not finish within ${deadline} ms`,
      );
    }
    this.#dispatcher.halt();
    await this.#dispatcher.flushProgress();
    try {
      await this.#o.store.close();
    } finally {
      // Its client keeps no socket open while stopped (a restart connects again).
      await this.client.transport.release().catch(() => undefined);
      this.#state = 'stopped';
      await this.#registry.emit('stopped');
    }
  }

  async ping(): Promise<PingOutcome> {
    return this.#pingWithRetries(1);
  }

  async #pingWithRetries(attempts: number): Promise<PingOutcome> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const started = this.#now();
      try {
        await this.client.api.appservice(this.registration.id).ping.post({ transaction_id: `mf.ping.${started.toString(36)}` });
        return { ok: true, durationMs: this.#now() - started, attempts: attempt };
      } catch (failure) {
        lastError = failure;
        if (attempt < attempts) {
          const delay = exponentialDelay(attempt, { ...DEFAULT_TRANSPORT_OPTIONS.retry, backoffBase: 1_000, backoffLimit: 10_000 });
          await this.#sleep(delay, undefined);
        }
      }
    }
    return { ok: false, error: lastError, attempts };
  }

  // ------------------------------------------------------------------------------------------
  // Requests

  async #fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const reply = await this.#receive({
      method: request.method,
      pathname: url.pathname,
      query: url.searchParams,
      authorization: request.headers.get('authorization'),
      text: () => readLimited(request, this.#maxBodyBytes),
    });
    const headers: Record<string, string> = { 'content-type': 'application/json', ...reply.headers };
    return new Response(JSON.stringify(reply.body), { status: reply.status, headers });
  }

  async #receive(request: ReceiverRequest): Promise<ReceiverReply> {
    const reply = await this.#route(request);
    if (reply.status >= 400 && reply.status !== 404) {
      const body = reply.body as { errcode?: string; error?: string };
      callHook(this.#metrics.rejected, { status: reply.status, errcode: body.errcode ?? '', reason: body.error ?? '' });
    }
    return reply;
  }

  async #route(request: ReceiverRequest): Promise<ReceiverReply> {
    const match = matchRoute(request.method, request.pathname);
    if (match.kind === 'none') return error(404, 'M_UNRECOGNIZED', 'Unrecognized request');
    if (match.kind === 'method') return error(405, 'M_UNRECOGNIZED', 'Unrecognized request', { allow: match.allow.join(', ') });
    const auth = this.#tokens.check(request.authorization, request.query.get('access_token'));
    if (auth === 'missing') return error(401, 'M_MISSING_TOKEN', 'Missing access token');
    if (auth === 'forbidden') return error(403, 'M_FORBIDDEN', 'Bad token supplied');
    if (match.kind === 'bad-param') return error(400, 'M_INVALID_PARAM', match.message);
    const { params } = match;
    switch (match.operation) {
      case 'sendTransaction':
        return this.#transaction(params['txnId']!, request);
      case 'ping':
        return OK;
      case 'queryUserById':
        return this.#query(this.onUserQuery, params['userId']!, 'user');
      case 'queryRoomByAlias':
        return this.#query(this.onRoomQuery, params['roomAlias']!, 'room alias');
      case 'getProtocolMetadata':
        return this.#thirdParty(() => this.thirdParty.protocol?.(params['protocol']!));
      case 'queryUserByProtocol':
        return this.#thirdParty(() => this.thirdParty.user?.(params['protocol']!, fieldsOf(request.query)));
      case 'queryLocationByProtocol':
        return this.#thirdParty(() => this.thirdParty.location?.(params['protocol']!, fieldsOf(request.query)));
      case 'queryUserByID': {
        const userId = request.query.get('userid');
        if (userId === null) return error(400, 'M_MISSING_PARAM', 'The userid parameter is required');
        return this.#thirdParty(() => this.thirdParty.userByMatrixId?.(userId));
      }
      case 'queryLocationByAlias': {
        const alias = request.query.get('alias');
        if (alias === null) return error(400, 'M_MISSING_PARAM', 'The alias parameter is required');
        return this.#thirdParty(() => this.thirdParty.locationByAlias?.(alias));
      }
    }
  }

  async #query(
    handler: ((value: string) => Promise<boolean> | boolean) | undefined,
    value: string,
    what: string,
  ): Promise<ReceiverReply> {
    const notFound = error(404, 'M_NOT_FOUND', `No such ${what}`);
    if (handler === undefined) return notFound;
    try {
      const answer = await within(Promise.resolve().then(() => handler(value)), this.#queryTimeoutMs, this.#sleep);
      if (answer === undefined) {
        this.#logger.warn(`The ${what} query did not answer within ${this.#queryTimeoutMs} ms: answered 404`);
        return notFound;
      }
      return answer.value ? OK : notFound;
    } catch (failure) {
      await this.#registry.reportUnhandled({ error: failure, event: what === 'user' ? 'onUserQuery' : 'onRoomQuery', payload: value });
      return notFound;
    }
  }

  async #thirdParty(lookup: () => unknown): Promise<ReceiverReply> {
    const notFound = error(404, 'M_NOT_FOUND', 'Not found');
    let serialising = false;
    try {
      const answer = await within(Promise.resolve().then(lookup), this.#queryTimeoutMs, this.#sleep);
      if (answer === undefined || answer.value === undefined || answer.value === null) return notFound;
      // Serialised here, so an answer JSON cannot carry (a BigInt, a cycle) is a 500, not a throw later.
      serialising = true;
      return { status: 200, body: JSON.parse(JSON.stringify(answer.value)) as unknown };
    } catch (failure) {
      await this.#registry.reportUnhandled({ error: failure, event: 'thirdParty', payload: undefined });
      return serialising ? error(500, 'M_UNKNOWN', 'The third-party answer could not be serialised') : notFound;
    }
  }

  #unavailable(message: string): ReceiverReply {
    return error(503, 'M_UNAVAILABLE', message, { 'retry-after': '5' });
  }

  async #transaction(txnId: string, request: ReceiverRequest): Promise<ReceiverReply> {
    const started = this.#now();
    if (this.#state !== 'running' || this.#scope === undefined) return this.#unavailable('The application service is not accepting transactions');
    const read = await readTransaction(request);
    if ('status' in read) return read;
    const { body, received } = read;
    // A retry of a transaction still being accepted waits for that attempt's outcome.
    const eventIds = eventIdsOf(body);
    const contentHash = digestEventIds(eventIds, otherPartsOf(body));
    const flightKey = `${txnId}\n${contentHash}`;
    const failedBefore = new Set<Promise<boolean>>();
    for (;;) {
      const earlier = this.#inFlight.get(flightKey);
      if (earlier === undefined || failedBefore.has(earlier)) break;
      failedBefore.add(earlier);
      if (await earlier) {
        callHook(this.#metrics.transaction, { txnId, status: 'duplicate', items: 0, ackMs: this.#now() - started });
        return OK;
      }
    }
    const attempt = this.#accept(txnId, received, body, eventIds, contentHash, started);
    const settled = attempt.then(
      (reply) => reply.status === 200,
      () => false,
    );
    this.#inFlight.set(flightKey, settled);
    try {
      return await attempt;
    } finally {
      if (this.#inFlight.get(flightKey) === settled) this.#inFlight.delete(flightKey);
    }
  }

  async #accept(
    txnId: string,
    received: ReceivedBody,
    body: ReturnType<typeof parseTransactionBody>,
    eventIds: string[],
    contentHash: string,
    started: number,
  ): Promise<ReceiverReply> {
    const items = workItemsOf(body);
    const scope = this.#scope!;
    const accepting = (): boolean => this.#state === 'running';
    if (!(await this.#dispatcher.waitForRoom(items.length, this.#inboxLimit, this.#budgetMs, accepting))) {
      // The homeserver resends a refused transaction without its ephemeral, to-device and MSC3202
      // data: such a transaction is taken over the limit rather than losing them.
      const unrepeatable = items.some((item) => item.kind !== 'event');
      if (!unrepeatable || !accepting()) {
        void this.#pingWhenRoom(items.length);
        if (!accepting()) return this.#unavailable('The application service is stopping');
        return error(503, 'M_LIMIT_EXCEEDED', 'The inbox is full; try again later', { 'retry-after': '10' });
      }
      const depth = this.#dispatcher.depth;
      this.#logger.warn('The inbox is full, but the transaction carries data a resend would lack: taken over the limit', { txnId, items: items.length, depth });
      callHook(this.#metrics.overLimit, { txnId, items: items.length, depth });
    }
    if (!accepting()) return this.#unavailable('The application service is stopping');
    const receivedAt = this.#now();
    let result;
    try {
      result = await this.#o.store.accept(inboxTransaction(scope, txnId, contentHash, eventIds, received, receivedAt));
    } catch (failure) {
      this.#logger.error('The application service store could not record a transaction', {
        txnId,
        error: failure instanceof Error ? failure.message : String(failure),
      });
      // Not awaited: a slow error handler never delays the answer (reporting never rejects).
      void this.#registry.reportUnhandled({ error: failure, event: 'store', payload: { txnId } });
      return error(500, 'M_UNKNOWN', 'The transaction could not be stored');
    }
    if (result.status === 'reset') {
      this.#logger.warn('A transaction id came again with other events: the homeserver reset its ids; processing it', { txnId });
      // Published once stored, not awaited: a hung handler never holds the 200 (emit reports failures, never rejects).
      void this.#registry.emit('reset', { txnId, key: result.key });
    }
    if (result.status !== 'duplicate') {
      const active: ActiveTransaction = { info: { txnId, key: result.key, receivedAt }, itemCount: items.length };
      const done = new Set(result.skipped);
      if (items.every((item) => done.has(item.index))) await this.#o.store.markDone(result.key, [], items.length);
      else this.#dispatcher.enqueue(active, items, done);
    }
    callHook(this.#metrics.transaction, { txnId, status: result.status, items: items.length, ackMs: this.#now() - started });
    return OK;
  }

  /**
   * After answering 503 for a full inbox, pings the homeserver once the refused transaction
   * would fit: a successful ping makes it retry at once instead of waiting out its backoff.
   */
  async #pingWhenRoom(count: number): Promise<void> {
    if (this.#pingWaiting) return;
    this.#pingWaiting = true;
    try {
      const accepting = (): boolean => this.#state === 'running';
      const room = await this.#dispatcher.waitForRoom(count, this.#inboxLimit, 10 * 60_000, accepting);
      if (room && accepting()) await this.#pingWithRetries(1);
    } finally {
      this.#pingWaiting = false;
    }
  }
}

/**
 * Creates an application service: a web-standard receiver (`appservice.fetch`) with a durable
 * inbox, per-room ordered handlers, and clients acting as the namespace's users.
 *
 * @example
 * ```ts
 * import { createAppservice, MemoryAppserviceStore } from 'matrix-fluent';
 * const appservice = createAppservice({ registration, homeserverUrl, serverName, store: new MemoryAppserviceStore() });
 * appservice.on('m.room.message', (event, { roomId }) => console.log(roomId, event.sender));
 * await appservice.start();
 * ```
 */
export function createAppservice(options: AppserviceOptions): Appservice {
  return new AppserviceImpl(options);
}
