import { isErrorNamed } from './guard.js';

/**
 * The base of every error this SDK throws.
 *
 * @example
 * ```ts
 * try { await client.api.rooms(id).ban.post({ user_id }); }
 * catch (error) { if (isMatrixSdkError(error)) console.warn(error.message); }
 * ```
 */
export class MatrixSdkError extends Error {
  override name = 'MatrixSdkError';
}

const SDK_ERROR_NAMES = new Set([
  'MatrixSdkError',
  'MatrixError',
  'RateLimitError',
  'ResponseTooLargeError',
  'InvalidEndpointError',
  'NetworkError',
  'TimeoutError',
  'InvalidResponseError',
  'RedirectError',
  'SyncStoreError',
  'SyncStalledError',
  'ActAsConflictError',
]);

/**
 * Whether a value is an error of this SDK, compared by `name` so that it also works
 * across realms and duplicated package copies.
 *
 * @example
 * ```ts
 * try { await client.api.account.whoami.get(); }
 * catch (error) { if (!isMatrixSdkError(error)) throw error; console.warn(error.name, error.message); }
 * ```
 */
export function isMatrixSdkError(value: unknown): value is MatrixSdkError {
  // A DOMException named TimeoutError (from AbortSignal.timeout) is not ours: ours carries timeoutMs.
  if (isErrorNamed(value, 'TimeoutError')) return typeof (value as { timeoutMs?: unknown }).timeoutMs === 'number';
  return isErrorNamed(value, SDK_ERROR_NAMES);
}
