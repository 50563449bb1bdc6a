import type { QueryValue } from './types.js';

/**
 * Serialises query parameters the Matrix way: `undefined`/`null` left out, arrays
 * repeat the key (`via=a&via=b`), objects are sent as JSON text (`filter`),
 * booleans as `true`/`false`. Returns the text without the leading `?`. A key or
 * value that is not well-formed text (a lone surrogate) is a `TypeError` naming the key.
 */
export function serializeQuery(query: Readonly<Record<string, QueryValue>> | undefined): string {
  if (query === undefined) return '';
  const parts: string[] = [];
  for (const key of Object.keys(query)) {
    const value = query[key];
    if (value === undefined || value === null) continue;
    const k = encodeQueryText(key, key);
    if (Array.isArray(value)) {
      for (const item of value as readonly (string | number | boolean)[]) {
        parts.push(`${k}=${encodeQueryText(String(item), key)}`);
      }
    } else if (typeof value === 'object') {
      parts.push(`${k}=${encodeQueryText(JSON.stringify(value), key)}`);
    } else {
      parts.push(`${k}=${encodeQueryText(String(value), key)}`);
    }
  }
  return parts.join('&');
}

/** `encodeURIComponent`, with a caller's mistake (a lone surrogate) told as such. */
function encodeQueryText(text: string, key: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    throw new TypeError(`The query parameter ${JSON.stringify(key.slice(0, 100))} is not well-formed text (it holds a lone surrogate) and cannot be sent in a URL`);
  }
}

/** Joins a base URL (trailing slashes tolerated), an encoded path and a query string. */
export function buildUrl(baseUrl: string, path: string, query: string): string {
  let base = baseUrl;
  while (base.endsWith('/')) base = base.slice(0, -1);
  const sep = path.startsWith('/') ? '' : '/';
  if (query === '') return `${base}${sep}${path}`;
  return `${base}${sep}${path}${path.includes('?') ? '&' : '?'}${query}`;
}
