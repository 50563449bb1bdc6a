/** Shape checks on bodies, by duck typing so that streams of another realm pass. */

/**
 * Whether a value is a web `ReadableStream`.
 *
 * @example
 * ```ts
 * isWebStream(new Blob(['x']).stream()); // true
 * ```
 */
export function isWebStream(value: unknown): value is ReadableStream<Uint8Array> {
  return typeof value === 'object' && value !== null && typeof (value as { getReader?: unknown }).getReader === 'function';
}

/**
 * Whether a value can be iterated with `for await` (a Node stream, an async generator).
 *
 * @example
 * ```ts
 * isAsyncIterable(Readable.from(['x'])); // true
 * ```
 */
export function isAsyncIterable(value: unknown): value is AsyncIterable<Uint8Array | string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function'
  );
}

/**
 * A web stream over a Node `Readable` or any async iterable of bytes or text.
 *
 * @example
 * ```ts
 * const stream = iterableToStream(createReadStream('photo.png'));
 * ```
 */
export function iterableToStream(iterable: AsyncIterable<Uint8Array | string>): ReadableStream<Uint8Array> {
  const iterator = iterable[Symbol.asyncIterator]();
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await iterator.next();
      if (done === true) controller.close();
      else controller.enqueue(typeof value === 'string' ? encoder.encode(value) : value);
    },
    async cancel(reason) {
      await iterator.return?.(reason);
    },
  });
}
