/**
 * Turns a resolved chain call into a transport request: fills an auto
 * parameter, encodes the path, reads the verb's arguments by the route's shape.
 */
import { defaultPathSerializer } from 'openapi-fetch';
import { ROUTES, type RouteInfo, type RouteKey } from '../../generated/routes.js';
import { CHAIN_TREES, type ChainNode } from '../../generated/tree.js';
import { InvalidEndpointError } from '../errors/invalid-endpoint-error.js';
import type { QueryValue, RequestOptions, Transport, TransportRequest } from '../transport/types.js';
import type { Dispatch } from './proxy.js';

/** The data a gateway runs on: the route rows and the chain trees. */
export interface RouteTable {
  readonly routes: { readonly [route: string]: RouteInfo };
  readonly trees: { readonly api: ChainNode; readonly media: ChainNode; readonly wellKnown: ChainNode };
}

/** The table generated from the pinned spec. */
export const GENERATED_TABLE: RouteTable = { routes: ROUTES, trees: CHAIN_TREES };

/** Handles the routes that move bytes, or that have a legacy fallback. */
export interface MediaDispatch {
  call(route: string, values: readonly string[], args: readonly unknown[]): Promise<unknown>;
}

/**
 * A transaction id: unique per call, reused by every retry of that call.
 * `getRandomValues` works in every runtime, insecure (http) pages included.
 */
export function newTransactionId(): string {
  const random = globalThis.crypto.getRandomValues(new Uint8Array(8));
  let hex = '';
  for (const byte of random) hex += byte.toString(16).padStart(2, '0');
  return `mf.${Date.now().toString(36)}.${hex}`;
}

/** Binds the path values to the route's parameters, filling an auto parameter when it was left out. */
export function bindParams(info: RouteInfo, route: string, values: readonly string[]): string[] {
  if (values.length === info.params.length) return [...values];
  if (values.length === info.params.length - 1 && info.autoParam !== null) return [...values, newTransactionId()];
  const missing = info.params.slice(values.length).map((p) => `{${p}}`).join(', ');
  throw new InvalidEndpointError(`Missing path parameter ${missing} for ${route}`, route, info.params.map((p) => `{${p}}`));
}

/** The route's path with every parameter percent-encoded. */
export function encodePath(info: RouteInfo, values: readonly string[]): string {
  const params: Record<string, string> = Object.create(null) as Record<string, string>;
  info.params.forEach((name, i) => {
    const value = values[i]!;
    // URL parsers remove `.` and `..` path segments (encoded or not): such a value would
    // silently address another resource, so it is refused.
    if (value === '.' || value === '..') {
      throw new InvalidEndpointError(
        `The value ${JSON.stringify(value)} of {${name}} cannot be sent as a URL path segment (it would be removed as a dot segment): ${info.method} ${info.path}`,
        `${info.method} ${info.path}`,
        [],
      );
    }
    params[name] = value;
  });
  return defaultPathSerializer(info.path, params);
}

function objectArgument(value: unknown, what: string, route: string): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError(`${route}: the ${what} must be an object, got ${Array.isArray(value) ? 'an array' : typeof value}`);
  }
  return value as Record<string, unknown>;
}

/** Options the caller passes per call, with the query of a call that has a body. */
export type CallOptions = RequestOptions & { query?: Record<string, QueryValue> };

/** The argument that holds a call's options: the second, or the only one of a call that takes no body and no query. */
export function optionsArgument(info: RouteInfo, args: readonly unknown[]): unknown {
  return info.body === 'none' && !info.query ? args[0] : args[1];
}

/** Reads a JSON call's arguments: `(body, options)`, `(query, options)` or `(options)`. */
export function readJsonArgs(info: RouteInfo, route: string, args: readonly unknown[]): { body: unknown; query: Record<string, QueryValue> | undefined; options: CallOptions | undefined } {
  const options = objectArgument(optionsArgument(info, args), 'options', route) as CallOptions | undefined;
  if (info.body !== 'none') {
    const body = args[0] ?? (info.method === 'GET' || info.method === 'DELETE' ? undefined : {});
    if (body !== undefined && (typeof body !== 'object' || body === null)) {
      throw new TypeError(`${route}: the request body must be a JSON object, got ${body === null ? 'null' : typeof body}`);
    }
    return { body, query: options?.query, options };
  }
  if (info.query) {
    return { body: undefined, query: objectArgument(args[0], 'query', route) as Record<string, QueryValue> | undefined, options };
  }
  return { body: undefined, query: undefined, options };
}

/** Builds the transport request of a JSON call. */
export function jsonRequest(info: RouteInfo, route: string, path: string, args: readonly unknown[]): TransportRequest {
  const { body, query, options } = readJsonArgs(info, route, args);
  const request: TransportRequest = {
    method: info.method,
    route,
    path,
    bodyKind: body === undefined ? 'none' : 'json',
    responseKind: 'json',
    safeToRetry: info.safe,
    authenticated: info.auth !== 'none',
  };
  if (body !== undefined) request.body = body;
  if (query !== undefined) request.query = query;
  if (options !== undefined) {
    const { query: _query, ...rest } = options;
    request.options = rest;
  }
  return request;
}

/** The dispatcher the chain proxies call: JSON routes here, byte routes to the media gateway. */
export function createDispatch(table: RouteTable, transport: Transport, media: MediaDispatch): Dispatch {
  return (route, values, args) => {
    const info = table.routes[route]!;
    if (info.body === 'binary' || info.response === 'binary' || info.fallback !== null) {
      return media.call(route, values, args);
    }
    const path = encodePath(info, bindParams(info, route, values));
    return transport.requestJson(jsonRequest(info, route, path, args));
  };
}
