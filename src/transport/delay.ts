/**
 * The one abortable delay of the package, and the waits built on it: the
 * transport's retry waits, the media gateway's probe wait and the sync loop's
 * backoff all go through here.
 */

/** The timer functions a delay runs on (injectable: the sync loop passes its clock). */
export interface DelayTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const GLOBAL_TIMERS: DelayTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * The reason an aborted signal carries, or a standard `AbortError` when it has none.
 *
 * @example
 * ```ts
 * if (signal.aborted) throw abortReason(signal);
 * ```
 */
export function abortReason(signal: AbortSignal | undefined): unknown {
  const reason: unknown = signal?.reason;
  return reason ?? new DOMException('The request was aborted', 'AbortError');
}

/**
 * Settles after `ms` milliseconds, or rejects with the signal's reason when it aborts.
 *
 * @example
 * ```ts
 * await delay(500, AbortSignal.timeout(10_000));
 * ```
 */
export function delay(ms: number, signal: AbortSignal | undefined, timers: DelayTimers = GLOBAL_TIMERS): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = (): void => {
      timers.clearTimeout(handle);
      reject(abortReason(signal));
    };
    const handle = timers.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Settles with `promise`, or rejects with the signal's reason as soon as it aborts
 * (the promise itself runs on).
 *
 * @example
 * ```ts
 * const supported = await untilAborted(probe, options.signal);
 * ```
 */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(signal.aborted ? abortReason(signal) : error);
      },
    );
  });
}

/**
 * Waits with an injected sleep, but ends at once when `signal` aborts even if
 * that sleep ignores its signal.
 *
 * @example
 * ```ts
 * await abortableSleep(options.sleep, 1_000, request.signal);
 * ```
 */
export function abortableSleep(
  sleep: (ms: number, signal: AbortSignal | undefined) => Promise<void>,
  ms: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  if (signal === undefined) return sleep(ms, undefined);
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return untilAborted(sleep(ms, signal), signal);
}
