/**
 * Deterministic time and randomness for the project's own tests. Internal: no
 * entry exports this module and the public option types do not name these
 * fields; a component reads them from the options object it was given, so a
 * test passes them beside the public options (see `test/support/seams.ts`).
 */
import type { SyncClock } from '../sync/types.js';

/** What a test may swap in a transport: the jitter's randomness and the wait between attempts. */
export interface TransportSeams {
  /** Randomness of the backoff jitter, in [0, 1). @default Math.random */
  random?: () => number;
  /** Waits between attempts; must reject when `signal` aborts. @default the package's abortable delay */
  sleep?: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
}

/** What a test may swap in the sync loop. */
export interface SyncSeams {
  /** Clock of the backoff and the liveness guard. @default the global timers and Date.now */
  clock?: SyncClock;
  /** Waits between attempts; must reject when `signal` aborts. @default the package's abortable delay on `clock` */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Randomness of the jitter, in [0, 1). @default Math.random */
  random?: () => number;
}

/** What a test may swap in an application service. */
export interface AppserviceSeams {
  /**
   * Waits between handler retries and start-up pings, and times the query budget,
   * `stop()`'s deadline and `start()`'s wait for a previous run's handlers; must reject when `signal` aborts.
   */
  sleep?: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
  /** Clock of durations and dead letters. @default Date.now */
  now?: () => number;
}

/**
 * The seams carried by an options object, if a test put any there.
 *
 * @example
 * ```ts
 * const { random = Math.random } = seamsOf<TransportSeams>(options);
 * ```
 */
export function seamsOf<S extends TransportSeams | SyncSeams | AppserviceSeams>(options: object): S {
  return options as S;
}
