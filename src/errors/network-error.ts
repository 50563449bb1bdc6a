import { isErrorNamed } from './guard.js';
import { MatrixSdkError } from './matrix-sdk-error.js';
import { readablePath } from './errcodes.js';

/**
 * The request did not get an HTTP answer: connection refused or reset, DNS
 * failure, too many redirects. `cause` holds the underlying error.
 *
 * @example
 * ```ts
 * try { await client.api.versions.get(); }
 * catch (error) { if (error instanceof NetworkError) console.warn('homeserver unreachable', error.cause); }
 * ```
 */
export class NetworkError extends MatrixSdkError {
  override name = 'NetworkError';
  /** HTTP method of the request. */
  readonly method: string;
  /** The request path, percent-encoded, without query string. */
  readonly path: string;

  constructor(description: string, method: string, path: string, options?: { cause?: unknown }) {
    super(`Network error (${description}): ${method} ${readablePath(path)}`, options);
    this.method = method;
    this.path = path;
  }
}

/**
 * Whether a value is a {@link NetworkError}, across realms.
 *
 * @example
 * ```ts
 * if (isNetworkError(error)) console.warn(error.method, error.path, error.cause);
 * ```
 */
export function isNetworkError(value: unknown): value is NetworkError {
  return isErrorNamed(value, 'NetworkError');
}
