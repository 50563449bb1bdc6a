/**
 * Reading answer bodies within limits: a declared `Content-Length` over the
 * limit is refused before reading, otherwise bytes are counted while streaming.
 * A body is a web stream or any async iterable of bytes (a Node stream), as
 * engines hand them.
 */
import type { EngineHeaders, EngineResponse } from './engine.js';
import { isWebStream } from './engines/body-kinds.js';

/** An answer body as an engine hands it. */
export type ResponseBody = EngineResponse['body'];

interface ChunkReader {
  read(): Promise<IteratorResult<Uint8Array, unknown>>;
  cancel(reason?: unknown): void;
}

function openReader(body: NonNullable<ResponseBody>): ChunkReader {
  if (isWebStream(body)) {
    const reader = body.getReader();
    return {
      read: () => reader.read() as Promise<IteratorResult<Uint8Array, unknown>>,
      cancel: (reason) => void reader.cancel(reason).catch(() => undefined),
    };
  }
  const iterator = body[Symbol.asyncIterator]();
  return {
    read: () => iterator.next(),
    cancel: (reason) => void iterator.return?.(reason)?.catch(() => undefined),
  };
}

/**
 * How long a body may go without a chunk: `ms` (or `false` for no limit), and the
 * error it then fails with.
 *
 * @example
 * ```ts
 * const idle: IdleLimit = { ms: 30_000, error: () => new TimeoutError(30_000, 'GET', path, 'body') };
 * ```
 */
export interface IdleLimit {
  ms: number | false;
  error: () => Error;
}

/** A timer that does not keep a Node process alive on its own (a pending socket does). */
function unrefTimer(fn: () => void, ms: number): ReturnType<typeof setTimeout> {
  const timer = setTimeout(fn, ms);
  (timer as { unref?: () => void }).unref?.();
  return timer;
}

/**
 * A reader that fails a read (and cancels the body, closing its connection) once
 * `idle.ms` passed without a chunk while a read was pending. One timer per body,
 * re-armed lazily: a fast body costs one timer however many chunks it has.
 */
function idleReader(reader: ChunkReader, idle: IdleLimit | undefined): ChunkReader & { stop(): void } {
  const ms = idle?.ms;
  if (ms === undefined || ms === false) return { read: () => reader.read(), cancel: (reason) => reader.cancel(reason), stop: () => {} };
  const onIdle = (idle as IdleLimit).error;
  let last = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let pending: ((error: Error) => void) | undefined;
  let stopped = false;
  const stop = (): void => {
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
  const check = (): void => {
    timer = undefined;
    if (pending === undefined || stopped) return;
    const left = last + ms - Date.now();
    if (left > 0) {
      timer = unrefTimer(check, left);
      return;
    }
    const fail = pending;
    pending = undefined;
    stop();
    const error = onIdle();
    reader.cancel(error);
    fail(error);
  };
  return {
    read() {
      last = Date.now();
      if (timer === undefined && !stopped) timer = unrefTimer(check, ms);
      return new Promise((resolve, reject) => {
        pending = reject;
        reader.read().then(
          (result) => {
            if (pending !== reject) return;
            pending = undefined;
            last = Date.now();
            if (result.done === true) stop();
            resolve(result);
          },
          (error: unknown) => {
            if (pending !== reject) return;
            pending = undefined;
            stop();
            reject(error);
          },
        );
      });
    },
    cancel(reason) {
      stop();
      reader.cancel(reason);
    },
    stop,
  };
}

/**
 * Drops a body that will not be read, closing its connection if it was still streaming.
 *
 * @example
 * ```ts
 * discardBody(response.body);
 * ```
 */
export function discardBody(body: ResponseBody): void {
  if (body === null) return;
  if (isWebStream(body)) {
    void body.cancel().catch(() => undefined);
    return;
  }
  const destroy = (body as { destroy?: () => void }).destroy;
  if (typeof destroy === 'function') destroy.call(body);
  else void body[Symbol.asyncIterator]().return?.()?.catch(() => undefined);
}

/**
 * The `Content-Length` of an answer, when it is a valid number.
 *
 * @example
 * ```ts
 * declaredLength(new Headers({ 'content-length': '42' })); // 42
 * ```
 */
export function declaredLength(headers: Pick<EngineHeaders, 'get'>): number | undefined {
  const value = headers.get('content-length');
  if (value === null || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value);
}

/**
 * Throws `tooLarge` at once when the declared Content-Length is over `limit`.
 *
 * @example
 * ```ts
 * checkDeclaredLength(response.headers, 1024, (received, declared) => new Error(`${received} bytes`));
 * ```
 */
export function checkDeclaredLength(
  headers: Pick<EngineHeaders, 'get'>,
  limit: number,
  tooLarge: (received: number, declared: boolean) => Error,
): void {
  const declared = declaredLength(headers);
  if (declared !== undefined && declared > limit) throw tooLarge(declared, true);
}

/**
 * Reads a whole body into memory, failing with `tooLarge(received)` as soon as
 * more than `limit` bytes arrived, or with `idle.error()` once `idle.ms` passed
 * without a chunk (the stream is cancelled, closing the connection).
 *
 * @example
 * ```ts
 * const bytes = await readLimited(response.body, 1 << 20, (n) => new Error(`${n} bytes`));
 * ```
 */
export async function readLimited(
  body: ResponseBody,
  limit: number,
  tooLarge: (received: number) => Error,
  idle?: IdleLimit,
): Promise<Uint8Array> {
  if (body === null) return new Uint8Array(0);
  const reader = idleReader(openReader(body), idle);
  const chunks: Uint8Array[] = [];
  let received = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done === true) break;
      received += value.byteLength;
      if (received > limit) {
        const error = tooLarge(received);
        reader.cancel(error);
        throw error;
      }
      chunks.push(value);
    }
  } finally {
    reader.stop();
  }
  return concat(chunks, received);
}

/**
 * Reads at most `limit` bytes of a body, then stops (cancelling the rest): for
 * error bodies, which are kept truncated rather than refused.
 *
 * @example
 * ```ts
 * const { bytes, truncated } = await readTruncated(response.body, 64 * 1024);
 * ```
 */
export async function readTruncated(body: ResponseBody, limit: number): Promise<{ bytes: Uint8Array; truncated: boolean }> {
  if (body === null) return { bytes: new Uint8Array(0), truncated: false };
  const reader = openReader(body);
  const chunks: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done === true) break;
    const room = limit - received;
    if (value.byteLength > room) {
      if (room > 0) chunks.push(value.subarray(0, room));
      received = limit;
      reader.cancel();
      return { bytes: concat(chunks, received), truncated: true };
    }
    chunks.push(value);
    received += value.byteLength;
  }
  return { bytes: concat(chunks, received), truncated: false };
}

/**
 * A web stream over a body that errors with `tooLarge(received)` once more than
 * `limit` bytes went through, or with `idle.error()` once a read waited `idle.ms`
 * without a chunk, cancelling the source. `onEnd` runs once when the stream ends in
 * any way, with `true` when it was read to its end.
 *
 * @example
 * ```ts
 * const limited = limitStream(response.body, 50 << 20, (n) => new Error(`${n} bytes`));
 * ```
 */
export function limitStream(
  body: NonNullable<ResponseBody>,
  limit: number,
  tooLarge: (received: number) => Error,
  onEnd: (complete: boolean) => void = () => {},
  idle?: IdleLimit,
): ReadableStream<Uint8Array> {
  const reader = idleReader(openReader(body), idle);
  let received = 0;
  let ended = false;
  const end = (complete = false): void => {
    if (!ended) {
      ended = true;
      reader.stop();
      onEnd(complete);
    }
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let result: IteratorResult<Uint8Array, unknown>;
      try {
        result = await reader.read();
      } catch (error) {
        end();
        controller.error(error);
        return;
      }
      if (result.done === true) {
        end(true);
        controller.close();
        return;
      }
      received += result.value.byteLength;
      if (received > limit) {
        const error = tooLarge(received);
        reader.cancel(error);
        end();
        controller.error(error);
        return;
      }
      // Node streams hand Buffers: callers get plain bytes.
      const value = result.value;
      controller.enqueue(value.constructor === Uint8Array ? value : new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
    },
    cancel(reason) {
      end();
      reader.cancel(reason);
    },
  });
}

function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
