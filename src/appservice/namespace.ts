/**
 * The namespaces of an application service registration, compiled once: which
 * users, room aliases and room ids the application service claims.
 *
 * A registration's regexes are matched the way Synapse matches them: anchored at
 * the start only (Python's `re.match`), so `@_irc_.*` claims `@_irc_bob:example.org`
 * and an unanchored `_irc_.*` claims nothing, since no user id starts with `_`.
 * Generated registrations anchor both ends (`^…$`), which means the same everywhere.
 */
import type { AppserviceNamespace, AppserviceRegistration } from './registration.js';

/** A namespace entry with its regex compiled. */
interface CompiledNamespace {
  readonly regex: RegExp;
  readonly exclusive: boolean;
}

/**
 * Compiles one namespace regex with Synapse's semantics: anchored at the start only.
 * The few Python-only spellings that registration files use are translated
 * (`(?P<name>…)`, `(?P=name)`, `\A`, `\Z`, leading flags such as `(?i)`); anything JavaScript cannot
 * read throws a `SyntaxError`.
 *
 * @example
 * ```ts
 * compileNamespaceRegex('@_irc_.*:example\\.org').test('@_irc_bob:example.org'); // true
 * compileNamespaceRegex('@_irc_.*').test('@bob_irc_:example.org'); // false: anchored at the start
 * ```
 */
export function compileNamespaceRegex(source: string): RegExp {
  let flags = '';
  let body = source;
  const inline = /^\(\?([aiLmsux]+)\)/.exec(body);
  if (inline) {
    const unsupported = inline[1]!.replace(/[imsau]/g, '');
    if (unsupported !== '') throw new SyntaxError(`the inline flags (?${inline[1]}) have no JavaScript equivalent`);
    // i, m and s mean the same in both; u and a only change what \w matches beyond ASCII.
    flags = [...new Set(inline[1]!.replace(/[au]/g, ''))].join('');
    body = body.slice(inline[0].length);
  }
  body = body
    .replace(/\(\?P</g, '(?<')
    .replace(/\(\?P=(\w+)\)/g, '\\k<$1>')
    .replace(/(^|[^\\])((?:\\\\)*)\\A/g, '$1$2^')
    .replace(/(^|[^\\])((?:\\\\)*)\\Z/g, '$1$2$');
  // Without the `u` flag, as Python accepts identity escapes such as `\#` and `\@`.
  return new RegExp(`^(?:${body})`, flags);
}

function compileAll(entries: readonly AppserviceNamespace[] | undefined): CompiledNamespace[] {
  return (entries ?? []).map((entry) => ({ regex: compileNamespaceRegex(entry.regex), exclusive: entry.exclusive }));
}

function firstMatch(namespaces: readonly CompiledNamespace[], value: string): CompiledNamespace | undefined {
  return namespaces.find((namespace) => namespace.regex.test(value));
}

/**
 * The user, alias and room namespaces of a registration, compiled once. The
 * application service's own user (`@sender_localpart:serverName`) always belongs
 * to it, exclusively, whatever the user namespaces say.
 *
 * @example
 * ```ts
 * const namespaces = new NamespaceMatcher(registration, 'example.org');
 * namespaces.isUserInNamespace('@_irc_bob:example.org'); // true
 * namespaces.isAliasInNamespace('#_irc_chat:example.org');
 * ```
 */
export class NamespaceMatcher {
  /** The application service's own user id, `@sender_localpart:serverName`. */
  readonly botUserId: string;
  readonly #users: CompiledNamespace[];
  readonly #aliases: CompiledNamespace[];
  readonly #rooms: CompiledNamespace[];

  /**
   * @param registration The registration whose namespaces to compile (validated or not:
   *   a regex JavaScript cannot read throws a `SyntaxError` here).
   * @param serverName The homeserver's `server_name`.
   */
  constructor(registration: Pick<AppserviceRegistration, 'sender_localpart' | 'namespaces'>, serverName: string) {
    this.botUserId = `@${registration.sender_localpart}:${serverName}`;
    this.#users = compileAll(registration.namespaces.users);
    this.#aliases = compileAll(registration.namespaces.aliases);
    this.#rooms = compileAll(registration.namespaces.rooms);
  }

  /**
   * Whether a user id belongs to the application service: its own user, or one
   * matched by a user namespace, exclusive or not.
   *
   * @example
   * ```ts
   * if (!namespaces.isUserInNamespace(userId)) throw new Error('not one of ours');
   * ```
   */
  isUserInNamespace(userId: string): boolean {
    return userId === this.botUserId || firstMatch(this.#users, userId) !== undefined;
  }

  /**
   * Whether a user id is claimed exclusively (its own user, or the first user
   * namespace that matches is exclusive), so no one else may register it.
   *
   * @example
   * ```ts
   * namespaces.isUserExclusive('@_irc_bob:example.org'); // true with an exclusive `^@_irc_.*` namespace
   * ```
   */
  isUserExclusive(userId: string): boolean {
    return userId === this.botUserId || firstMatch(this.#users, userId)?.exclusive === true;
  }

  /**
   * Whether a room alias is matched by an alias namespace.
   *
   * @example
   * ```ts
   * namespaces.isAliasInNamespace('#_irc_chat:example.org');
   * ```
   */
  isAliasInNamespace(alias: string): boolean {
    return firstMatch(this.#aliases, alias) !== undefined;
  }

  /**
   * Whether a room id is matched by a room namespace.
   *
   * @example
   * ```ts
   * namespaces.isRoomInNamespace('!abc:example.org');
   * ```
   */
  isRoomInNamespace(roomId: string): boolean {
    return firstMatch(this.#rooms, roomId) !== undefined;
  }
}
