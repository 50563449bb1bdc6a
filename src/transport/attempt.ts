/**
 * The per-attempt abort and timer: one attempt's signal, ended by the caller's
 * signal or by the attempt's timeout. Nothing is composed when neither is in play.
 */
import { abortReason } from './delay.js';

/**
 * The abort state of one attempt.
 *
 * @example
 * ```ts
 * const attempt = new AttemptAbort(60_000, options.signal);
 * try {
 *   const response = await engine.send({ ...request, signal: attempt.signal });
 * } finally {
 *   attempt.release(true);
 * }
 * ```
 */
export class AttemptAbort {
  /** The signal to hand the engine: `undefined` when nothing can abort the attempt. */
  readonly signal: AbortSignal | undefined;
  #timedOut = false;
  #controller: AbortController | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #caller: AbortSignal | undefined;
  #onCallerAbort: (() => void) | undefined;
  #released = false;

  constructor(timeout: number | false, caller: AbortSignal | undefined) {
    if (timeout === false) {
      // Only the caller can abort: its own signal serves, nothing to link.
      this.signal = caller;
      return;
    }
    const controller = new AbortController();
    this.#controller = controller;
    this.signal = controller.signal;
    if (caller !== undefined) {
      const onCallerAbort = (): void => controller.abort(abortReason(caller));
      this.#caller = caller;
      this.#onCallerAbort = onCallerAbort;
      caller.addEventListener('abort', onCallerAbort, { once: true });
    }
    this.#timer = setTimeout(() => {
      this.#timedOut = true;
      controller.abort(new DOMException(`Timed out after ${timeout} ms`, 'TimeoutError'));
    }, timeout);
  }

  /** Whether the attempt's own timer ended it. */
  get timedOut(): boolean {
    return this.#timedOut;
  }

  /** Stops the timer (the headers of a streamed body arrived). */
  stopTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Ends the attempt: stops the timer and unlinks the caller's signal. An unfinished
   * body (`complete: false`) aborts the exchange so that its connection is closed.
   */
  release(complete: boolean): void {
    if (this.#released) return;
    this.#released = true;
    this.stopTimer();
    if (this.#onCallerAbort !== undefined) this.#caller?.removeEventListener('abort', this.#onCallerAbort);
    if (!complete) this.#controller?.abort();
  }
}
