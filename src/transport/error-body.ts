/**
 * Reading a non-2xx answer (bounded, scrubbed) into a {@link MatrixError}. A body
 * cut at the limit keeps its meaning: the errcode, the error text and the
 * user-interactive auth fields are read from the complete members of its prefix.
 */
import { MatrixError, type MatrixErrorInit } from '../errors/matrix-error.js';
import { RateLimitError } from '../errors/rate-limit-error.js';
import type { EngineResponse } from './engine.js';
import { readPrefixFields } from './json-prefix.js';
import { readTruncated } from './response-body.js';
import { serverRetryAfter } from './retry.js';
import { scrubValue, type Scrub } from './scrub.js';

/** The members read from the prefix of an error body cut at the limit. */
const PREFIX_FIELDS: ReadonlySet<string> = new Set(['errcode', 'error', 'soft_logout', 'retry_after_ms', 'session', 'flows', 'completed', 'params']);

const DECODER = new TextDecoder();

function parse(text: string, truncated: boolean): unknown {
  if (truncated) {
    const fields = readPrefixFields(text, PREFIX_FIELDS);
    return fields !== undefined && Object.keys(fields).length > 0 ? fields : undefined;
  }
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Reads an error answer, at most `limit` bytes of it, into a {@link MatrixError}.
 * `complete` says whether the body was read to its end (the connection is reusable).
 * Everything the error keeps is scrubbed.
 *
 * @example
 * ```ts
 * const { error } = await readErrorBody(response, 64 * 1024, scrub, 'GET', '/_matrix/client/v3/account/whoami');
 * ```
 */
export async function readErrorBody(
  response: EngineResponse,
  limit: number,
  scrub: Scrub,
  method: string,
  path: string,
): Promise<{ error: MatrixError; complete: boolean }> {
  const { bytes, truncated } = await readTruncated(response.body, limit);
  const raw = DECODER.decode(bytes);
  const parsed = parse(raw, truncated);
  const fallback = scrub(response.statusText || `HTTP ${response.status}`, { maxChars: 256 });
  let init: MatrixErrorInit;
  if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
    const body = scrubValue(parsed, scrub) as { errcode?: unknown; error?: unknown; soft_logout?: unknown };
    init = {
      status: response.status,
      errcode: typeof body.errcode === 'string' ? body.errcode : undefined,
      error: typeof body.error === 'string' ? body.error : fallback,
      body,
      method,
      path,
      retryAfterMs: serverRetryAfter(response.headers, parsed),
      softLogout: typeof body.soft_logout === 'boolean' ? body.soft_logout : undefined,
    };
  } else {
    init = {
      status: response.status,
      errcode: 'M_UNKNOWN',
      error: fallback,
      body: scrub(raw, { cut: truncated }),
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
