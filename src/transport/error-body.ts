/**
 * Reading a non-2xx answer (bounded, scrubbed) into a {@link MatrixError}.
 */
import { MatrixError, type MatrixErrorInit } from '../errors/matrix-error.js';
import { RateLimitError } from '../errors/rate-limit-error.js';
import type { EngineResponse } from './engine.js';
import { readTruncated } from './response-body.js';
import { serverRetryAfter } from './retry.js';

/**
 * Reads an error answer, at most `limit` bytes of it, into a {@link MatrixError}.
 * `complete` says whether the body was read to its end (the connection is reusable).
 *
 * @example
 * ```ts
 * const { error } = await readErrorBody(response, 64 * 1024, scrub, 'GET', '/_matrix/client/v3/account/whoami');
 * ```
 */
export async function readErrorBody(
  response: EngineResponse,
  limit: number,
  scrub: (text: string) => string,
  method: string,
  path: string,
): Promise<{ error: MatrixError; complete: boolean }> {
  const { bytes, truncated } = await readTruncated(response.body, limit);
  const text = scrub(new TextDecoder().decode(bytes));
  let parsed: unknown;
  try {
    parsed = text.trim() === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const fallback = response.statusText || `HTTP ${response.status}`;
  let init: MatrixErrorInit;
  if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
    const json = parsed as { errcode?: unknown; error?: unknown; soft_logout?: unknown };
    init = {
      status: response.status,
      errcode: typeof json.errcode === 'string' ? json.errcode : undefined,
      error: typeof json.error === 'string' ? json.error : fallback,
      body: parsed,
      method,
      path,
      retryAfterMs: serverRetryAfter(response.headers, parsed),
      softLogout: typeof json.soft_logout === 'boolean' ? json.soft_logout : undefined,
    };
  } else {
    init = {
      status: response.status,
      errcode: 'M_UNKNOWN',
      error: fallback,
      body: text,
      method,
      path,
      retryAfterMs: serverRetryAfter(response.headers, undefined),
    };
  }
  return { error: new MatrixError(init), complete: !truncated };
}

/**
 * The {@link RateLimitError} for a 429 answer, with the wait that applies.
 *
 * @example
 * ```ts
 * throw toRateLimitError(error, 2_000);
 * ```
 */
export function toRateLimitError(error: MatrixError, retryAfterMs: number): RateLimitError {
  return new RateLimitError({
    status: error.status,
    errcode: error.errcode ?? 'M_LIMIT_EXCEEDED',
    error: error.error,
    body: error.body,
    method: error.method,
    path: error.path,
    retryAfterMs,
    softLogout: error.softLogout,
  });
}
