/**
 * How query parameters are serialised, read from the spec: OpenAPI's default
 * for a query parameter is `style: form` with `explode: true`, which sends an
 * object's keys as parameters of their own (`?network=irc&channel=%23matrix`
 * for `fields`). The route table lists those parameters; every other object
 * value (a `filter`) is sent as JSON text.
 */
import { isObject, type JsonObject } from './load.js';

/** The query parameters of an operation whose object values are sent exploded (form style), in spec order. */
export function explodedQueryParams(operation: JsonObject): string[] {
  const parameters = Array.isArray(operation.parameters) ? operation.parameters : [];
  const out: string[] = [];
  for (const p of parameters) {
    if (!isObject(p) || p.in !== 'query' || typeof p.name !== 'string') continue;
    const schema = isObject(p.schema) ? p.schema : {};
    const style = typeof p.style === 'string' ? p.style : 'form';
    const explode = typeof p.explode === 'boolean' ? p.explode : style === 'form';
    if (schema.type === 'object' && style === 'form' && explode) out.push(p.name);
    else if (schema.type === 'object' && style !== 'form') {
      throw new Error(`query parameter ${p.name} has style ${style}, which the runtime does not serialise: add it to codegen/query-style.ts`);
    }
  }
  return out;
}
