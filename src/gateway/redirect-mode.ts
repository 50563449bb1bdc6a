/**
 * Where the route table lets an operation redirect: the mode a gateway gives
 * the transport (see `src/transport/redirects.ts`).
 */
import type { RouteInfo } from '../../generated/routes.js';

/**
 * The redirect mode of a route: `'manual'` where the operation's answer is a
 * redirect (the table marks its response `none`: SSO login), `'follow'` for the
 * `.well-known` documents and for downloads and thumbnails (the spec lets their
 * server redirect, to a CDN for one), otherwise none (the transport's default: a
 * redirect is an error).
 *
 * @example
 * ```ts
 * routeRedirectMode(ROUTES['GET /_matrix/client/v3/login/sso/redirect']); // 'manual'
 * ```
 */
export function routeRedirectMode(info: Pick<RouteInfo, 'path' | 'response'>): 'follow' | 'manual' | undefined {
  if (info.response === 'none') return 'manual';
  if (info.response === 'binary' || info.path.startsWith('/.well-known/')) return 'follow';
  return undefined;
}
