import { isErrorNamed } from './guard.js';
import { MatrixSdkError } from './matrix-sdk-error.js';
import { readablePath } from './errcodes.js';

/**
 * A 2xx answer whose body is not the JSON the operation promises.
 *
 * @example
 * ```ts
 * try { await client.api.versions.get(); }
 * catch (error) { if (error instanceof InvalidResponseError) console.warn(error.status, error.excerpt); }
 * ```
 */
export class InvalidResponseError extends MatrixSdkError {
  override name = 'InvalidResponseError';
  /** HTTP status of the answer. */
  readonly status: number;
  /** The start of the raw body text, bounded. */
  readonly excerpt: string;
  /** HTTP method of the request. */
  readonly method: string;
  /** The request path, percent-encoded, without query string. */
  readonly path: string;

  constructor(status: number, excerpt: string, method: string, path: string, options?: { cause?: unknown }) {
    super(`[${status}] Response body is not valid JSON: ${method} ${readablePath(path)}`, options);
    this.status = status;
    this.excerpt = excerpt;
    this.method = method;
    this.path = path;
  }
}

/**
 * Whether a value is an {@link InvalidResponseError}, across realms.
 *
 * @example
 * ```ts
 * if (isInvalidResponseError(error)) console.warn('not JSON:', error.excerpt);
 * ```
 */
export function isInvalidResponseError(value: unknown): value is InvalidResponseError {
  return isErrorNamed(value, 'InvalidResponseError');
}
