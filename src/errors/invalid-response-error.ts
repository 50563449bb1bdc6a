import { isErrorNamed } from './guard.js';
import { MatrixSdkError } from './matrix-sdk-error.js';
import { readablePath } from './errcodes.js';

/**
 * A 2xx answer whose body is not the JSON the operation promises: not JSON at
 * all, or not the shape the operation answers (an object, or an array for the
 * few operations that answer one; an empty body only where the answer has no
 * required fields). `excerpt` is the start of the body, scrubbed, then bounded;
 * `cause` is a scrubbed description of the parse failure, never the parser's
 * own error (which quotes the body).
 *
 * @example
 * ```ts
 * try { await client.api.account.whoami.get(); }
 * catch (error) { if (isInvalidResponseError(error)) console.warn(error.status, error.excerpt); }
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

  constructor(status: number, excerpt: string, method: string, path: string, options?: { cause?: unknown; problem?: string }) {
    const problem = options?.problem ?? 'not valid JSON';
    super(`[${status}] Response body is ${problem}: ${method} ${readablePath(path)}`, options?.cause === undefined ? undefined : { cause: options.cause });
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
