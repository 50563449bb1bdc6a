/**
 * The one scrubbing rule of the package, for everything an error keeps or a log
 * line or hook state shows: decode (JSON `\uXXXX` escapes), then scrub (fields
 * whose names say they hold a secret, `Bearer` credentials, and the configured
 * tokens in every encoding), then truncate. Truncating last means a secret is
 * never cut into a piece that no longer matches; a text that was cut before it
 * got here (a bounded read) also loses a trailing start of a token, as does an
 * excerpt inside the text that was cut with `…` (the package's bounded quotes).
 */
import type { TransportLogger } from './options.js';
import type { TransportRequest } from './types.js';

/** The text that replaces a credential. */
export const REDACTED = '<redacted>';

/**
 * Whether a field or query parameter name says its value is a credential. The
 * rule, exactly (names compared without regard to case):
 *
 * 1. A name ending in `token`, `password` or `secret` is a credential: `access_token`,
 *    `refresh_token`, `as_token` and `hs_token` (an application service registration),
 *    `token` (an `m.login.token` login, a registration token check), `login_token`,
 *    `registration_token`, `id_access_token`, `password` (`auth.password`),
 *    `new_password`, `client_secret`, `secret`, and the option names `accessToken`,
 *    `asToken`, `hsToken`. A name not listed here that ends the same way is taken
 *    for a credential too: an unknown name fails closed.
 * 2. Except a pagination position: `next`, `prev`, `from`, `to`, `since`, `start`
 *    or `end`, then `token`, at the start of the name or after a `.`, `_` or `-`
 *    (`next_token` of `/notifications`, `prev_token`, `from_token`, `nextToken`).
 *    Such a token is opaque but no credential, and it is what one needs to read
 *    when a paginated call fails.
 * 3. No other name is a credential: the other pagination positions (`next_batch`,
 *    `prev_batch`, `from`, `to`, `since`, `start`, `end`) stay readable, as do
 *    `session`, `token_type` and values such as the login type `m.login.token`.
 *
 * Text is scrubbed by these names wherever a name and its value meet: JSON
 * (`"name": "value"`, also quoted inside a JSON string, and with `\uXXXX`-escaped
 * names), YAML (`name: value`, `name: "value"`, `name: 'value'`, in block or flow
 * style, as an application service registration is written) and query or form
 * text (`name=value`); `redactUrl` and {@link scrubValue} apply the same names to
 * URLs and parsed JSON.
 *
 * @example
 * ```ts
 * isSecretName('refresh_token'); // true
 * isSecretName('next_token'); // false: a pagination position
 * isSecretName('session'); // false
 * ```
 */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name) && !PAGINATION_NAME.test(name);
}

const SECRET_NAME = /(?:token|password|secret)$/i;
const PAGINATION_NAME = /(?:^|[._-])(?:next|prev|from|to|since|start|end)[_-]?token$/i;

/**
 * Scrubs a text by the package's rule. `maxChars` bounds the result (after
 * scrubbing); `cut` says the text was cut short before (a bounded read), so a
 * trailing start of a configured token is removed too.
 *
 * @example
 * ```ts
 * const scrub: Scrub = createScrubber([accessToken]);
 * const excerpt = scrub(bodyText, { maxChars: 1024 });
 * ```
 */
export type Scrub = (text: string, options?: ScrubOptions) => string;

/**
 * Options of a {@link Scrub} call.
 *
 * @example
 * ```ts
 * scrub(prefixOfBody, { cut: true, maxChars: 1024 });
 * ```
 */
export interface ScrubOptions {
  /** Longest result, in UTF-16 code units; longer text is truncated after scrubbing. */
  maxChars?: number;
  /** The text was cut short before it got here: a trailing start of a token is removed. */
  cut?: boolean;
}

/** `\uXXXX` escapes, decoded unless they stand for a quote, a backslash or a control character (which would change the text's structure). */
const UNICODE_ESCAPE = /\\u([0-9a-fA-F]{4})/g;
/** A name that may be a secret's; {@link isSecretName} decides. */
const NAME = String.raw`[\w.-]*(?:token|password|secret)`;
/** `"name": "value"`; the value may be cut short (no closing quote). */
const JSON_SECRET_FIELD = new RegExp(String.raw`("(${NAME})"\s*:\s*")((?:[^"\\]|\\.)*)("?)`, 'gi');
/** The same inside a JSON string (an error text that quotes a body): `\\"name\\": \\"value\\"`. */
const ESCAPED_JSON_SECRET_FIELD = new RegExp(String.raw`(\\"(${NAME})\\"\s*:\s*\\")((?:(?!\\")[^"])*)`, 'gi');
/**
 * YAML `name: value`: the name bare or quoted, at a line start or after a space,
 * `{` or `,` (flow style); the value double-quoted, single-quoted (either may be
 * cut short) or plain, which runs to the first space, quote, backslash, comma or
 * closing bracket (tokens hold none of these).
 */
const YAML_SECRET_FIELD = new RegExp(
  String.raw`((?:^|[\s{,])(['"]?)(${NAME})\2[ \t]*:[ \t]*)("(?:[^"\\\r\n]|\\.)*"?|'(?:[^'\r\n]|'')*'?|[^\s"'\\,{}[\]#][^\s"'\\,}\]]*)`,
  'gim',
);
/** `name=value` in a query or form text. */
const FORM_SECRET_FIELD = new RegExp(String.raw`((?:^|[?&;\s])(${NAME})=)([^&;\s"'#<>]+)`, 'gi');
/** An HTTP credential: `Bearer <token>`. */
const BEARER = /(\bBearer\s+)([^\s"',;<>]+)/gi;
/** Shortest trailing start of a token that is removed from a text cut short. */
const MIN_TAIL = 4;

function decodeEscapes(text: string): string {
  if (!text.includes('\\u')) return text;
  return text.replace(UNICODE_ESCAPE, (escape, hex: string) => {
    const code = Number.parseInt(hex, 16);
    return code < 0x20 || code === 0x22 || code === 0x5c ? escape : String.fromCharCode(code);
  });
}

function truncate(text: string, maxChars: number | undefined): string {
  if (maxChars === undefined || text.length <= maxChars) return text;
  let end = Math.max(0, maxChars);
  // Never leave half of a surrogate pair, nor part of a redaction mark.
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  const mark = text.lastIndexOf('<', end);
  if (mark >= 0 && mark > end - REDACTED.length && text.startsWith(REDACTED, mark)) end = mark;
  return text.slice(0, end);
}

/**
 * Makes the {@link Scrub} of a transport: the configured tokens are replaced
 * wherever they appear, each character raw, percent-encoded or JSON-escaped.
 *
 * @example
 * ```ts
 * const scrub = createScrubber([accessToken]);
 * scrub('{"error":"bad \\u0073yt_abc","refresh_token":"r1"}'); // '{"error":"bad <redacted>","refresh_token":"<redacted>"}' (for accessToken 'syt_abc')
 * scrub(longText, { maxChars: 1024 });
 * ```
 */
export function createScrubber(secrets: readonly (string | undefined)[]): Scrub {
  const usable = [...new Set(secrets.filter((secret): secret is string => secret !== undefined && secret.length >= MIN_TAIL))]
    // Longest first, so that a token never leaves part of a longer one behind.
    .sort((a, b) => b.length - a.length);
  const pattern = usable.length === 0 ? undefined : new RegExp(usable.map(anyEncoding).join('|'), 'g');
  return (input, options) => {
    let out = decodeEscapes(input);
    out = out.replace(YAML_SECRET_FIELD, (m, head: string, _quote: string, name: string, value: string) => (isSecretName(name) ? `${head}${yamlRedacted(value)}` : m));
    out = out.replace(JSON_SECRET_FIELD, (m, head: string, name: string, _value: string, close: string) => (isSecretName(name) ? `${head}${REDACTED}${close}` : m));
    out = out.replace(ESCAPED_JSON_SECRET_FIELD, (m, head: string, name: string, value: string) => (value === '' || !isSecretName(name) ? m : `${head}${REDACTED}`));
    out = out.replace(FORM_SECRET_FIELD, (m, head: string, name: string) => (isSecretName(name) ? `${head}${REDACTED}` : m));
    out = out.replace(BEARER, `$1${REDACTED}`);
    if (pattern !== undefined) out = out.replace(pattern, REDACTED);
    // An excerpt cut with `…` (the package's bounded quotes) may end in the start of a token.
    if (usable.length > 0 && out.includes(CUT_MARK)) out = dropCutTokens(out, usable);
    if (options?.cut === true) out = dropTokenTail(out, usable);
    return truncate(out, options?.maxChars);
  };
}

/** A YAML value replaced by the mark, its quotes kept (a quote the cut left open stays open). */
function yamlRedacted(value: string): string {
  const quote = value[0];
  if (quote !== '"' && quote !== "'") return REDACTED;
  const closed = value.length > 1 && value.endsWith(quote);
  return `${quote}${REDACTED}${closed ? quote : ''}`;
}

/**
 * A pattern that matches a secret whatever the encoding of each of its
 * characters: as itself, percent-encoded (either hex case), or JSON-escaped.
 * (`\uXXXX` escapes are decoded before matching.)
 */
function anyEncoding(secret: string): string {
  let out = '';
  for (const char of secret) {
    const code = char.codePointAt(0)!;
    const forms = [char.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')];
    if (code < 0x80) {
      const hex = code.toString(16).padStart(2, '0');
      forms.push(`%${caseless(hex)}`);
      // The JSON escapes of a quote, a backslash and a slash.
      if (char === '"') forms.push('\\\\"');
      else if (char === '\\') forms.push('\\\\\\\\');
      else if (char === '/') forms.push('\\\\/');
    } else {
      forms.push(encodeURIComponent(char).replace(/[0-9A-F]{2}/g, caseless));
    }
    out += `(?:${forms.join('|')})`;
  }
  return out;
}

function caseless(hex: string): string {
  return [...hex].map((c) => (/[a-f]/i.test(c) ? `[${c.toLowerCase()}${c.toUpperCase()}]` : c)).join('');
}

/** The mark the package's bounded excerpts end with when they cut a value. */
const CUT_MARK = '…';

/** Replaces a start of one of `needles` (at least {@link MIN_TAIL} characters) that ends right before a {@link CUT_MARK}. */
function dropCutTokens(text: string, needles: readonly string[]): string {
  let out = '';
  let from = 0;
  for (let mark = text.indexOf(CUT_MARK); mark >= 0; mark = text.indexOf(CUT_MARK, mark + 1)) {
    const before = dropTokenTail(text.slice(from, mark), needles);
    out += before + CUT_MARK;
    from = mark + CUT_MARK.length;
  }
  return out + text.slice(from);
}

/** Removes a trailing start of one of `needles` (the text was cut inside a token). */
function dropTokenTail(text: string, needles: readonly string[]): string {
  for (const needle of needles) {
    for (let k = Math.min(needle.length - 1, text.length); k >= MIN_TAIL; k--) {
      if (text.endsWith(needle.slice(0, k))) return text.slice(0, text.length - k) + REDACTED;
    }
  }
  return text;
}

/**
 * A copy of a JSON value with the fields whose names say secret replaced by
 * `<redacted>` and every string scrubbed; the value itself when nothing changed.
 * Keys are copied as data (`__proto__` included) and never reach a prototype.
 *
 * @example
 * ```ts
 * scrubValue({ session: 's', auth: { password: 'p' } }, scrub); // { session: 's', auth: { password: '<redacted>' } }
 * ```
 */
export function scrubValue(value: unknown, scrub: Scrub, depth = 0): unknown {
  if (typeof value === 'string') return scrub(value);
  if (typeof value !== 'object' || value === null) return value;
  if (depth > 32) return REDACTED;
  if (Array.isArray(value)) {
    const items = value.map((item) => scrubValue(item, scrub, depth + 1));
    return items.some((item, i) => item !== value[i]) ? items : value;
  }
  let changed = false;
  const entries = Object.keys(value).map((key) => {
    const item = (value as Record<string, unknown>)[key];
    const next = isSecretName(key) && item !== null && item !== undefined ? REDACTED : scrubValue(item, scrub, depth + 1);
    if (next !== item) changed = true;
    return [key, next] as const;
  });
  if (!changed) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of entries) Object.defineProperty(copy, key, { value: item, enumerable: true, writable: true, configurable: true });
  return copy;
}

/**
 * What an error keeps as its `cause` in place of an underlying error: a plain
 * `Error` with the same name and `code`, whose message is the scrubbed chain of
 * messages. The original (a `SyntaxError` that quotes a body, a socket error
 * holding request details) is never kept.
 *
 * @example
 * ```ts
 * throw new NetworkError(description, method, path, { cause: scrubbedCause(error, scrub) });
 * ```
 */
export function scrubbedCause(error: unknown, scrub: Scrub): Error {
  const safe = new Error(describeError(error, scrub));
  if (error instanceof Error) {
    safe.name = scrub(error.name, { maxChars: 64 });
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') Object.defineProperty(safe, 'code', { value: scrub(code, { maxChars: 64 }), enumerable: true });
  }
  return safe;
}

/**
 * A one-line description of an error and its causes (`message [code]: cause`), scrubbed and bounded.
 *
 * @example
 * ```ts
 * describeError(new TypeError('fetch failed', { cause: new Error('ECONNRESET') }), scrub); // 'fetch failed: ECONNRESET'
 * ```
 */
export function describeError(error: unknown, scrub: Scrub): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 3 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    parts.push(typeof code === 'string' ? `${current.message} [${code}]` : current.message);
    current = current.cause;
  }
  return scrub(parts.length === 0 ? String(error) : parts.join(': '), { maxChars: 512 });
}

/**
 * A URL with the values of credential query parameters replaced by `<redacted>`.
 *
 * @example
 * ```ts
 * redactUrl('https://h/p?dir=b&access_token=abc'); // 'https://h/p?dir=b&access_token=<redacted>'
 * ```
 */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const hashAt = url.indexOf('#', q);
  const query = url.slice(q + 1, hashAt < 0 ? undefined : hashAt);
  const redacted = query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawKey = eq < 0 ? pair : pair.slice(0, eq);
      let key = rawKey;
      try {
        key = decodeURIComponent(rawKey.replace(/\+/g, ' '));
      } catch {
        // keep it as sent
      }
      return isSecretName(key) ? `${rawKey}=${REDACTED}` : pair;
    })
    .join('&');
  return `${url.slice(0, q + 1)}${redacted}${hashAt < 0 ? '' : url.slice(hashAt)}`;
}

/**
 * The request as hooks may see it: the same object when it holds no credential,
 * else a shallow copy with credential query parameters, JSON body fields (login
 * passwords, refresh tokens), the configured tokens wherever they appear, and
 * any `Authorization` header replaced by `<redacted>`.
 *
 * @example
 * ```ts
 * redactRequest(request, scrub).body; // { type: 'm.login.password', password: '<redacted>', ... }
 * ```
 */
export function redactRequest(request: TransportRequest, scrub: Scrub): TransportRequest {
  const query = request.query === undefined ? undefined : (scrubValue(request.query, scrub) as TransportRequest['query']);
  const headers = request.options?.headers;
  let shownHeaders = headers === undefined ? undefined : (scrubValue(headers, scrub) as Record<string, string>);
  if (shownHeaders !== undefined && Object.keys(shownHeaders).some((key) => key.toLowerCase() === 'authorization')) {
    shownHeaders = Object.fromEntries(
      Object.entries(shownHeaders).map(([key, value]) => [key, key.toLowerCase() === 'authorization' ? REDACTED : value]),
    );
  }
  const body = request.bodyKind === 'json' ? scrubValue(request.body, scrub) : request.body;
  const path = scrub(request.path);
  const route = scrub(request.route);
  if (query === request.query && shownHeaders === headers && body === request.body && path === request.path && route === request.route) return request;
  const copy: TransportRequest = { ...request, body, path, route };
  if (query !== undefined) copy.query = query;
  if (shownHeaders !== headers && request.options !== undefined) copy.options = { ...request.options, headers: shownHeaders as Record<string, string> };
  return copy;
}

/**
 * The logger the transport writes to: the caller's, with every message and
 * context value scrubbed on the way, at every level.
 *
 * @example
 * ```ts
 * const logger = scrubbingLogger(options.logger ?? WARN_LOGGER, scrub);
 * logger.warn(`Retrying ${method} ${url}`);
 * ```
 */
export function scrubbingLogger(logger: TransportLogger, scrub: Scrub): TransportLogger {
  const level =
    (write: TransportLogger['debug']) =>
    (message: string, context?: Record<string, unknown>): void => {
      if (context === undefined) write(scrub(message));
      else write(scrub(message), scrubValue(context, scrub) as Record<string, unknown>);
    };
  return Object.freeze({
    debug: level(logger.debug.bind(logger)),
    info: level(logger.info.bind(logger)),
    warn: level(logger.warn.bind(logger)),
    error: level(logger.error.bind(logger)),
  });
}
