/**
 * Size limits on response bodies: a declared `Content-Length` over the limit is
 * refused before reading, otherwise bytes are counted while streaming.
 */

/** The `Content-Length` of an answer, when it is a valid number. */
export function declaredLength(headers: Headers): number | undefined {
  const value = headers.get('content-length');
  if (value === null || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value);
}

/**
 * Reads a whole body into memory, failing with `tooLarge(received)` as soon as
 * more than `limit` bytes arrived (the stream is cancelled, closing the connection).
 */
export async function readLimited(
  body: ReadableStream<Uint8Array> | null,
  limit: number,
  tooLarge: (received: number) => Error,
): Promise<Uint8Array> {
  if (body === null) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.byteLength;
    if (received > limit) {
      const error = tooLarge(received);
      void reader.cancel(error).catch(() => undefined);
      throw error;
    }
    chunks.push(value);
  }
  return concat(chunks, received);
}

/**
 * Reads at most `limit` bytes of a body, then stops (cancelling the rest): for
 * error bodies, which are kept truncated rather than refused.
 */
export async function readTruncated(
  body: ReadableStream<Uint8Array> | null,
  limit: number,
): Promise<{ bytes: Uint8Array; truncated: boolean }> {
  if (body === null) return { bytes: new Uint8Array(0), truncated: false };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const room = limit - received;
    if (value.byteLength > room) {
      if (room > 0) chunks.push(value.subarray(0, room));
      received = limit;
      void reader.cancel().catch(() => undefined);
      return { bytes: concat(chunks, received), truncated: true };
    }
    chunks.push(value);
    received += value.byteLength;
  }
  return { bytes: concat(chunks, received), truncated: false };
}

/** Throws `tooLarge` at once when the declared Content-Length is over `limit`. */
export function checkDeclaredLength(
  headers: Headers,
  limit: number,
  tooLarge: (received: number, declared: boolean) => Error,
): void {
  const declared = declaredLength(headers);
  if (declared !== undefined && declared > limit) throw tooLarge(declared, true);
}

/**
 * Wraps a body so that it errors with `tooLarge(received)` once more than `limit`
 * bytes went through, cancelling the source. `onEnd` runs once when the stream
 * ends in any way, with `true` when it was read to its end.
 */
export function limitStream(
  body: ReadableStream<Uint8Array>,
  limit: number,
  tooLarge: (received: number) => Error,
  onEnd: (complete: boolean) => void = () => {},
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let received = 0;
  let ended = false;
  const end = (complete = false): void => {
    if (!ended) {
      ended = true;
      onEnd(complete);
    }
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await reader.read();
      } catch (error) {
        end();
        controller.error(error);
        return;
      }
      if (result.done) {
        end(true);
        controller.close();
        return;
      }
      received += result.value.byteLength;
      if (received > limit) {
        const error = tooLarge(received);
        void reader.cancel(error).catch(() => undefined);
        end();
        controller.error(error);
        return;
      }
      controller.enqueue(result.value);
    },
    async cancel(reason) {
      end();
      await reader.cancel(reason).catch(() => undefined);
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
