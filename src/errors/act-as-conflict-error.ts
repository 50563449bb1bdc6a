import { isErrorNamed } from './guard.js';
import { MatrixSdkError } from './matrix-sdk-error.js';
import { readablePath } from './errcodes.js';

/**
 * A call through `client.as(userId)` (or `transport.as(...)`) to an operation that has a
 * query parameter of its own named like the one masquerading adds (`user_id`, as in
 * `GET /_matrix/client/v1/mutual_rooms`, or `device_id`): the request would carry it
 * twice, and the server would read one of the two. Refused before any request; call
 * the operation on a client that does not act as a user, or leave the parameter out.
 * The same for the `ts` request option (application service timestamp massaging) on an
 * operation with a `ts` of its own (`GET /_matrix/client/v1/rooms/{roomId}/timestamp_to_event`).
 *
 * @example
 * ```ts
 * try { await client.as(ghost).api.mutual_rooms.get({ user_id: other }); }
 * catch (error) { if (isActAsConflictError(error)) console.warn(error.parameter); } // 'user_id'
 * ```
 */
export class ActAsConflictError extends MatrixSdkError {
  override name = 'ActAsConflictError';
  /** The query parameter both the operation and masquerading (or the `ts` option) set. */
  readonly parameter: string;
  /** HTTP method of the request. */
  readonly method: string;
  /** The request path, percent-encoded, without query string. */
  readonly path: string;

  constructor(parameter: string, method: string, path: string) {
    super(
      parameter === 'ts'
        ? `${method} ${readablePath(path)} has its own 'ts' query parameter, which the ts request option (application service timestamp massaging) also sets; ` +
            'call it without the ts option'
        : `${method} ${readablePath(path)} has its own '${parameter}' query parameter, which acting as a user (client.as) also sets; ` +
            'call it on a client that does not act as a user',
    );
    this.parameter = parameter;
    this.method = method;
    this.path = path;
  }
}

/**
 * Whether a value is an {@link ActAsConflictError}, across realms.
 *
 * @example
 * ```ts
 * if (isActAsConflictError(error)) console.warn(error.parameter);
 * ```
 */
export function isActAsConflictError(value: unknown): value is ActAsConflictError {
  return isErrorNamed(value, 'ActAsConflictError') && 'parameter' in value;
}
