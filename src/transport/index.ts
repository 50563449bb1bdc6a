/**
 * The shared HTTP transport: one per client, used by every gateway.
 * @module
 */
export { createTransport, type HttpTransport } from './http-transport.js';
export { DEFAULT_TRANSPORT_OPTIONS, WARN_LOGGER, defaultSleep, type ResolvedRetryOptions } from './defaults.js';
export type {
  TransportHook,
  TransportHookState,
  TransportHooks,
  TransportIdentity,
  TransportLogger,
  TransportOptions,
} from './options.js';
export { redactUrl, createScrubber, REDACTED, SECRET_QUERY_PARAMS } from './redact.js';
export { serializeQuery, buildUrl } from './query.js';
export {
  resolveRetryOptions,
  isRepeatable,
  exponentialDelay,
  jitteredDelay,
  parseRetryAfter,
  serverRetryAfter,
} from './retry.js';
export type {
  HttpMethod,
  QueryValue,
  RawResponse,
  RequestOptions,
  RetryOptions,
  Transport,
  TransportRequest,
} from './types.js';
