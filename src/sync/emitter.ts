/**
 * The handler registry of the sync loop: ordered handlers per name, each
 * awaited in turn, each failure isolated and reported.
 */
import type { HandlerErrorInfo } from './types.js';

// Handlers are stored untyped; the public `on` overloads give them their types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyHandler = (...args: any[]) => unknown;

interface Entry {
  handler: AnyHandler;
  /** The function given to `on`/`once` (what `off` compares). */
  original: AnyHandler;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** The handlers of a run that failed, with their errors. */
export type HandlerFailures = readonly { handler: AnyHandler; error: unknown }[];

const NO_FAILURES: HandlerFailures = Object.freeze([]);

/** Ordered handlers by name, run one after another; a failing handler is reported, never rethrown. */
export class HandlerRegistry {
  /** Copy-on-write arrays: adding or removing during an emit does not disturb it. */
  readonly #handlers = new Map<string, readonly Entry[]>();
  readonly #unhandled: (info: HandlerErrorInfo) => void;

  constructor(unhandled: (info: HandlerErrorInfo) => void) {
    this.#unhandled = unhandled;
  }

  on(name: string, handler: AnyHandler): void {
    if (typeof handler !== 'function') throw new TypeError(`on(${JSON.stringify(name)}): the handler must be a function`);
    this.#handlers.set(name, [...(this.#handlers.get(name) ?? []), { handler, original: handler }]);
  }

  once(name: string, handler: AnyHandler): void {
    if (typeof handler !== 'function') throw new TypeError(`once(${JSON.stringify(name)}): the handler must be a function`);
    const entry: Entry = {
      original: handler,
      handler: (...args: unknown[]) => {
        this.#remove(name, entry);
        return handler(...args);
      },
    };
    this.#handlers.set(name, [...(this.#handlers.get(name) ?? []), entry]);
  }

  /** Removes the first registration of `handler` under `name`, or all of `name`'s handlers when none is given. */
  off(name: string, handler?: AnyHandler): void {
    const list = this.#handlers.get(name);
    if (list === undefined) return;
    if (handler === undefined) {
      this.#handlers.delete(name);
      return;
    }
    const entry = list.find((e) => e.original === handler);
    if (entry !== undefined) this.#remove(name, entry);
  }

  #remove(name: string, entry: Entry): void {
    const list = this.#handlers.get(name);
    if (list === undefined) return;
    const next = list.filter((e) => e !== entry);
    if (next.length === 0) this.#handlers.delete(name);
    else this.#handlers.set(name, next);
  }

  /** Whether any handler is registered under `name`. */
  has(name: string): boolean {
    return this.#handlers.has(name);
  }

  /**
   * Runs the handlers of `name` in order. Returns `undefined` when every handler
   * finished synchronously, or a promise that settles (never rejects) when the
   * last one has finished: no promise is made for synchronous handlers.
   */
  emit(name: string, a?: unknown, b?: unknown): Promise<void> | undefined {
    const list = this.#handlers.get(name);
    if (list === undefined) return undefined;
    for (let i = 0; i < list.length; i++) {
      let result: unknown;
      try {
        result = list[i]!.handler(a, b);
      } catch (error) {
        const reported = this.#report(name, error, a);
        if (reported !== undefined) return reported.then(() => this.#emitFrom(list, i + 1, name, a, b));
        continue;
      }
      if (isThenable(result)) {
        return Promise.resolve(result).then(
          () => this.#emitFrom(list, i + 1, name, a, b),
          (error: unknown) => Promise.resolve(this.#report(name, error, a)).then(() => this.#emitFrom(list, i + 1, name, a, b)),
        );
      }
    }
    return undefined;
  }

  async #emitFrom(list: readonly Entry[], start: number, name: string, a: unknown, b: unknown): Promise<void> {
    for (let i = start; i < list.length; i++) {
      try {
        const result = list[i]!.handler(a, b);
        if (isThenable(result)) await result;
      } catch (error) {
        await this.#report(name, error, a);
      }
    }
  }

  /**
   * Runs the handlers of `name` in order (only those in `only`, when given) and answers the
   * ones that failed, with their errors, instead of reporting them: the caller retries them.
   * Answers synchronously (no promise made) when every handler is synchronous, else a promise.
   */
  runCollecting(name: string, a: unknown, b: unknown, only?: ReadonlySet<AnyHandler>): HandlerFailures | Promise<HandlerFailures> {
    const list = this.#handlers.get(name);
    if (list === undefined) return NO_FAILURES;
    let failed: { handler: AnyHandler; error: unknown }[] | undefined;
    for (let i = 0; i < list.length; i++) {
      const entry = list[i]!;
      if (only !== undefined && !only.has(entry.original)) continue;
      let result: unknown;
      try {
        result = entry.handler(a, b);
      } catch (error) {
        (failed ??= []).push({ handler: entry.original, error });
        continue;
      }
      if (isThenable(result)) return this.#collectFrom(list, i, result, a, b, only, failed);
    }
    return failed ?? NO_FAILURES;
  }

  /** The rest of {@link runCollecting} once a handler returned a promise. */
  async #collectFrom(
    list: readonly Entry[],
    at: number,
    pending: PromiseLike<unknown>,
    a: unknown,
    b: unknown,
    only: ReadonlySet<AnyHandler> | undefined,
    failed: { handler: AnyHandler; error: unknown }[] | undefined,
  ): Promise<HandlerFailures> {
    try {
      await pending;
    } catch (error) {
      (failed ??= []).push({ handler: list[at]!.original, error });
    }
    for (let i = at + 1; i < list.length; i++) {
      const entry = list[i]!;
      if (only !== undefined && !only.has(entry.original)) continue;
      try {
        const result = entry.handler(a, b);
        if (isThenable(result)) await result;
      } catch (error) {
        (failed ??= []).push({ handler: entry.original, error });
      }
    }
    return failed ?? NO_FAILURES;
  }

  /** Hands a handler failure to the `error` handlers (or the unhandled sink). */
  #report(name: string, error: unknown, payload: unknown): Promise<void> | undefined {
    // Event types are registered under a prefix (see registryKey in loop.ts): report the type itself.
    const info: HandlerErrorInfo = { error, event: name.startsWith('event:') ? name.slice('event:'.length) : name, payload };
    const list = this.#handlers.get('error');
    if (name === 'error' || list === undefined) {
      this.#safeUnhandled(info);
      return undefined;
    }
    return this.#emitErrors(list, info);
  }

  /** Runs the `error` handlers; their own failures go to the unhandled sink. */
  #emitErrors(list: readonly Entry[], info: HandlerErrorInfo): Promise<void> | undefined {
    let pending: Promise<void> | undefined;
    for (const entry of list) {
      const run = (): Promise<void> | undefined => {
        try {
          const result = entry.handler(info);
          if (isThenable(result)) {
            return Promise.resolve(result).then(
              () => {},
              (error: unknown) => this.#safeUnhandled({ error, event: 'error', payload: info }),
            );
          }
        } catch (error) {
          this.#safeUnhandled({ error, event: 'error', payload: info });
        }
        return undefined;
      };
      pending = pending === undefined ? run() : pending.then(run);
    }
    return pending;
  }

  /** Reports an error nobody handles; reports publishing errors through the default. */
  reportUnhandled(info: HandlerErrorInfo): Promise<void> | undefined {
    const list = this.#handlers.get('error');
    if (list === undefined) {
      this.#safeUnhandled(info);
      return undefined;
    }
    return this.#emitErrors(list, info);
  }

  #safeUnhandled(info: HandlerErrorInfo): void {
    try {
      this.#unhandled(info);
    } catch {
      // The last resort sink failed: nothing more to do.
    }
  }
}
