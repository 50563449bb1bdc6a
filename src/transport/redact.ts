import type { TransportRequest } from './types.js';

/** Query parameters whose values are credentials and never shown. */
export const SECRET_QUERY_PARAMS: ReadonlySet<string> = new Set([
  'access_token',
  'refresh_token',
  'login_token',
  'token',
  'as_token',
  'hs_token',
  'password',
]);

/** The text that replaces a credential. */
export const REDACTED = '<redacted>';

/** A URL with the values of credential query parameters replaced by `<redacted>`. */
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
      return SECRET_QUERY_PARAMS.has(key) ? `${rawKey}=${REDACTED}` : pair;
    })
    .join('&');
  return `${url.slice(0, q + 1)}${redacted}${hashAt < 0 ? '' : url.slice(hashAt)}`;
}

/**
 * A function that replaces every occurrence of the given secrets (and their
 * percent-encoded forms) in a text by `<redacted>`: a last line of defence for
 * text that reaches errors and logs.
 */
export function createScrubber(secrets: readonly (string | undefined)[]): (text: string) => string {
  const needles = new Set<string>();
  for (const secret of secrets) {
    if (secret === undefined || secret.length < 4) continue;
    needles.add(secret);
    needles.add(encodeURIComponent(secret));
    needles.add(JSON.stringify(secret).slice(1, -1));
  }
  if (needles.size === 0) return (text) => text;
  const list = [...needles];
  return (text) => {
    let out = text;
    for (const needle of list) {
      if (out.includes(needle)) out = out.split(needle).join(REDACTED);
    }
    return out;
  };
}

/** JSON body fields whose values are credentials (`password`, `new_password`, `refresh_token`, `token`, …). */
const SECRET_BODY_KEY = /password|token|secret/i;

/** A copy of a JSON value with credential fields replaced, or the value itself when it holds none. */
function redactBody(value: unknown, depth = 0): unknown {
  if (depth > 8 || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const items = value.map((item) => redactBody(item, depth + 1));
    return items.some((item, i) => item !== value[i]) ? items : value;
  }
  let changed = false;
  const entries = Object.entries(value).map(([key, item]) => {
    const next = SECRET_BODY_KEY.test(key) && typeof item === 'string' ? REDACTED : redactBody(item, depth + 1);
    if (next !== item) changed = true;
    return [key, next] as const;
  });
  return changed ? Object.fromEntries(entries) : value;
}

/**
 * The request as hooks may see it: the same object when it holds no credential,
 * else a shallow copy with credential query parameters, JSON body fields (login
 * passwords, refresh tokens) and any `Authorization` header replaced by `<redacted>`.
 */
export function redactRequest(request: TransportRequest): TransportRequest {
  const query = request.query;
  const headers = request.options?.headers;
  const secretQuery = query !== undefined && Object.keys(query).some((key) => SECRET_QUERY_PARAMS.has(key));
  const secretHeader = headers !== undefined && Object.keys(headers).some((key) => key.toLowerCase() === 'authorization');
  const body = request.bodyKind === 'json' ? redactBody(request.body) : request.body;
  if (!secretQuery && !secretHeader && body === request.body) return request;
  const copy: TransportRequest = { ...request, body };
  if (secretQuery) {
    copy.query = Object.fromEntries(
      Object.entries(query).map(([key, value]) => [key, SECRET_QUERY_PARAMS.has(key) ? REDACTED : value]),
    );
  }
  if (secretHeader && request.options !== undefined) {
    copy.options = {
      ...request.options,
      headers: Object.fromEntries(
        Object.entries(headers).map(([key, value]) => [key, key.toLowerCase() === 'authorization' ? REDACTED : value]),
      ),
    };
  }
  return copy;
}
