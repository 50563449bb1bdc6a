import type { QueryValue } from './types.js';

/**
 * Serialises query parameters the Matrix way: `undefined`/`null` left out, arrays
 * repeat the key (`via=a&via=b`), objects are sent as JSON text (`filter`),
 * booleans as `true`/`false`. Returns the text without the leading `?`.
 */
export function serializeQuery(query: Readonly<Record<string, QueryValue>> | undefined): string {
  if (query === undefined) return '';
  const parts: string[] = [];
  for (const key of Object.keys(query)) {
    const value = query[key];
    if (value === undefined || value === null) continue;
    const k = encodeURIComponent(key);
    if (Array.isArray(value)) {
      for (const item of value as readonly (string | number | boolean)[]) {
        parts.push(`${k}=${encodeURIComponent(String(item))}`);
      }
    } else if (typeof value === 'object') {
      parts.push(`${k}=${encodeURIComponent(JSON.stringify(value))}`);
    } else {
      parts.push(`${k}=${encodeURIComponent(String(value))}`);
    }
  }
  return parts.join('&');
}

/** Joins a base URL (trailing slashes tolerated), an encoded path and a query string. */
export function buildUrl(baseUrl: string, path: string, query: string): string {
  let base = baseUrl;
  while (base.endsWith('/')) base = base.slice(0, -1);
  const sep = path.startsWith('/') ? '' : '/';
  if (query === '') return `${base}${sep}${path}`;
  return `${base}${sep}${path}${path.includes('?') ? '&' : '?'}${query}`;
}
