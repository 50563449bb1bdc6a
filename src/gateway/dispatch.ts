/**
 * Turns a resolved chain call into a transport request: fills an auto
 * parameter, encodes the path, reads the verb's arguments by the route's shape.
 * Each route is looked up and its path template split once, on its first call.
 * A caller's mistake in a verb's arguments (a `.` path value, a body that is not
 * a plain object, a lone surrogate) is a rejected promise, never a synchronous throw.
 */
import { defaultPathSerializer } from 'openapi-fetch';
import { ROUTES, type RouteInfo } from '../../generated/routes.js';
import { CHAIN_TREES, type ChainNode } from '../../generated/tree.js';
import { InvalidEndpointError } from '../errors/invalid-endpoint-error.js';
import { isRecord } from '../is-record.js';
import type { QueryValue, RequestOptions, Transport, TransportRequest } from '../transport/types.js';
import type { Dispatch, RouteCall } from './proxy.js';
import { routeRedirectMode } from './redirect-mode.js';
import { explodeQuery } from './query-style.js';
import type { ValidationHook } from '../validation/types.js';

const TO_DEVICE_ROUTE = 'PUT /_matrix/client/v3/sendToDevice/{eventType}/{txnId}';

/** The routes whose body is event content (to-device: a map of contents), with the parameter that names its type. */
const CONTENT_ROUTES: { readonly [route: string]: string } = Object.freeze({
  'PUT /_matrix/client/v3/rooms/{roomId}/send/{eventType}/{txnId}': 'eventType',
  'PUT /_matrix/client/v3/rooms/{roomId}/state/{eventType}/{stateKey}': 'eventType',
  'PUT /_matrix/client/v3/user/{userId}/account_data/{type}': 'type',
  'PUT /_matrix/client/v3/user/{userId}/rooms/{roomId}/account_data/{type}': 'type',
  [TO_DEVICE_ROUTE]: 'eventType',
});

/**
 * Checks the content a call is about to send, by the event type its path names:
 * throws (under the `throw` policy) before any request is made. To-device
 * messages are checked one by one (`messages[user][device]`).
 */
function checkContent(hook: ValidationHook, info: RouteInfo, route: string, values: readonly string[], body: unknown): void {
  const param = CONTENT_ROUTES[route];
  if (param === undefined) return;
  const type = values[info.params.indexOf(param)];
  if (type === undefined) return;
  const { validate, warn, scrub } = hook;
  if (route !== TO_DEVICE_ROUTE) {
    validate.checkOutgoing(type, body ?? {}, route, warn, undefined, scrub);
    return;
  }
  const messages = isRecord(body) ? body.messages : undefined;
  if (!isRecord(messages)) return;
  for (const user of Object.keys(messages)) {
    const devices = messages[user];
    if (!isRecord(devices)) continue;
    for (const device of Object.keys(devices)) {
      validate.checkOutgoing(type, devices[device], route, warn, `messages[${boundedKey(user)}][${boundedKey(device)}]`, scrub);
    }
  }
}

/** A map key quoted for an issue path, bounded. */
function boundedKey(key: string): string {
  return JSON.stringify(key.length > 32 ? `${key.slice(0, 32)}…` : key);
}

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

/** Random bytes drawn in one go and handed out eight at a time: one `getRandomValues` per 32 ids. */
const POOL_SIZE = 256;
let pool: Uint8Array | undefined;
let poolAt = POOL_SIZE;
/** The two hex digits of each byte value, made with the pool. */
let hexOf: readonly string[] = [];

/**
 * A transaction id: unique per call, reused by every retry of that call.
 * `getRandomValues` works in every runtime, insecure (http) pages included.
 */
export function newTransactionId(): string {
  if (pool === undefined || poolAt + 8 > POOL_SIZE) {
    if (pool === undefined) hexOf = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));
    pool = globalThis.crypto.getRandomValues(pool ?? new Uint8Array(POOL_SIZE));
    poolAt = 0;
  }
  let hex = '';
  for (const end = poolAt + 8; poolAt < end; poolAt++) hex += hexOf[pool[poolAt]!]!;
  return `mf.${timeText()}.${hex}`;
}

let lastTime = 0;
let lastTimeText = '0';

/** `Date.now()` in base 36, converted once per millisecond (the conversion costs more than the clock). */
function timeText(): string {
  const now = Date.now();
  if (now !== lastTime) {
    lastTime = now;
    lastTimeText = now.toString(36);
  }
  return lastTimeText;
}

/** Binds the path values to the route's parameters, filling an auto parameter when it was left out. */
export function bindParams(info: RouteInfo, route: string, values: readonly string[]): readonly string[] {
  if (values.length === info.params.length) return values;
  if (values.length === info.params.length - 1 && info.autoParam !== null) return [...values, newTransactionId()];
  const missing = info.params.slice(values.length).map((p) => `{${p}}`).join(', ');
  throw new InvalidEndpointError(`Missing path parameter ${missing} for ${route}`, route, info.params.map((p) => `{${p}}`));
}

/** The route's path with every parameter percent-encoded; throws on a value no URL can carry. */
export function encodePath(info: RouteInfo, values: readonly string[]): string {
  for (let i = 0; i < info.params.length; i++) {
    const value = values[i]!;
    // URL parsers remove `.` and `..` path segments (encoded or not): such a value would
    // silently address another resource, so it is refused.
    if (value === '.' || value === '..') {
      throw new InvalidEndpointError(
        `The value ${JSON.stringify(value)} of {${info.params[i]!}} cannot be sent as a URL path segment (it would be removed as a dot segment): ${info.method} ${info.path}`,
        `${info.method} ${info.path}`,
        [],
      );
    }
  }
  // openapi-fetch's serializer encodes each value (simple style: encodeURIComponent).
  const params: Record<string, string> = {};
  for (let i = 0; i < info.params.length; i++) params[info.params[i]!] = values[i]!;
  try {
    return defaultPathSerializer(info.path, params);
  } catch {
    // encodeURIComponent refuses a lone surrogate (text cut inside a character pair).
    const at = values.findIndex((value) => !isWellFormed(value));
    const name = at < 0 ? 'a path parameter' : `{${info.params[at]!}}`;
    throw new InvalidEndpointError(
      `The value of ${name} is not well-formed text (it holds a lone surrogate) and cannot be sent in a URL: ${info.method} ${info.path}`,
      `${info.method} ${info.path}`,
      [],
    );
  }
}

/** Whether a string holds no lone surrogate. */
function isWellFormed(value: string): boolean {
  try {
    encodeURIComponent(value);
    return true;
  } catch {
    return false;
  }
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

/** What a value is, in words, for an error message. */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value !== 'object') return typeof value;
  const name = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor?.name;
  return typeof name === 'string' && name !== '' ? `a ${name}` : 'an object';
}

/** A plain object: made by `{}`, `Object.create(null)` or `JSON.parse`, in any realm. */
function isPlainObject(value: unknown): boolean {
  if (!isRecord(value)) return false;
  const proto = Object.getPrototypeOf(value) as object | null;
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/**
 * Reads a JSON call's arguments: `(body, options)`, `(query, options)` or `(options)`.
 * A body is a plain object or left out (then `{}` for POST and PUT); `null`, an
 * array or any other value is refused with a `TypeError`.
 */
export function readJsonArgs(info: RouteInfo, route: string, args: readonly unknown[]): { body: unknown; query: Record<string, QueryValue> | undefined; options: CallOptions | undefined } {
  const options = objectArgument(optionsArgument(info, args), 'options', route) as CallOptions | undefined;
  if (info.body !== 'none') {
    const given = args[0];
    if (given !== undefined && !isPlainObject(given)) {
      throw new TypeError(`${route}: the request body must be a plain JSON object or left out, got ${kindOf(given)}`);
    }
    const body = given ?? (info.method === 'GET' || info.method === 'DELETE' ? undefined : {});
    return { body, query: options?.query, options };
  }
  if (info.query) {
    return { body: undefined, query: objectArgument(args[0], 'query', route) as Record<string, QueryValue> | undefined, options };
  }
  return { body: undefined, query: undefined, options };
}

/** Builds the transport request of a JSON call. The caller's options go as they are, less a `query` of theirs. */
export function jsonRequest(info: RouteInfo, route: string, path: string, args: readonly unknown[]): TransportRequest {
  const { body, query: given, options } = readJsonArgs(info, route, args);
  const query = explodeQuery(info, given);
  const request: TransportRequest = {
    method: info.method,
    route,
    path,
    bodyKind: body === undefined ? 'none' : 'json',
    responseKind: 'json',
    answer: info.answer,
    safeToRetry: info.safe,
    authenticated: info.auth !== 'none',
  };
  if (body !== undefined) request.body = body;
  if (query !== undefined) request.query = query;
  const redirect = routeRedirectMode(info);
  if (redirect !== undefined) request.redirect = redirect;
  if (options !== undefined) {
    if (Object.hasOwn(options, 'query')) {
      const { query: _query, ...rest } = options;
      request.options = rest;
    } else {
      request.options = options;
    }
  }
  return request;
}

/**
 * The dispatcher the chain proxies call: JSON routes here, byte routes to the
 * media gateway. Each route is prepared on its first call and kept. With a
 * validation, the content of the event-typed PUTs is checked before the request.
 */
export function createDispatch(table: RouteTable, transport: Transport, media: MediaDispatch, validation?: ValidationHook): Dispatch {
  const prepared = new Map<string, RouteCall>();
  const dispatch = (route: string): RouteCall => {
    let call = prepared.get(route);
    if (call === undefined) {
      const info = table.routes[route];
      if (info === undefined) throw new InvalidEndpointError(`No route ${route} in the route table`, route, []);
      const perform: RouteCall = info.body === 'binary' || info.response === 'binary' || info.fallback !== null
        ? (values, args) => media.call(route, values, args)
        : validation !== undefined && Object.hasOwn(CONTENT_ROUTES, route)
          ? (values, args) => {
            const request = jsonRequest(info, route, encodePath(info, bindParams(info, route, values)), args);
            checkContent(validation, info, route, values, request.body);
            return transport.requestJson(request);
          }
          : (values, args) => transport.requestJson(jsonRequest(info, route, encodePath(info, bindParams(info, route, values)), args));
      // Every mistake in a call's arguments is a rejection, so that
      // `Promise.allSettled` and `.catch` see it like any other failure.
      call = (values, args) => {
        try {
          return perform(values, args);
        } catch (error) {
          return Promise.reject(error);
        }
      };
      prepared.set(route, call);
    }
    return call;
  };
  // Chain errors quote path values: they get the transport's scrubbing rule.
  const scrub = transport.scrub === undefined ? undefined : (text: string): string => transport.scrub!(text);
  return Object.assign(dispatch, { scrub });
}
