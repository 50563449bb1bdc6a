/**
 * `createClient`: one transport, and the three chain roots over it.
 */
import type { ApiChain, MediaChain, WellKnownChain } from '../generated/chains.js';
import { createTransport, type HttpTransport } from './transport/http-transport.js';
import type { TransportOptions } from './transport/options.js';
import type { Calls } from './gateway/call-types.js';
import { chainNode } from './gateway/proxy.js';
import { createDispatch, GENERATED_TABLE, type RouteTable } from './gateway/dispatch.js';
import { MediaGateway } from './media/gateway.js';
import { SyncLoop, type SyncApi } from './sync/loop.js';
import type { EventContext, HandlerResult, SyncHandlers, SyncOptions } from './sync/types.js';
import type { BasicEvent, RoomEvent } from './events/types.js';
import { rawRequest, type RawPath, type RawRequestOptions } from './gateway/raw-request.js';
import type { HttpMethod } from './transport/types.js';
import { DEFAULT_TRANSPORT_OPTIONS } from './transport/defaults.js';
import type { EventValidation, ValidationHook } from './validation/types.js';

/**
 * Options of {@link createClient}: the transport's, since the client is its gateways
 * over one transport, and those of the sync loop.
 *
 * @example
 * ```ts
 * const options: ClientOptions = { baseUrl, accessToken, retry: 5, sync: { timeout: 30_000 } };
 * const client = createClient(options);
 * ```
 */
export type ClientOptions = TransportOptions & {
  /** Options of `client.sync`: store, filter, long-poll timeout, backoff. */
  sync?: SyncOptions;
  /**
   * Opt-in event validation, made by `eventValidation()` of `matrix-fluent/validation`:
   * outgoing content of the event-typed calls (send, state, account data, to-device) is
   * checked before the request, incoming sync events before the handlers. Off when
   * left out, and then none of its checks is loaded.
   * @example
   * ```ts
   * import { eventValidation } from 'matrix-fluent/validation';
   * const client = createClient({ baseUrl, accessToken, validate: eventValidation({ outgoing: 'throw', incoming: 'drop' }) });
   * ```
   */
  validate?: EventValidation | undefined;
};

/**
 * Who an application service client acts as.
 *
 * @example
 * ```ts
 * const ghost = client.as('@_bridge_alice:example.org', { deviceId: 'BRIDGEDEVICE' });
 * await ghost.api.rooms(roomId).send('m.room.message').put({ msgtype: 'm.text', body: 'hi' });
 * ```
 */
export interface ActAsOptions {
  /** The device to act as, for appservices that manage devices. */
  deviceId?: string;
}

/**
 * A Matrix client: typed chains over one shared transport.
 *
 * @example
 * ```ts
 * const client: MatrixClient = createClient({ baseUrl, accessToken });
 * const { user_id } = await client.api.account.whoami.get();
 * ```
 */
export interface MatrixClient {
  /**
   * Every Client-Server operation under `/_matrix/client/`, the version segment folded away.
   * @example
   * ```ts
   * await client.api.rooms(roomId).ban.post({ user_id: '@spam:example.org', reason: 'spam' });
   * ```
   */
  readonly api: ApiChain<Calls>;
  /**
   * The media operations: authenticated media first, the legacy routes as fallback.
   * @example
   * ```ts
   * const { content_uri } = await client.media.upload.post(bytes, { contentType: 'image/png' });
   * ```
   */
  readonly media: MediaChain<Calls>;
  /** The `/.well-known/matrix/*` documents. */
  readonly wellKnown: WellKnownChain<Calls>;
  /** The transport every gateway of this client shares. */
  readonly transport: HttpTransport;
  /**
   * Application services: a client acting as a user of the appservice's namespace
   * (`user_id` on every request), over the same transport. An operation with a `user_id`
   * query of its own (`mutual_rooms`) would send it twice: it is refused with an
   * `ActAsConflictError` before any request.
   * @example
   * ```ts
   * await client.as('@_bridge_alice:example.org').api.rooms(roomId).send('m.room.message').put({ msgtype: 'm.text', body: 'hi' });
   * ```
   */
  as(userId: string, options?: ActAsOptions): MatrixClient;
  /**
   * The sync loop (created on first use): long-polls `/sync`, publishes each batch to
   * the handlers registered with `on`, and commits the position only after every
   * handler of the batch has finished (at-least-once delivery). Holds the room
   * state tracker (`client.sync.state`).
   * @example
   * ```ts
   * client.on('m.room.message', (event, { roomId }) => console.log(roomId, event.content.body));
   * await client.sync.start();
   * ```
   */
  readonly sync: SyncLoop;
  /**
   * Registers a sync handler: a Matrix event type (`'m.room.message'`: `event.content` typed
   * from the spec), a group event (`join`, `invite`, `leave`, `timeline`, `state`,
   * `accountData`, `toDevice`, `presence`, `typing`, `receipt`, `sync`) or a lifecycle
   * event (`ready`, `failed`, `resumed`, `fatal`, `error`, `stopped`). Same as `client.sync.on`.
   */
  on<K extends keyof SyncHandlers>(name: K, handler: SyncHandlers[K]): MatrixClient;
  on(type: string, handler: (event: RoomEvent | BasicEvent, context: EventContext) => HandlerResult): MatrixClient;
  /** Registers a sync handler that runs once. Same as `client.sync.once`. */
  once<K extends keyof SyncHandlers>(name: K, handler: SyncHandlers[K]): MatrixClient;
  once(type: string, handler: (event: RoomEvent | BasicEvent, context: EventContext) => HandlerResult): MatrixClient;
  /** Removes a sync handler. Same as `client.sync.off`. */
  off<K extends keyof SyncHandlers>(name: K, handler?: SyncHandlers[K]): MatrixClient;
  off(type: string, handler?: (event: RoomEvent | BasicEvent, context: EventContext) => HandlerResult): MatrixClient;
  /**
   * The raw escape hatch, for what the spec does not have yet (unstable MSC
   * endpoints): a JSON request to any path, through this client's transport (the
   * same auth, retries, limits, hooks and typed errors as the chains, and the
   * identity of `client.as`). The path is a {@link matrixPath} template or an array
   * of segments, so that every value is percent-encoded; a plain string is refused.
   * A POST is retried after a 5xx or a network error only with `safeToRetry: true`.
   * The answer is the parsed JSON body, typed as the caller says (unchecked).
   * @example
   * ```ts
   * const path = matrixPath`/_matrix/client/unstable/uk.half-shot.msc2666/user/mutual_rooms`;
   * const { joined } = await client.request<{ joined: string[] }>('GET', path, { query: { user_id: '@alice:example.org' } });
   * ```
   */
  request<T = unknown>(method: HttpMethod, path: RawPath, options?: RawRequestOptions): Promise<T>;
}

/** The sync loop's view of a client's API chain. */
function syncApi(api: ApiChain<Calls>, transport: HttpTransport): SyncApi {
  return {
    get: (query, options) => api.sync.get(query, options),
    scrub: (text) => transport.scrub(text),
    uploadFilter: async (filter, options) => {
      const { user_id: userId } = await api.account.whoami.get(options);
      const { filter_id: filterId } = await api.user(userId).filter.post(filter, options);
      return filterId;
    },
  };
}

function build(
  table: RouteTable,
  transport: HttpTransport,
  media: MediaGateway,
  root: HttpTransport,
  syncOptions: SyncOptions,
  validation: ValidationHook | undefined,
): MatrixClient {
  const dispatch = createDispatch(table, transport, media, validation);
  const api = chainNode(table.trees.api, [], 'api', dispatch) as ApiChain<Calls>;
  let sync: SyncLoop | undefined;
  const getSync = (): SyncLoop => (sync ??= new SyncLoop(syncApi(api, transport), syncOptions, validation));
  const client: MatrixClient = Object.freeze({
    api,
    media: chainNode(table.trees.media, [], 'media', dispatch) as MediaChain<Calls>,
    wellKnown: chainNode(table.trees.wellKnown, [], 'wellKnown', dispatch) as WellKnownChain<Calls>,
    transport,
    as(userId: string, options?: ActAsOptions): MatrixClient {
      const next = root.as(options?.deviceId !== undefined ? { userId, deviceId: options.deviceId } : { userId });
      // A masquerading client syncs under its own store keys.
      const prefix = `${syncOptions.storePrefix ?? 'sync'}.as.${userId}.${options?.deviceId ?? ''}`;
      return build(table, next, media.withTransport(next), root, { ...syncOptions, storePrefix: prefix }, validation);
    },
    get sync(): SyncLoop {
      return getSync();
    },
    on(name: string, handler: never): MatrixClient {
      getSync().on(name, handler);
      return client;
    },
    once(name: string, handler: never): MatrixClient {
      getSync().once(name, handler);
      return client;
    },
    off(name: string, handler?: never): MatrixClient {
      getSync().off(name, handler);
      return client;
    },
    // Async, so that a refused path is a rejection like any other failure of the call.
    request: async (method: HttpMethod, path: RawPath, options?: RawRequestOptions): Promise<unknown> =>
      transport.requestJson(rawRequest(method, path, options)),
  } as MatrixClient);
  return client;
}

/**
 * Creates a client.
 *
 * @example
 * ```ts
 * const client = createClient({ baseUrl: 'https://matrix.example.org', accessToken });
 * const { user_id } = await client.api.account.whoami.get();
 * ```
 */
export function createClient(options: ClientOptions): MatrixClient {
  return createClientWithTable(options, GENERATED_TABLE);
}

/**
 * Creates a client over another route table (one generated from another spec
 * version). The chain types stay those of the pinned version.
 */
export function createClientWithTable(options: ClientOptions, table: RouteTable): MatrixClient {
  const { sync = {}, validate, ...transportOptions } = options;
  const transport = createTransport(transportOptions);
  let validation: ValidationHook | undefined;
  if (validate !== undefined) {
    const logger = transportOptions.logger ?? DEFAULT_TRANSPORT_OPTIONS.logger;
    // One line per finding, through the client's logger, scrubbed like every line of the transport.
    validation = { validate, warn: (line) => logger.warn(transport.scrub(line)), scrub: (text) => transport.scrub(text) };
  }
  return build(table, transport, new MediaGateway(table, transport), transport, sync, validation);
}
