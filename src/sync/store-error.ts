/**
 * The error of a sync store that cannot be trusted: corrupted or unreadable data.
 */
import { isErrorNamed } from '../errors/guard.js';
import { MatrixSdkError } from '../errors/matrix-sdk-error.js';

/**
 * Why a sync store could not be used: its data is damaged, or it cannot be read at all.
 *
 * @example
 * ```ts
 * const hint = (problem: SyncStoreProblem) => (problem === 'corrupted' ? 'restore it from a backup' : 'check its permissions');
 * ```
 */
export type SyncStoreProblem = 'corrupted' | 'unreadable';

/**
 * A sync store holds data the loop cannot trust (a file that is not valid JSON, a
 * position that is not a string) or cannot be read (permissions, a directory where a
 * file should be). The sync loop stops with `fatal` on it instead of retrying, and
 * commits nothing over the damaged data: restore or remove it, then start again.
 *
 * @example
 * ```ts
 * client.on('fatal', ({ error }) => {
 *   if (isSyncStoreError(error)) console.error(`fix ${error.location} and restart:`, error.message);
 * });
 * ```
 */
export class SyncStoreError extends MatrixSdkError {
  override name = 'SyncStoreError';
  /** `corrupted` (the data is damaged) or `unreadable` (it could not be read). */
  readonly problem: SyncStoreProblem;
  /** Where the data lives: the file of a `FileStore`, else the store key. */
  readonly location: string;

  constructor(problem: SyncStoreProblem, location: string, detail: string, options?: { cause?: unknown }) {
    super(
      `Sync store ${location} is ${problem} (${detail}). ` +
        'The sync loop stops and writes nothing over it; restore or remove it, then start again.',
      options,
    );
    this.problem = problem;
    this.location = location;
  }
}

/**
 * Whether a value is a {@link SyncStoreError}, across realms.
 *
 * @example
 * ```ts
 * client.on('fatal', ({ error }) => { if (isSyncStoreError(error)) console.error(error.location); });
 * ```
 */
export function isSyncStoreError(value: unknown): value is SyncStoreError {
  return isErrorNamed(value, 'SyncStoreError') && 'location' in value;
}

/**
 * A {@link SyncStoreError} for a value of the wrong shape, located by the store when it can.
 *
 * @example
 * ```ts
 * if (typeof stored !== 'string') throw corruptedEntry(store, 'sync.next_batch', 'the position is not a string');
 * ```
 */
export function corruptedEntry(store: { describe?(key: string): string }, key: string, detail: string): SyncStoreError {
  return new SyncStoreError('corrupted', store.describe?.(key) ?? `key ${key}`, detail);
}
