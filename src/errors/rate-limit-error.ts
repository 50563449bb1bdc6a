import { isErrorNamed } from './guard.js';
import { MatrixError, type MatrixErrorInit } from './matrix-error.js';

/**
 * A 429 / `M_LIMIT_EXCEEDED` answer handed to the caller: because `ignoreRateLimit`
 * was set, because the server asked for a wait longer than `maxRetryAfter`, or
 * because the retries ran out.
 *
 * @example
 * ```ts
 * try { await client.api.rooms(roomId).send('m.room.message').put(content, { ignoreRateLimit: true }); }
 * catch (error) { if (error instanceof RateLimitError) console.log(`retry in ${error.retryAfterMs} ms`); }
 * ```
 */
export class RateLimitError extends MatrixError {
  override name: string = 'RateLimitError';
  /** How long to wait before trying again, in milliseconds (the server's ask, else the backoff). */
  declare readonly retryAfterMs: number;

  constructor(init: MatrixErrorInit & { retryAfterMs: number }) {
    super(init);
  }
}

/**
 * Whether a value is a {@link RateLimitError}, across realms.
 *
 * @example
 * ```ts
 * if (isRateLimitError(error)) await new Promise((r) => setTimeout(r, error.retryAfterMs));
 * ```
 */
export function isRateLimitError(value: unknown): value is RateLimitError {
  return isErrorNamed(value, 'RateLimitError');
}
