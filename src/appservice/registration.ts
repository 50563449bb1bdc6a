/**
 * Application service registrations: the file a homeserver loads to know an
 * application service (`registration.yaml`), its type, and generating a new one.
 * Portable: randomness comes from `crypto.getRandomValues`.
 */

/**
 * One namespace entry: a regex and whether the application service claims it alone.
 *
 * @example
 * ```ts
 * const ghosts: AppserviceNamespace = { regex: '@_irc_.*:example\\.org', exclusive: true };
 * ```
 */
export interface AppserviceNamespace {
  /** A regex (Python syntax on Synapse, matched from the start of the value). */
  regex: string;
  /** Whether the application service has exclusive access to what the regex matches. */
  exclusive: boolean;
}

/**
 * The namespaces an application service is interested in.
 *
 * @example
 * ```ts
 * const namespaces: AppserviceNamespaces = { users: [{ regex: '@_irc_.*:example\\.org', exclusive: true }], aliases: [], rooms: [] };
 * ```
 */
export interface AppserviceNamespaces {
  /** User ids, in addition to the application service's own user. */
  users?: AppserviceNamespace[];
  /** Room aliases. */
  aliases?: AppserviceNamespace[];
  /** Room ids. */
  rooms?: AppserviceNamespace[];
}

/**
 * An application service registration, as the spec defines it (`registration.yaml`),
 * with the unstable keys Synapse reads. Wire names, snake_case.
 *
 * @see https://spec.matrix.org/latest/application-service-api/#registration
 * @example
 * ```ts
 * const registration: AppserviceRegistration = {
 *   id: 'irc', url: 'http://127.0.0.1:9000', as_token, hs_token, sender_localpart: 'ircbot',
 *   namespaces: { users: [{ regex: '^@_irc_.*:example\\.org$', exclusive: true }] },
 * };
 * ```
 */
export interface AppserviceRegistration {
  /** A unique id of the application service, which never changes. */
  id: string;
  /** Where the homeserver pushes transactions and queries; `null` (explicitly) for none. */
  url: string | null;
  /** The token the application service sends to the homeserver. */
  as_token: string;
  /** The token the homeserver sends to the application service. */
  hs_token: string;
  /** The localpart of the application service's own user. */
  sender_localpart: string;
  /** The users, aliases and rooms the application service is interested in. */
  namespaces: AppserviceNamespaces;
  /** Whether the homeserver pushes ephemeral data (typing, receipts, presence). Default `false`. */
  receive_ephemeral?: boolean;
  /** Whether requests of masqueraded users are rate limited (the sender never is). Synapse's default: `true`. */
  rate_limited?: boolean;
  /** The third-party protocols the application service provides. */
  protocols?: string[];
  /** The unstable spelling of `receive_ephemeral` (MSC2409), which older Synapse versions read. */
  'de.sorunome.msc2409.push_ephemeral'?: boolean;
  /** Device lists, one-time key counts and fallback keys in transactions (MSC3202). */
  'org.matrix.msc3202'?: boolean;
  /** Device management by the application service, without login (MSC4190). */
  'io.element.msc4190'?: boolean;
  /** Any other key of the file, kept as it is. */
  [key: string]: unknown;
}

/**
 * Options of {@link generateRegistration}.
 *
 * @example
 * ```ts
 * const options: GenerateRegistrationOptions = { id: 'irc', url: 'http://127.0.0.1:9000', serverName: 'example.org', userPrefix: '_irc_' };
 * const registration = generateRegistration(options);
 * ```
 */
export interface GenerateRegistrationOptions {
  /** The application service's unique id. */
  id: string;
  /** Where the homeserver reaches the application service, or `null` for a service that only sends. */
  url: string | null;
  /** The homeserver's `server_name`, used in the namespace regexes. */
  serverName: string;
  /** The localpart of the application service's own user. Default: a random `bot_…` one. */
  senderLocalpart?: string | undefined;
  /** The localpart prefix of the users the application service claims exclusively, e.g. `_irc_`. */
  userPrefix?: string | undefined;
  /** The alias localpart prefix the application service claims exclusively, e.g. `_irc_`. */
  aliasPrefix?: string | undefined;
  /** Namespaces written as they are, instead of (or in addition to) the prefixes. */
  namespaces?: AppserviceNamespaces | undefined;
  /** Whether masqueraded users are rate limited. @default false */
  rateLimited?: boolean | undefined;
  /** Whether the homeserver pushes ephemeral data (both spellings are written). @default true */
  receiveEphemeral?: boolean | undefined;
  /** Ask for MSC3202 device data in transactions. @default false */
  msc3202?: boolean | undefined;
  /** Ask for MSC4190 device management. @default false */
  msc4190?: boolean | undefined;
  /** The third-party protocols the application service provides. */
  protocols?: readonly string[] | undefined;
}

/** Random bytes behind each token; 48 bytes give 64 base64url characters. */
const TOKEN_BYTES = 48;
/**
 * The characters a user id localpart may hold (lower case, digits, `._=-/+`).
 *
 * @example
 * ```ts
 * LOCALPART_PATTERN.test('_irc_alice'); // true
 * ```
 */
export const LOCALPART_PATTERN = /^[a-z0-9._=\-/+]+$/;

/**
 * Escapes a string for use inside a regex, so that a server name's dots match
 * only dots.
 *
 * @example
 * ```ts
 * escapeRegex('example.org'); // 'example\\.org'
 * ```
 */
export function escapeRegex(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function randomToken(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(TOKEN_BYTES));
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomLocalpart(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
  // 252 is the largest multiple of 36 below 256: rejecting above it keeps every character equally likely.
  let out = '';
  for (const byte of bytes) if (byte < 252) out += alphabet[byte % 36];
  return `bot_${out.slice(0, 12).padEnd(12, '0')}`;
}

function checkPrefix(name: string, prefix: string | undefined): void {
  if (prefix !== undefined && !LOCALPART_PATTERN.test(prefix)) {
    throw new TypeError(`${name} '${prefix}' may only hold the characters of a localpart: a-z, 0-9 and ._=-/+`);
  }
}

/**
 * Generates a registration: fresh random tokens (48 bytes each, base64url), exclusive
 * namespace regexes escaped and anchored at both ends (`^@_irc_.*:example\.org$`),
 * `rate_limited: false` and ephemeral data on, under both its stable and its
 * unstable key. Write it out with {@link registrationToYaml}.
 *
 * @example
 * ```ts
 * const registration = generateRegistration({
 *   id: 'irc', url: 'http://127.0.0.1:9000', serverName: 'example.org',
 *   senderLocalpart: 'ircbot', userPrefix: '_irc_', aliasPrefix: '_irc_',
 * });
 * registration.namespaces.users; // [{ regex: '^@_irc_.*:example\\.org$', exclusive: true }]
 * ```
 */
export function generateRegistration(options: GenerateRegistrationOptions): AppserviceRegistration {
  if (typeof options.id !== 'string' || options.id === '' || options.id.includes('|')) {
    throw new TypeError(`id must be a non-empty string without '|'`);
  }
  if (options.url !== null && !isHttpUrl(options.url)) throw new TypeError('url must be an http(s) URL or null'); // not quoted: a URL may carry credentials
  if (typeof options.serverName !== 'string' || !/^[^\s/@#!]+$/.test(options.serverName)) {
    throw new TypeError(`serverName must be a server name such as example.org, not '${String(options.serverName)}'`);
  }
  checkPrefix('senderLocalpart', options.senderLocalpart);
  checkPrefix('userPrefix', options.userPrefix);
  checkPrefix('aliasPrefix', options.aliasPrefix);
  const server = escapeRegex(options.serverName);
  const anchored = (sigil: string, prefix: string): AppserviceNamespace => ({
    regex: `^${sigil}${escapeRegex(prefix)}.*:${server}$`,
    exclusive: true,
  });
  const users = [...(options.userPrefix !== undefined ? [anchored('@', options.userPrefix)] : []), ...(options.namespaces?.users ?? [])];
  const aliases = [...(options.aliasPrefix !== undefined ? [anchored('#', options.aliasPrefix)] : []), ...(options.namespaces?.aliases ?? [])];
  const rooms = [...(options.namespaces?.rooms ?? [])];
  const receiveEphemeral = options.receiveEphemeral ?? true;
  const registration: AppserviceRegistration = {
    id: options.id,
    url: options.url,
    as_token: randomToken(),
    hs_token: randomToken(),
    sender_localpart: options.senderLocalpart ?? randomLocalpart(),
    namespaces: { users, aliases, rooms },
    rate_limited: options.rateLimited ?? false,
    receive_ephemeral: receiveEphemeral,
    'de.sorunome.msc2409.push_ephemeral': receiveEphemeral,
  };
  if (options.msc3202) registration['org.matrix.msc3202'] = true;
  if (options.msc4190) registration['io.element.msc4190'] = true;
  if (options.protocols !== undefined) registration.protocols = [...options.protocols];
  return registration;
}

/**
 * Whether a value is an absolute http(s) URL.
 *
 * @example
 * ```ts
 * isHttpUrl('http://127.0.0.1:9000'); // true
 * ```
 */
export function isHttpUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
