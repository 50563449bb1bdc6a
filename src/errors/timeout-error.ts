import { isErrorNamed } from './guard.js';
import { MatrixSdkError } from './matrix-sdk-error.js';
import { readablePath } from './errcodes.js';

/**
 * An attempt took longer than its `timeout`, and no retry was left (or allowed);
 * or (`phase: 'body'`) a response body went `bodyTimeout` milliseconds without a byte.
 *
 * @example
 * ```ts
 * try { await client.api.versions.get({ timeout: 2_000, retry: 0 }); }
 * catch (error) { if (error instanceof TimeoutError) console.warn(`no answer in ${error.timeoutMs} ms`); }
 * ```
 */
export class TimeoutError extends MatrixSdkError {
  override name = 'TimeoutError';
  /** The per-attempt timeout, or the body's idle timeout, in milliseconds. */
  readonly timeoutMs: number;
  /** What timed out: the attempt (`timeout`), or the body going idle (`bodyTimeout`). */
  readonly phase: 'attempt' | 'body';
  /** HTTP method of the request. */
  readonly method: string;
  /** The request path, percent-encoded, without query string. */
  readonly path: string;

  constructor(timeoutMs: number, method: string, path: string, phase: 'attempt' | 'body' = 'attempt') {
    super(
      phase === 'body'
        ? `Timed out: no response data for ${timeoutMs} ms: ${method} ${readablePath(path)}`
        : `Timed out after ${timeoutMs} ms: ${method} ${readablePath(path)}`,
    );
    this.timeoutMs = timeoutMs;
    this.phase = phase;
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
