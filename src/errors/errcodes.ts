/**
 * The error codes the Matrix specification defines, plus any other string a
 * server may send (`string & {}` keeps editor completion for the known ones).
 *
 * @example
 * ```ts
 * const retryable = (code: MatrixErrcode | undefined): boolean => code === 'M_LIMIT_EXCEEDED';
 * ```
 */
export type MatrixErrcode =
  | 'M_FORBIDDEN'
  | 'M_UNKNOWN_TOKEN'
  | 'M_MISSING_TOKEN'
  | 'M_USER_LOCKED'
  | 'M_USER_SUSPENDED'
  | 'M_BAD_JSON'
  | 'M_NOT_JSON'
  | 'M_NOT_FOUND'
  | 'M_LIMIT_EXCEEDED'
  | 'M_UNRECOGNIZED'
  | 'M_UNKNOWN'
  | 'M_UNAUTHORIZED'
  | 'M_USER_DEACTIVATED'
  | 'M_USER_IN_USE'
  | 'M_INVALID_USERNAME'
  | 'M_ROOM_IN_USE'
  | 'M_INVALID_ROOM_STATE'
  | 'M_THREEPID_IN_USE'
  | 'M_THREEPID_NOT_FOUND'
  | 'M_THREEPID_AUTH_FAILED'
  | 'M_THREEPID_DENIED'
  | 'M_THREEPID_MEDIUM_NOT_SUPPORTED'
  | 'M_SERVER_NOT_TRUSTED'
  | 'M_UNSUPPORTED_ROOM_VERSION'
  | 'M_INCOMPATIBLE_ROOM_VERSION'
  | 'M_BAD_STATE'
  | 'M_GUEST_ACCESS_FORBIDDEN'
  | 'M_CAPTCHA_NEEDED'
  | 'M_CAPTCHA_INVALID'
  | 'M_MISSING_PARAM'
  | 'M_INVALID_PARAM'
  | 'M_TOO_LARGE'
  | 'M_EXCLUSIVE'
  | 'M_RESOURCE_LIMIT_EXCEEDED'
  | 'M_CANNOT_LEAVE_SERVER_NOTICE_ROOM'
  | 'M_NOT_YET_UPLOADED'
  | 'M_WRONG_ROOM_KEYS_VERSION'
  | 'M_UNABLE_TO_AUTHORISE_JOIN'
  | 'M_UNABLE_TO_GRANT_JOIN'
  | 'M_WEAK_PASSWORD'
  | 'M_INVALID_SIGNATURE'
  | 'M_DUPLICATE_ANNOTATION'
  | 'M_CONNECTION_FAILED'
  | 'M_CONNECTION_TIMEOUT'
  | (string & {});

/**
 * Turns an encoded request path into a readable one for messages
 * (`%21r%3Ax` → `!r:x`); segments that do not decode are kept as sent.
 */
export function readablePath(path: string): string {
  return path
    .split('/')
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    })
    .join('/');
}
