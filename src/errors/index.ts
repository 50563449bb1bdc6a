/**
 * The typed errors of the SDK. Every guard compares `name`, so it works across
 * realms and duplicated package copies.
 * @module
 */
export { MatrixSdkError, isMatrixSdkError } from './matrix-sdk-error.js';
export { InvalidEndpointError, isInvalidEndpointError } from './invalid-endpoint-error.js';
export type { MatrixErrcode } from './errcodes.js';
export { MatrixError, isMatrixError, type MatrixErrorInit } from './matrix-error.js';
export { RateLimitError, isRateLimitError } from './rate-limit-error.js';
export {
  ResponseTooLargeError,
  isResponseTooLargeError,
  type ResponseTooLargeErrorInit,
} from './response-too-large-error.js';
export { NetworkError, isNetworkError } from './network-error.js';
export { TimeoutError, isTimeoutError } from './timeout-error.js';
export { InvalidResponseError, isInvalidResponseError } from './invalid-response-error.js';
export { RedirectError, isRedirectError, type RedirectErrorInit, type RedirectRefusal } from './redirect-error.js';
export { SyncStalledError, isSyncStalledError } from './sync-stalled-error.js';
export { ActAsConflictError, isActAsConflictError } from './act-as-conflict-error.js';
