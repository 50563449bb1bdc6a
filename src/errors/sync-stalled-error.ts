import { isErrorNamed } from './guard.js';
import { MatrixSdkError } from './matrix-sdk-error.js';

/**
 * The sync loop's liveness guard aborted a long poll that did not answer in time
 * (`timeout` plus a grace period); the loop reports it through `failed` and polls again.
 *
 * @example
 * ```ts
 * client.on('failed', ({ error }) => {
 *   if (isSyncStalledError(error)) console.warn(`no answer within ${error.afterMs} ms`);
 * });
 * ```
 */
export class SyncStalledError extends MatrixSdkError {
  override name = 'SyncStalledError';
  /** How long the poll went unanswered before it was aborted, in milliseconds. */
  readonly afterMs: number;

  constructor(afterMs: number) {
    super(`The sync long poll did not answer within ${afterMs} ms; trying again`);
    this.afterMs = afterMs;
  }
}

/**
 * Whether a value is a {@link SyncStalledError}, across realms.
 *
 * @example
 * ```ts
 * if (isSyncStalledError(error)) console.warn(error.afterMs);
 * ```
 */
export function isSyncStalledError(value: unknown): value is SyncStalledError {
  return isErrorNamed(value, 'SyncStalledError') && 'afterMs' in value;
}
