import { isErrorNamed } from './guard.js';
import { MatrixSdkError } from './matrix-sdk-error.js';
import { readablePath } from './errcodes.js';

/**
 * Why a redirect was not followed:
 * - `not-followed`: the operation does not follow redirects (the spec does not say it may be
 *   redirected, and the caller did not pass `followRedirects: true`);
 * - `too-many`: more than `maxRedirects` hops;
 * - `cross-origin-body`: following would send the request body to another origin;
 * - `streamed-body`: following would send a one-shot upload stream again;
 * - `downgrade`: from `https:` to `http:`;
 * - `scheme`: the Location is not `http:` or `https:`;
 * - `malformed`: the Location is not a URL;
 * - `opaque`: the runtime (a browser) hides the redirect, and it cannot be followed safely.
 *
 * @example
 * ```ts
 * if (isRedirectError(error) && error.reason === 'downgrade') console.warn('the server sent us to plain http');
 * ```
 */
export type RedirectRefusal =
  | 'not-followed'
  | 'too-many'
  | 'cross-origin-body'
  | 'streamed-body'
  | 'downgrade'
  | 'scheme'
  | 'malformed'
  | 'opaque';

const WHY: Record<RedirectRefusal, string> = {
  'not-followed': 'this operation does not follow redirects; pass followRedirects: true to follow',
  'too-many': 'too many redirects',
  'cross-origin-body': 'the request body would go to another origin',
  'streamed-body': 'a streamed upload cannot be sent again',
  downgrade: 'https to http',
  scheme: 'not an http(s) URL',
  malformed: 'the Location is not a URL',
  opaque: 'the runtime hides the redirect',
};

/**
 * The fields of a {@link RedirectError}.
 *
 * @example
 * ```ts
 * new RedirectError({ reason: 'too-many', status: 307, location: undefined, method: 'GET', path: '/x' });
 * ```
 */
export interface RedirectErrorInit {
  /** Why it was refused. */
  reason: RedirectRefusal;
  /** The redirect's status (0 when the runtime hid it). */
  status: number;
  /** The Location, resolved and with credentials redacted, when there is one. */
  location: string | undefined;
  /** HTTP method of the request. */
  method: string;
  /** The request path, percent-encoded, without query string. */
  path: string;
}

/**
 * A redirect the transport would not follow (see the README's redirect policy). Final:
 * never retried.
 *
 * @example
 * ```ts
 * try {
 *   await client.api.account.whoami.get();
 * } catch (error) {
 *   if (isRedirectError(error)) console.warn(error.reason, error.status, error.location);
 * }
 * ```
 */
export class RedirectError extends MatrixSdkError {
  override name = 'RedirectError';
  /** Why the redirect was not followed. */
  readonly reason: RedirectRefusal;
  /** The redirect's status (0 when the runtime hid it). */
  readonly status: number;
  /** The Location, resolved and with credentials redacted, when there is one. */
  readonly location: string | undefined;
  /** HTTP method of the request. */
  readonly method: string;
  /** The request path, percent-encoded, without query string. */
  readonly path: string;

  constructor(init: RedirectErrorInit) {
    const to = init.location === undefined ? '' : ` to ${originOf(init.location)}`;
    super(`[${init.status}] Redirect${to} refused (${WHY[init.reason]}): ${init.method} ${readablePath(init.path)}`);
    this.reason = init.reason;
    this.status = init.status;
    this.location = init.location;
    this.method = init.method;
    this.path = init.path;
  }
}

/** The origin of a URL for messages (the path and query can be long), or the text if it is none. */
function originOf(location: string): string {
  try {
    const url = new URL(location);
    return url.origin === 'null' ? `${url.protocol}…` : url.origin;
  } catch {
    return 'an invalid URL';
  }
}

/**
 * Whether a value is a {@link RedirectError}, across realms.
 *
 * @example
 * ```ts
 * if (isRedirectError(error) && error.reason === 'not-followed') retryWithOptIn();
 * ```
 */
export function isRedirectError(value: unknown): value is RedirectError {
  return isErrorNamed(value, 'RedirectError');
}
