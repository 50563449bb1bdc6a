/**
 * The shared HTTP transport: one per client, used by every gateway.
 * @module
 */
export { createTransport, type HttpTransport } from './http-transport.js';
export {
  resolveEngine,
  type EngineBody,
  type EngineChoice,
  type EngineHeaders,
  type EngineRequest,
  type EngineResponse,
  type HttpEngine,
} from './engine.js';
export { createFetchEngine } from './engines/fetch-engine.js';
export { abortableSleep, abortReason, delay, untilAborted } from './delay.js';
export { DEFAULT_TRANSPORT_OPTIONS, WARN_LOGGER, defaultSleep, type ResolvedRetryOptions } from './defaults.js';
export type {
  TransportHook,
  TransportHookState,
  TransportHooks,
  TransportIdentity,
  TransportLogger,
  TransportOptions,
} from './options.js';
export { redactUrl, createScrubber, scrubValue, scrubbedCause, isSecretName, REDACTED, type Scrub, type ScrubOptions } from './scrub.js';
export { planRedirect, redirectMode, isRedirectStatus, type RedirectMode, type RedirectPlan } from './redirects.js';
export { serializeQuery, buildUrl } from './query.js';
export {
  resolveRetryOptions,
  isRepeatable,
  backoffDelay,
  exponentialDelay,
  jitteredDelay,
  type BackoffPolicy,
  parseRetryAfter,
  serverRetryAfter,
} from './retry.js';
export type {
  AnswerShape,
  HttpMethod,
  QueryValue,
  RawResponse,
  RedirectResponse,
  RequestOptions,
  RetryOptions,
  Transport,
  TransportRequest,
} from './types.js';
