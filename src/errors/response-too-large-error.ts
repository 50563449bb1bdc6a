import { isErrorNamed } from './guard.js';
import { MatrixSdkError } from './matrix-sdk-error.js';
import { readablePath } from './errcodes.js';

/**
 * What a {@link ResponseTooLargeError} is built from.
 *
 * @example
 * ```ts
 * const error = new ResponseTooLargeError({ limit: 1024, received: 4096, declared: true, method: 'GET', path: '/_matrix/client/v1/media/download/x/y' } satisfies ResponseTooLargeErrorInit);
 * ```
 */
export interface ResponseTooLargeErrorInit {
  /** The limit in bytes. */
  limit: number;
  /** Bytes received (or declared by `Content-Length`) when the download was stopped. */
  received: number;
  /** Whether `received` is the declared `Content-Length` rather than a count. */
  declared: boolean;
  /** HTTP method of the request. */
  method: string;
  /** The request path, percent-encoded, without query string. */
  path: string;
}

/**
 * A response body larger than `maxResponseBytes`; the download was stopped
 * (at once for a declared `Content-Length`, else as soon as the count passed the limit).
 *
 * @example
 * ```ts
 * try { await client.media.download(mxc).get({ maxResponseBytes: 1_000_000 }); }
 * catch (error) { if (error instanceof ResponseTooLargeError) console.warn(`over ${error.limit} bytes`); }
 * ```
 */
export class ResponseTooLargeError extends MatrixSdkError {
  override name = 'ResponseTooLargeError';
  /** Always `M_TOO_LARGE`, so it can be handled like the server's own error code. */
  readonly errcode = 'M_TOO_LARGE' as const;
  /** The limit in bytes. */
  readonly limit: number;
  /** Bytes received (or declared) when the download was stopped. */
  readonly received: number;
  /** HTTP method of the request. */
  readonly method: string;
  /** The request path, percent-encoded, without query string. */
  readonly path: string;

  constructor(init: ResponseTooLargeErrorInit) {
    const what = init.declared ? `declares ${init.received} bytes` : `passed ${init.received} bytes`;
    super(
      `[M_TOO_LARGE] Response ${what}, over the limit of ${init.limit}: ${init.method} ${readablePath(init.path)}`,
    );
    this.limit = init.limit;
    this.received = init.received;
    this.method = init.method;
    this.path = init.path;
  }
}

/**
 * Whether a value is a {@link ResponseTooLargeError}, across realms.
 *
 * @example
 * ```ts
 * if (isResponseTooLargeError(error)) console.warn(error.limit, error.received);
 * ```
 */
export function isResponseTooLargeError(value: unknown): value is ResponseTooLargeError {
  return isErrorNamed(value, 'ResponseTooLargeError');
}
