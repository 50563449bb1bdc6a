/**
 * Masquerading (`transport.as(identity)`) adds `user_id`, and `device_id` when given,
 * to the query of every request, and the `ts` request option (application service
 * timestamp massaging) adds `ts`. An operation with a query parameter of its own by
 * that name (`mutual_rooms` has `user_id`, `timestamp_to_event` has `ts`) would send
 * it twice, and which one a server reads is up to the server.
 */
import { ActAsConflictError } from '../errors/act-as-conflict-error.js';
import type { TransportIdentity } from './options.js';
import type { TransportRequest } from './types.js';

/**
 * Throws an {@link ActAsConflictError} when the request's own query sets a parameter
 * that the identity also sets.
 *
 * @example
 * ```ts
 * refuseDoubledIdentity({ method: 'GET', path, query: { user_id: '@a:x' } }, { userId: '@ghost:x' }, () => path); // throws
 * ```
 */
export function refuseDoubledIdentity(request: TransportRequest, identity: TransportIdentity, errorPath: () => string): void {
  const query = request.query;
  if (query === undefined) return;
  if (query['user_id'] !== undefined) throw new ActAsConflictError('user_id', request.method, errorPath());
  if (identity.deviceId !== undefined && query['device_id'] !== undefined) {
    throw new ActAsConflictError('device_id', request.method, errorPath());
  }
}

/**
 * Throws an {@link ActAsConflictError} when the request's own query sets `ts` and its
 * `ts` option (timestamp massaging) would add another.
 *
 * @example
 * ```ts
 * refuseDoubledTimestamp({ method: 'GET', path, query: { ts: 1, dir: 'f' }, options: { ts: 2 } }, () => path); // throws
 * ```
 */
export function refuseDoubledTimestamp(request: TransportRequest, errorPath: () => string): void {
  if (request.options?.ts !== undefined && request.query?.['ts'] !== undefined) {
    throw new ActAsConflictError('ts', request.method, errorPath());
  }
}
