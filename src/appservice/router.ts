/**
 * Routing of the homeserver's requests by the route table's `/_matrix/app/`
 * rows, with the legacy unprefixed routes mapped onto them.
 */
import { ROUTES, type RouteInfo, type RouteKey } from '../../generated/routes.js';

/** The application service operations the receiver serves. */
export type AppserviceOperation =
  | 'sendTransaction'
  | 'queryUserById'
  | 'queryRoomByAlias'
  | 'ping'
  | 'getProtocolMetadata'
  | 'queryUserByProtocol'
  | 'queryLocationByProtocol'
  | 'queryUserByID'
  | 'queryLocationByAlias';

/** The outcome of routing a request. */
export type RouteMatch =
  | { kind: 'route'; operation: AppserviceOperation; route: RouteInfo; params: Record<string, string>; legacy: boolean }
  | { kind: 'method'; allow: string[] }
  | { kind: 'bad-param'; message: string }
  | { kind: 'none' };

const PREFIX = '/_matrix/app/v1';

/**
 * The operation each `/_matrix/app/` route of the table stands for (the spec's operationId).
 * A route the table gains in a spec bump and this map lacks is answered 404 `M_UNRECOGNIZED`
 * until the receiver learns it; a test compares the two.
 */
export const APPSERVICE_OPERATIONS: { readonly [K in RouteKey]?: AppserviceOperation } = {
  'PUT /_matrix/app/v1/transactions/{txnId}': 'sendTransaction',
  'GET /_matrix/app/v1/users/{userId}': 'queryUserById',
  'GET /_matrix/app/v1/rooms/{roomAlias}': 'queryRoomByAlias',
  'POST /_matrix/app/v1/ping': 'ping',
  'GET /_matrix/app/v1/thirdparty/protocol/{protocol}': 'getProtocolMetadata',
  'GET /_matrix/app/v1/thirdparty/user/{protocol}': 'queryUserByProtocol',
  'GET /_matrix/app/v1/thirdparty/location/{protocol}': 'queryLocationByProtocol',
  'GET /_matrix/app/v1/thirdparty/user': 'queryUserByID',
  'GET /_matrix/app/v1/thirdparty/location': 'queryLocationByAlias',
};

interface Template {
  route: RouteInfo;
  operation: AppserviceOperation;
  segments: readonly string[];
}

/** The `/_matrix/app/` rows of the route table that the receiver serves, split into segments once. */
const TEMPLATES: readonly Template[] = (Object.keys(ROUTES) as RouteKey[]).flatMap((key) => {
  const operation = APPSERVICE_OPERATIONS[key];
  return operation === undefined ? [] : [{ route: ROUTES[key], operation, segments: ROUTES[key].path.split('/') }];
});

/**
 * The legacy paths the spec still lets a homeserver use: the unprefixed `/transactions`,
 * `/users` and `/rooms`, and `/_matrix/app/unstable/thirdparty/*`. Answers the v1 path.
 */
function canonicalPath(pathname: string): { path: string; legacy: boolean } {
  if (pathname.startsWith('/_matrix/app/unstable/thirdparty/')) {
    return { path: PREFIX + pathname.slice('/_matrix/app/unstable'.length), legacy: true };
  }
  if (pathname.startsWith('/transactions/') || pathname.startsWith('/users/') || pathname.startsWith('/rooms/')) {
    return { path: PREFIX + pathname, legacy: true };
  }
  return { path: pathname, legacy: false };
}

/** Decodes one path segment; `undefined` when its percent-encoding is broken. */
function decodeSegment(segment: string): string | undefined {
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/**
 * Routes a request path (as it is on the wire, still percent-encoded) and method. A template
 * parameter matches one non-empty segment; its decoded value may not be `.` or `..` (the client
 * refuses to send such values, and a URL parser would have dropped them).
 */
export function matchRoute(method: string, pathname: string): RouteMatch {
  const { path, legacy } = canonicalPath(pathname);
  const segments = path.split('/');
  const allow: string[] = [];
  for (const template of TEMPLATES) {
    if (template.segments.length !== segments.length) continue;
    const params: Record<string, string> = Object.create(null) as Record<string, string>;
    let matched = true;
    let bad: string | undefined;
    let p = 0;
    for (let i = 0; i < segments.length; i++) {
      const want = template.segments[i]!;
      const got = segments[i]!;
      if (want.startsWith('{')) {
        if (got === '') {
          matched = false;
          break;
        }
        const name = template.route.params[p++]!;
        const value = decodeSegment(got);
        if (value === undefined) bad = `The path parameter {${name}} is not valid percent-encoding`;
        else if (value === '.' || value === '..') bad = `The path parameter {${name}} cannot be a dot segment`;
        else params[name] = value;
      } else if (want !== got) {
        matched = false;
        break;
      }
    }
    if (!matched) continue;
    if (template.route.method !== method) {
      allow.push(template.route.method);
      continue;
    }
    if (bad !== undefined) return { kind: 'bad-param', message: bad };
    return { kind: 'route', operation: template.operation, route: template.route, params, legacy };
  }
  return allow.length > 0 ? { kind: 'method', allow } : { kind: 'none' };
}
