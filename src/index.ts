/**
 * matrix-fluent: a Matrix SDK generated from the official spec.
 * @module
 */
export { createClient, type ClientOptions, type MatrixClient, type ActAsOptions } from './client.js';
export type { Calls, Call, RequestBodyOf, QueryOf, ResponseOf } from './gateway/call-types.js';
export type { ApiChain, MediaChain, WellKnownChain } from '../generated/chains.js';
export { ROUTES, SPEC_VERSION, type RouteInfo, type RouteKey } from '../generated/routes.js';
export type { Operations } from '../generated/operations.js';
export type { BinaryBody, MediaResponse, UploadOptions } from './media/types.js';
export { filenameFromDisposition } from './media/media-response.js';
export { supportsAuthenticatedMedia } from './media/gateway.js';
export { createTransport, DEFAULT_TRANSPORT_OPTIONS } from './transport/index.js';
export type {
  HttpTransport,
  TransportHook,
  TransportHookState,
  TransportHooks,
  TransportIdentity,
  TransportLogger,
  TransportOptions,
  RequestOptions,
  RetryOptions,
  Transport,
  TransportRequest,
  RawResponse,
  QueryValue,
  HttpMethod,
} from './transport/index.js';
export * from './errors/index.js';
