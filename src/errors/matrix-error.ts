import { isErrorNamed } from './guard.js';
import { MatrixSdkError } from './matrix-sdk-error.js';
import { readablePath, type MatrixErrcode } from './errcodes.js';

/**
 * What a {@link MatrixError} is built from.
 *
 * @example
 * ```ts
 * const init: MatrixErrorInit = { status: 403, errcode: 'M_FORBIDDEN', error: 'Not allowed', body: {}, method: 'POST', path: '/_matrix/client/v3/rooms/!r%3Ax/ban' };
 * const error = new MatrixError(init);
 * ```
 */
export interface MatrixErrorInit {
  /** HTTP status of the answer. */
  status: number;
  /** The `errcode` of the body, or `undefined` when the body carried none. */
  errcode: MatrixErrcode | undefined;
  /** The human-readable `error` of the body (or a description of the status). */
  error: string;
  /** The parsed JSON body, or the bounded raw text when the body was not JSON. */
  body: unknown;
  /** HTTP method of the request. */
  method: string;
  /** The request path, percent-encoded, without query string or credentials. */
  path: string;
  /** How long the server asked to wait before trying again, in milliseconds. */
  retryAfterMs?: number | undefined;
  /** `soft_logout` of an `M_UNKNOWN_TOKEN` answer. */
  softLogout?: boolean | undefined;
}

/**
 * An error answer from the homeserver (any non-2xx status), e.g.
 * `[403 / M_FORBIDDEN] You are not allowed to ban: POST /_matrix/client/v3/rooms/!r:x/ban`.
 *
 * @example
 * ```ts
 * try { await client.api.rooms(roomId).ban.post({ user_id }); }
 * catch (error) { if (error instanceof MatrixError && error.errcode === 'M_FORBIDDEN') console.warn(error.message); }
 * ```
 */
export class MatrixError extends MatrixSdkError {
  override name: string = 'MatrixError';
  /** HTTP status of the answer. */
  readonly status: number;
  /** The Matrix error code, e.g. `M_FORBIDDEN`. */
  readonly errcode: MatrixErrcode | undefined;
  /** The human-readable error text the server sent. */
  readonly error: string;
  /** The parsed JSON body, or the bounded raw text of a non-JSON body. */
  readonly body: unknown;
  /** HTTP method of the request. */
  readonly method: string;
  /** The request path, percent-encoded, with no query string and no credentials. */
  readonly path: string;
  /** How long the server asked to wait, in milliseconds, when it said. */
  readonly retryAfterMs: number | undefined;
  /** Whether the server marked an `M_UNKNOWN_TOKEN` as a soft logout. */
  readonly softLogout: boolean | undefined;

  constructor(init: MatrixErrorInit) {
    const code = init.errcode === undefined ? `${init.status}` : `${init.status} / ${init.errcode}`;
    super(`[${code}] ${init.error}: ${init.method} ${readablePath(init.path)}`);
    this.status = init.status;
    this.errcode = init.errcode;
    this.error = init.error;
    this.body = init.body;
    this.method = init.method;
    this.path = init.path;
    this.retryAfterMs = init.retryAfterMs;
    this.softLogout = init.softLogout;
  }
}

const MATRIX_ERROR_NAMES: ReadonlySet<string> = new Set(['MatrixError', 'RateLimitError']);

/**
 * Whether a value is a {@link MatrixError} (or a subclass such as `RateLimitError`), across realms.
 *
 * @example
 * ```ts
 * if (isMatrixError(error) && error.status === 404) return undefined;
 * ```
 */
export function isMatrixError(value: unknown): value is MatrixError {
  return isErrorNamed(value, MATRIX_ERROR_NAMES);
}
