import { isErrorNamed } from './guard.js';
import { MatrixSdkError } from './matrix-sdk-error.js';
import { readablePath } from './errcodes.js';

/**
 * An attempt took longer than its `timeout`, and no retry was left (or allowed).
 *
 * @example
 * ```ts
 * try { await client.api.versions.get({ timeout: 2_000, retry: 0 }); }
 * catch (error) { if (error instanceof TimeoutError) console.warn(`no answer in ${error.timeoutMs} ms`); }
 * ```
 */
export class TimeoutError extends MatrixSdkError {
  override name = 'TimeoutError';
  /** The per-attempt timeout, in milliseconds. */
  readonly timeoutMs: number;
  /** HTTP method of the request. */
  readonly method: string;
  /** The request path, percent-encoded, without query string. */
  readonly path: string;

  constructor(timeoutMs: number, method: string, path: string) {
    super(`Timed out after ${timeoutMs} ms: ${method} ${readablePath(path)}`);
    this.timeoutMs = timeoutMs;
    this.method = method;
    this.path = path;
  }
}

/**
 * Whether a value is a {@link TimeoutError} of this SDK, across realms.
 *
 * @example
 * ```ts
 * if (isTimeoutError(error)) console.warn(error.timeoutMs);
 * ```
 */
export function isTimeoutError(value: unknown): value is TimeoutError {
  return isErrorNamed(value, 'TimeoutError') && 'timeoutMs' in value;
}
