/**
 * The per-attempt abort and timer: one attempt ends by the caller's signal or by
 * its own timeout. Nothing is composed when neither is in play, and no
 * `AbortController` is built unless an engine asks for a real `AbortSignal`
 * (building one costs more than a local exchange's socket work on Node): engines
 * that take an EventTarget-like, undici among them, listen to the attempt itself.
 */
import { abortReason } from './delay.js';
import type { AbortHandle } from './engine.js';

/**
 * The abort state of one attempt.
 *
 * @example
 * ```ts
 * const attempt = new AttemptAbort(60_000, options.signal);
 * try {
 *   const response = await engine.send({ ...request, signal: attempt.signal, abort: attempt.handle });
 * } finally {
 *   attempt.release(true);
 * }
 * ```
 */
export class AttemptAbort implements AbortHandle {
  #aborted = false;
  #reason: unknown = undefined;
  #timedOut = false;
  #listeners: (() => void)[] | undefined;
  #controller: AbortController | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #caller: AbortSignal | undefined;
  #onCallerAbort: (() => void) | undefined;
  #released = false;
  /** Only the caller's signal can end the attempt: it serves as it is. */
  readonly #callerOnly: boolean;
  readonly #none: boolean;

  constructor(timeout: number | false, caller: AbortSignal | undefined) {
    this.#caller = caller;
    this.#none = timeout === false && caller === undefined;
    this.#callerOnly = timeout === false && caller !== undefined;
    if (timeout === false) return;
    if (caller !== undefined) {
      const onCallerAbort = (): void => this.#abort(abortReason(caller));
      this.#onCallerAbort = onCallerAbort;
      caller.addEventListener('abort', onCallerAbort, { once: true });
    }
    this.#timer = setTimeout(() => {
      this.#timedOut = true;
      this.#abort(new DOMException(`Timed out after ${timeout} ms`, 'TimeoutError'));
    }, timeout);
  }

  /** The abort as engines that take an EventTarget-like listen to it; `undefined` when nothing can abort. */
  get handle(): AbortHandle | undefined {
    if (this.#none) return undefined;
    return this.#callerOnly ? this.#caller : this;
  }

  /** The abort as a real `AbortSignal`, built on first use; `undefined` when nothing can abort. */
  get signal(): AbortSignal | undefined {
    if (this.#none) return undefined;
    if (this.#callerOnly) return this.#caller;
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  get aborted(): boolean {
    return this.#aborted;
  }

  get reason(): unknown {
    return this.#reason;
  }

  addEventListener(_type: 'abort', listener: () => void): void {
    (this.#listeners ??= []).push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const listeners = this.#listeners;
    if (listeners === undefined) return;
    const at = listeners.indexOf(listener);
    if (at >= 0) listeners.splice(at, 1);
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
    if (!complete && !this.#callerOnly) this.#abort(new DOMException('The request was aborted', 'AbortError'));
  }

  #abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
    const listeners = this.#listeners;
    this.#listeners = undefined;
    if (listeners !== undefined) for (const listener of listeners) listener();
  }
}
