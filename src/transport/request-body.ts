/**
 * Request-body preparation: what the engine sends, its Content-Type, and the
 * one decision of whether the body can be sent again (retries, redirects).
 */
import type { EngineBody } from './engine.js';
import { isAsyncIterable, isWebStream } from './engines/body-kinds.js';
import type { TransportRequest } from './types.js';

/** A request body ready for the engine. */
export interface PreparedBody {
  body: EngineBody | undefined;
  contentType: string | undefined;
  /**
   * Whether the body can be sent again: bytes in memory can, a stream cannot
   * (it is never retried, and never replayed on a redirect).
   */
  replayable: boolean;
}

const NO_BODY: PreparedBody = Object.freeze({ body: undefined, contentType: undefined, replayable: true });

/**
 * Prepares the body of a request once, before its first attempt.
 *
 * @example
 * ```ts
 * prepareBody({ ...request, bodyKind: 'json', body: { msgtype: 'm.text', body: 'hi' } });
 * // { body: '{"msgtype":"m.text","body":"hi"}', contentType: 'application/json', replayable: true }
 * ```
 */
export function prepareBody(request: TransportRequest): PreparedBody {
  if (request.bodyKind === 'none') return NO_BODY;
  if (request.bodyKind === 'json') {
    return { body: JSON.stringify(request.body ?? {}), contentType: 'application/json', replayable: true };
  }
  const contentType = request.contentType ?? 'application/octet-stream';
  const body = request.body;
  if (body === undefined || body === null) return { body: undefined, contentType, replayable: true };
  if (
    typeof body === 'string' ||
    body instanceof ArrayBuffer ||
    (typeof Blob !== 'undefined' && body instanceof Blob)
  ) {
    return { body, contentType, replayable: true };
  }
  if (ArrayBuffer.isView(body)) {
    const bytes = body instanceof Uint8Array ? body : new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
    return { body: bytes, contentType, replayable: true };
  }
  if (isWebStream(body) || isAsyncIterable(body)) return { body, contentType, replayable: false };
  throw new TypeError(`Unsupported binary body for ${request.route}: ${Object.prototype.toString.call(body)}`);
}
