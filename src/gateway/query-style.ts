/**
 * Query serialisation by the spec's style for each parameter, as the route
 * table carries it: a parameter listed in `explode` (OpenAPI's default form
 * style for an object) sends each key of its object as a query parameter of
 * its own; every other object value (`filter`) goes as JSON text, as the
 * transport serialises it.
 */
import type { RouteInfo } from '../../generated/routes.js';
import type { QueryValue } from '../transport/types.js';

/**
 * The query with the route's exploded parameters spread into their keys, or
 * the query as it was when the route has none. A key of an exploded object
 * never replaces a parameter the call names itself.
 *
 * @example
 * ```ts
 * explodeQuery({ explode: ['fields'] } as RouteInfo, { fields: { network: 'irc', channel: '#matrix' } });
 * // { network: 'irc', channel: '#matrix' }
 * ```
 */
export function explodeQuery(
  info: Pick<RouteInfo, 'explode'>,
  query: Record<string, QueryValue> | undefined,
): Record<string, QueryValue> | undefined {
  const exploded = info.explode;
  if (exploded === undefined || query === undefined) return query;
  let out: Record<string, QueryValue> | undefined;
  for (const name of exploded) {
    const value = query[name];
    if (value === undefined || value === null || typeof value !== 'object' || Array.isArray(value)) continue;
    out ??= { ...query };
    delete out[name];
    for (const key of Object.keys(value)) {
      if (Object.hasOwn(query, key)) continue;
      const item = (value as Record<string, unknown>)[key];
      if (item === undefined || item === null) continue;
      // Form style: a nested object has no defined form, so it goes as JSON text like any other object value.
      // Defined, not assigned: a `__proto__` key stays a plain parameter.
      Object.defineProperty(out, key, { value: item as QueryValue, enumerable: true, writable: true, configurable: true });
    }
  }
  return out ?? query;
}
