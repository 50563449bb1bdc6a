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

/** Options of {@link createClient}: the transport's, since the client is its gateways over one transport. */
export type ClientOptions = TransportOptions;

/** Who an application service client acts as. */
export interface ActAsOptions {
  /** The device to act as, for appservices that manage devices. */
  deviceId?: string;
}

/** A Matrix client: typed chains over one shared transport. */
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
   * (`user_id` on every request), over the same transport.
   */
  as(userId: string, options?: ActAsOptions): MatrixClient;
}

function build(table: RouteTable, transport: HttpTransport, media: MediaGateway, root: HttpTransport): MatrixClient {
  const dispatch = createDispatch(table, transport, media);
  return Object.freeze({
    api: chainNode(table.trees.api, [], 'api', dispatch) as ApiChain<Calls>,
    media: chainNode(table.trees.media, [], 'media', dispatch) as MediaChain<Calls>,
    wellKnown: chainNode(table.trees.wellKnown, [], 'wellKnown', dispatch) as WellKnownChain<Calls>,
    transport,
    as(userId: string, options?: ActAsOptions): MatrixClient {
      const next = root.as(options?.deviceId !== undefined ? { userId, deviceId: options.deviceId } : { userId });
      return build(table, next, media.withTransport(next), root);
    },
  });
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
  const transport = createTransport(options);
  return build(table, transport, new MediaGateway(table, transport), transport);
}
