/**
 * The raw escape hatch: a request to a path the route table does not hold (an
 * unstable MSC endpoint, a server's own API), built as a transport request, so it
 * goes through the same transport as every chain call: auth, retries, limits,
 * hooks, errors. Path values are always percent-encoded.
 */
import { InvalidEndpointError } from '../errors/invalid-endpoint-error.js';
import type { HttpMethod, QueryValue, RequestOptions, TransportRequest } from '../transport/types.js';

const PATH_BRAND: unique symbol = Symbol.for('matrix-fluent.path') as never;

/**
 * A request path whose values are percent-encoded, made by {@link matrixPath}:
 * `path` as sent, `template` with `{0}`, `{1}`… where the values went.
 *
 * @example
 * ```ts
 * const { path, template } = matrixPath`/_matrix/client/v3/rooms/${'!r:x'}/state`;
 * // path: '/_matrix/client/v3/rooms/!r%3Ax/state', template: '/_matrix/client/v3/rooms/{0}/state'
 * ```
 */
export interface MatrixPath {
  readonly path: string;
  readonly template: string;
  readonly [PATH_BRAND]: true;
}

/**
 * A path for `client.request`: a {@link matrixPath} template, or its segments (each encoded).
 *
 * @example
 * ```ts
 * const byTemplate: RawPath = matrixPath`/_matrix/client/v3/rooms/${roomId}/joined_members`;
 * const bySegments: RawPath = ['_matrix', 'client', 'v3', 'rooms', roomId, 'joined_members'];
 * ```
 */
export type RawPath = MatrixPath | readonly string[];

/**
 * Options of `client.request`: the query, a JSON body, and the per-request options.
 *
 * @example
 * ```ts
 * const options: RawRequestOptions = { query: { limit: 10 }, body: { enabled: true }, timeout: 5_000 };
 * ```
 */
export interface RawRequestOptions extends RequestOptions {
  /** Query parameters: `undefined` and `null` left out, arrays repeat the key, objects go as JSON text. */
  query?: Record<string, QueryValue> | undefined;
  /** A JSON body (an object or an array), sent as `application/json`. */
  body?: object | undefined;
  /**
   * Whether to send the access token.
   * @default true
   */
  authenticated?: boolean | undefined;
  /**
   * Whether a POST may be repeated after a 5xx, a dropped connection or a timeout
   * (GET, PUT and DELETE always may, as for every operation; `retry: { unsafePost: true }` also allows it).
   * @default false
   */
  safeToRetry?: boolean | undefined;
}

const METHODS: ReadonlySet<string> = new Set<HttpMethod>(['GET', 'POST', 'PUT', 'DELETE']);
/** What the literal parts of a template may hold: RFC 3986 path characters. */
const LITERAL = /^[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$/;

/** Refuses a path with a `.` or `..` segment (encoded or not): URL parsers remove them, addressing another resource. */
function checkDotSegments(path: string, template: string): void {
  for (const segment of path.split('/')) {
    const plain = segment.replace(/%2e/gi, '.');
    if (plain === '.' || plain === '..') {
      throw new InvalidEndpointError(`The path ${JSON.stringify(template)} has a ${JSON.stringify(plain)} segment, which URL parsers remove: refused`, template, []);
    }
  }
}

function encodeValue(value: unknown, template: string): string {
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new InvalidEndpointError(`A path value must be a string or a number, got ${value === null ? 'null' : typeof value} in ${template}`, template, []);
  }
  return encodeURIComponent(String(value));
}

/**
 * Builds a request path from a template: the literal parts are written as they are
 * (path characters only: no `?`, `#` or spaces; the query goes in `options.query`),
 * every `${value}` is percent-encoded as one segment's worth of text (`/`, `?`, `#`,
 * `%` included), and `.` or `..` segments are refused, so a value cannot reach another path.
 *
 * @example
 * ```ts
 * const path = matrixPath`/_matrix/client/unstable/org.example.msc0000/rooms/${roomId}/thing/${key}`;
 * await client.request('PUT', path, { body: { enabled: true } });
 * ```
 */
export function matrixPath(literals: TemplateStringsArray, ...values: readonly (string | number)[]): MatrixPath {
  let path = '';
  let template = '';
  literals.forEach((literal, i) => {
    if (!LITERAL.test(literal)) {
      throw new InvalidEndpointError(`The literal part ${JSON.stringify(literal)} of a path may hold path characters only (the query goes in options.query)`, literals.join('{}'), []);
    }
    path += literal;
    template += literal;
    if (i < values.length) {
      path += encodeValue(values[i], literals.join('{}'));
      template += `{${i}}`;
    }
  });
  if (!path.startsWith('/')) throw new InvalidEndpointError(`A path starts with '/': ${JSON.stringify(template)}`, template, []);
  checkDotSegments(path, template);
  return Object.freeze({ path, template, [PATH_BRAND]: true as const });
}

function isMatrixPath(value: unknown): value is MatrixPath {
  return typeof value === 'object' && value !== null && (value as Record<PropertyKey, unknown>)[PATH_BRAND] === true;
}

/** The path and template of a raw path: a template as made, segments each encoded. */
function resolvePath(path: RawPath): { path: string; template: string } {
  if (isMatrixPath(path)) return { path: path.path, template: path.template };
  if (Array.isArray(path)) {
    if (path.length === 0) throw new InvalidEndpointError('A path needs at least one segment', '[]', []);
    const template = `/${path.map((_, i) => `{${i}}`).join('/')}`;
    const encoded = `/${path.map((segment: unknown) => encodeValue(segment, template)).join('/')}`;
    checkDotSegments(encoded, template);
    return { path: encoded, template: encoded };
  }
  throw new TypeError(
    "client.request takes a path made with matrixPath`/_matrix/...` or an array of segments, so that its values are encoded; a plain string is refused",
  );
}

/**
 * The transport request of a raw call. Its route (what hooks and logs show) is the
 * method and the path template, with `{0}`, `{1}`… for the values of a {@link matrixPath}.
 *
 * @example
 * ```ts
 * const request = rawRequest('GET', ['_matrix', 'client', 'v3', 'account', 'whoami']);
 * ```
 */
export function rawRequest(method: HttpMethod, path: RawPath, options: RawRequestOptions = {}): TransportRequest {
  if (!METHODS.has(method)) throw new TypeError(`client.request: the method must be GET, POST, PUT or DELETE, got ${JSON.stringify(method)}`);
  const resolved = resolvePath(path);
  const { query, body, authenticated, safeToRetry, ...requestOptions } = options;
  if (body !== undefined && (typeof body !== 'object' || body === null)) {
    throw new TypeError(`client.request: the body must be a JSON object or array, got ${body === null ? 'null' : typeof body}`);
  }
  const request: TransportRequest = {
    method,
    route: `${method} ${resolved.template}`,
    path: resolved.path,
    bodyKind: body === undefined ? 'none' : 'json',
    responseKind: 'json',
    safeToRetry: method !== 'POST' || safeToRetry === true,
    authenticated: authenticated !== false,
  };
  if (body !== undefined) request.body = body;
  if (query !== undefined) request.query = query;
  if (Object.keys(requestOptions).length > 0) request.options = requestOptions;
  return request;
}
