/**
 * Intents: an application service acting as one of its users. Each intent is a
 * client of the as_token client acting as that user (`client.as(userId)`, the
 * same transport), which registers its user once and joins rooms on demand.
 */
import type { MatrixClient } from '../client.js';
import type { EventContentMap } from '../events/types.js';
import { isMatrixError } from '../errors/matrix-error.js';
import type { RequestOptions } from '../transport/types.js';
import { LruMap } from './lru.js';
import { NamespaceMatcher } from './namespace.js';
import type { AppserviceRegistration } from './registration.js';

/**
 * Options of {@link IntentManager}.
 *
 * @example
 * ```ts
 * const intents = new IntentManager({ client, registration, serverName: 'example.org', cacheSize: 1_000 } satisfies IntentManagerOptions);
 * ```
 */
export interface IntentManagerOptions {
  /** The as_token client (`createClient({ baseUrl, asToken })`); intents act through it. */
  client: MatrixClient;
  /** The registration: its user namespaces and `sender_localpart`. */
  registration: Pick<AppserviceRegistration, 'sender_localpart' | 'namespaces'>;
  /** The homeserver's `server_name` (user ids are `@localpart:serverName`). */
  serverName: string;
  /** How many intents, and how many users known to be registered, are kept. @default 10_000 */
  cacheSize?: number | undefined;
  /** How many joined rooms each intent remembers. @default 1_000 */
  roomCacheSize?: number | undefined;
}

/**
 * Options of the senders of an {@link Intent}.
 *
 * @example
 * ```ts
 * await intent.sendText(roomId, 'hi', { ts: originalTs, txnId: 'bridge-42' } satisfies IntentSendOptions);
 * ```
 */
export interface IntentSendOptions extends Pick<RequestOptions, 'signal' | 'timeout'> {
  /** The event's origin server timestamp, in milliseconds (the `ts` of application services). */
  ts?: number | undefined;
  /** The transaction id; by default one is made and reused on every retry. */
  txnId?: string | undefined;
}

/**
 * A message's content, as sent: the spec's `m.room.message` content (a custom `msgtype` outside `m.` too).
 *
 * @example
 * ```ts
 * const content: IntentMessageContent = { msgtype: 'm.notice', body: 'relayed' };
 * await intent.sendMessage(roomId, content);
 * ```
 */
export type IntentMessageContent = EventContentMap['m.room.message'];

/**
 * One user of the application service: its own user (the bot) or a user of its
 * namespaces.
 *
 * @example
 * ```ts
 * const ghost = intents.intent('_irc_alice');
 * await ghost.ensureJoined(roomId);
 * await ghost.sendText(roomId, 'hello from IRC');
 * ```
 */
export interface Intent {
  /** The full user id, `@localpart:serverName`. */
  readonly userId: string;
  /** A client acting as this user (`client.as(userId)`; the as_token client itself for the bot). */
  readonly client: MatrixClient;
  /**
   * Registers the user unless it is known to be registered: one request however
   * many callers ask at once, `inhibit_login` (no device or token is made),
   * `M_USER_IN_USE` counting as done. A failure is not remembered, so the next call tries again.
   */
  ensureRegistered(): Promise<void>;
  /**
   * Registers the user, then joins the room unless this intent joined it before
   * (one request for concurrent callers). A refusal surfaces as the server's `MatrixError`
   * (`M_FORBIDDEN` when the user is not invited to a private room).
   */
  ensureJoined(roomId: string): Promise<void>;
  /**
   * Sends an `m.room.message` after {@link Intent.ensureJoined}; `ts` sets its timestamp.
   * Returns the event id.
   */
  sendMessage(roomId: string, content: IntentMessageContent, options?: IntentSendOptions): Promise<string>;
  /** Sends an `m.text` message (see {@link Intent.sendMessage}). Returns the event id. */
  sendText(roomId: string, body: string, options?: IntentSendOptions): Promise<string>;
  /** Registers the user, then sets its display name. */
  setDisplayName(displayName: string): Promise<void>;
}

/** The user ids known to be registered, and the registrations in flight, shared by every intent. */
class Registrations {
  readonly #done: LruMap<string, true>;
  readonly #pending = new Map<string, Promise<void>>();

  constructor(
    private readonly root: MatrixClient,
    size: number,
  ) {
    this.#done = new LruMap(size);
  }

  ensure(userId: string, localpart: string): Promise<void> {
    if (this.#done.get(userId)) return Promise.resolve();
    const pending = this.#pending.get(userId);
    if (pending) return pending;
    const attempt = this.#register(userId, localpart).finally(() => this.#pending.delete(userId));
    this.#pending.set(userId, attempt);
    return attempt;
  }

  markRegistered(userId: string): void {
    this.#done.set(userId, true);
  }

  async #register(userId: string, localpart: string): Promise<void> {
    try {
      // Repeating the POST is harmless: a second attempt only meets M_USER_IN_USE, which counts as done.
      await this.root.api.register.post(
        { type: 'm.login.application_service', username: localpart, inhibit_login: true },
        { retry: { unsafePost: true } },
      );
    } catch (error) {
      if (!isMatrixError(error) || error.errcode !== 'M_USER_IN_USE') throw error;
    }
    this.#done.set(userId, true);
  }
}

class ManagedIntent implements Intent {
  readonly #joined: LruMap<string, true>;
  readonly #joining = new Map<string, Promise<void>>();

  constructor(
    readonly userId: string,
    readonly client: MatrixClient,
    private readonly localpart: string,
    private readonly registrations: Registrations,
    roomCacheSize: number,
  ) {
    this.#joined = new LruMap(roomCacheSize);
  }

  ensureRegistered(): Promise<void> {
    return this.registrations.ensure(this.userId, this.localpart);
  }

  async ensureJoined(roomId: string): Promise<void> {
    if (typeof roomId !== 'string' || !roomId.startsWith('!')) throw new TypeError(`ensureJoined needs a room id (!…), not '${String(roomId)}'`);
    if (this.#joined.get(roomId)) return;
    const pending = this.#joining.get(roomId);
    if (pending) return pending;
    const attempt = (async () => {
      await this.ensureRegistered();
      await this.client.api.rooms(roomId).join.post({});
      this.#joined.set(roomId, true);
    })().finally(() => this.#joining.delete(roomId));
    this.#joining.set(roomId, attempt);
    return attempt;
  }

  async sendMessage(roomId: string, content: IntentMessageContent, options: IntentSendOptions = {}): Promise<string> {
    await this.ensureJoined(roomId);
    const { txnId, ...request } = options;
    const room = this.client.api.rooms(roomId);
    const send = txnId === undefined ? room.send('m.room.message') : room.send('m.room.message', txnId);
    const { event_id: eventId } = await send.put(content, withoutUndefined(request));
    return eventId;
  }

  sendText(roomId: string, body: string, options?: IntentSendOptions): Promise<string> {
    return this.sendMessage(roomId, { msgtype: 'm.text', body }, options);
  }

  async setDisplayName(displayName: string): Promise<void> {
    await this.ensureRegistered();
    await this.client.api.profile(this.userId, 'displayname').put({ displayname: displayName });
  }
}

/** The request options without their undefined values (exactOptionalPropertyTypes). */
function withoutUndefined(options: Omit<IntentSendOptions, 'txnId'>): RequestOptions {
  const out: RequestOptions = {};
  if (options.ts !== undefined) out.ts = options.ts;
  if (options.signal !== undefined) out.signal = options.signal;
  if (options.timeout !== undefined) out.timeout = options.timeout;
  return out;
}

/**
 * The intents of an application service: one {@link Intent} per user of its
 * namespaces, kept in a bounded cache so a hot user always gets the same object,
 * and the bot (`sender_localpart`), which acts with the plain as_token client.
 * Asking for a user outside the user namespaces throws a `TypeError` before any request.
 *
 * @example
 * ```ts
 * const client = createClient({ baseUrl, asToken: registration.as_token });
 * const intents = new IntentManager({ client, registration, serverName: 'example.org' });
 * const ghost = intents.intent('_irc_alice'); // or '@_irc_alice:example.org'
 * await ghost.ensureJoined(roomId);
 * await ghost.sendText(roomId, 'hello', { ts: ircMessageTime });
 * ```
 */
export class IntentManager {
  /** The application service's own user (`@sender_localpart:serverName`), acting with the as_token client. */
  readonly bot: Intent;
  /** The registration's namespaces, compiled. */
  readonly namespaces: NamespaceMatcher;
  readonly #client: MatrixClient;
  readonly #serverName: string;
  readonly #registrations: Registrations;
  readonly #intents: LruMap<string, Intent>;
  readonly #roomCacheSize: number;

  constructor(options: IntentManagerOptions) {
    const { client, registration, serverName, cacheSize = 10_000, roomCacheSize = 1_000 } = options;
    this.#client = client;
    this.#serverName = serverName;
    this.namespaces = new NamespaceMatcher(registration, serverName);
    this.#registrations = new Registrations(client, cacheSize);
    this.#intents = new LruMap(cacheSize);
    this.#roomCacheSize = roomCacheSize;
    const botId = this.namespaces.botUserId;
    // The homeserver makes the application service's own user; it never needs registering.
    this.#registrations.markRegistered(botId);
    this.bot = new ManagedIntent(botId, client, registration.sender_localpart, this.#registrations, roomCacheSize);
  }

  /**
   * The intent of a user of the namespaces, by localpart (`_irc_alice`) or user id
   * (`@_irc_alice:example.org`). The same object comes back while it is in the cache.
   * Throws a `TypeError` for a user of another server or outside the user namespaces.
   *
   * @example
   * ```ts
   * const ghost = intents.intent('@_irc_alice:example.org');
   * await ghost.setDisplayName('alice (IRC)');
   * ```
   */
  intent(localpartOrUserId: string): Intent {
    const userId = this.#userId(localpartOrUserId);
    if (userId === this.bot.userId) return this.bot;
    const cached = this.#intents.get(userId);
    if (cached) return cached;
    if (!this.namespaces.isUserInNamespace(userId)) {
      throw new TypeError(`${userId} is outside the application service's user namespaces; only its own user and the users its registration claims can be acted as`);
    }
    const localpart = userId.slice(1, userId.indexOf(':'));
    const intent = new ManagedIntent(userId, this.#client.as(userId), localpart, this.#registrations, this.#roomCacheSize);
    this.#intents.set(userId, intent);
    return intent;
  }

  #userId(value: string): string {
    if (typeof value !== 'string' || value === '') throw new TypeError('intent() needs a localpart or a user id');
    if (!value.startsWith('@')) {
      if (value.includes(':')) throw new TypeError(`'${value}' is neither a localpart nor a user id (@localpart:server)`);
      return `@${value}:${this.#serverName}`;
    }
    const colon = value.indexOf(':');
    if (colon < 2) throw new TypeError(`'${value}' is not a user id (@localpart:server)`);
    const server = value.slice(colon + 1);
    if (server !== this.#serverName) {
      throw new TypeError(`${value} belongs to ${server}, not to this homeserver (${this.#serverName}); an application service acts only as local users`);
    }
    return value;
  }
}
