/**
 * matrix-fluent: a Matrix SDK generated from the official spec.
 *
 * @example
 * ```ts
 * import { createClient } from 'matrix-fluent';
 * const client = createClient({ baseUrl: 'https://matrix.example.org', accessToken });
 * const { user_id } = await client.api.account.whoami.get();
 * ```
 * @module matrix-fluent
 */
export { createClient, type ClientOptions, type MatrixClient, type ActAsOptions } from './client.js';
export { matrixPath, type MatrixPath, type RawPath, type RawRequestOptions } from './gateway/raw-request.js';
export * from './content/index.js';
export * from './conveniences/index.js';
export type { Calls, Call, RequestBodyOf, QueryOf, ResponseOf } from './gateway/call-types.js';
export type { ApiChain, MediaChain, WellKnownChain } from '../generated/chains.js';
export { ROUTES, SPEC_VERSION, type RouteInfo, type RouteKey } from '../generated/routes.js';
export type { Operations } from '../generated/operations.js';
export type { BinaryBody, MediaResponse, UploadOptions } from './media/types.js';
export { filenameFromDisposition } from './media/media-response.js';
export { supportsAuthenticatedMedia } from './media/gateway.js';
export { createTransport, createFetchEngine, DEFAULT_TRANSPORT_OPTIONS } from './transport/index.js';
export type {
  HttpEngine,
  EngineBody,
  EngineChoice,
  EngineHeaders,
  EngineRequest,
  EngineResponse,
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
  RedirectResponse,
  AnswerShape,
  QueryValue,
  HttpMethod,
} from './transport/index.js';
export * from './errors/index.js';
export {
  SyncLoop,
  MemoryStore,
  RoomStateTracker,
  SyncStoreError,
  isSyncStoreError,
  type SyncStoreProblem,
  type SyncApi,
  type SyncState,
  type SyncStore,
} from './sync/index.js';
export type {
  SyncOptions,
  SyncFilter,
  SyncBatch,
  SyncResponse,
  JoinedRoom,
  InvitedRoom,
  LeftRoom,
  SyncHandlers,
  SyncLifecycleHandlers,
  EventHandler,
  HandlerResult,
  EventContext,
  RoomEventContext,
  EventSource,
  JoinUpdate,
  InviteUpdate,
  LeaveUpdate,
  TimelineUpdate,
  StateUpdate,
  AccountDataUpdate,
  ToDeviceUpdate,
  PresenceUpdate,
  TypingUpdate,
  ReceiptUpdate,
  ReadyInfo,
  FailedInfo,
  ResumedInfo,
  FatalInfo,
  HandlerErrorInfo,
} from './sync/types.js';
export {
  STATE_EVENT_TYPES,
  EVENT_KINDS,
  type EventContentMap,
  type KnownEventType,
  type RoomEventType,
  type StateEventType,
  type EventContent,
  type MatrixEvent,
  type RoomEvent,
  type StateEvent,
  type BasicEvent,
  type UnknownEvent,
  type StrippedStateEvent,
  type UnsignedData,
  isEventOfType,
} from './events/index.js';
export * from './appservice/index.js';
export {
  generateRegistration,
  escapeRegex,
  type AppserviceRegistration,
  type AppserviceNamespace,
  type AppserviceNamespaces,
  type GenerateRegistrationOptions,
} from './appservice/registration.js';
export {
  validateRegistration,
  parseRegistration,
  InvalidRegistrationError,
  type RegistrationValidation,
} from './appservice/registration-check.js';
export { registrationToYaml } from './appservice/registration-yaml.js';
export { NamespaceMatcher, compileNamespaceRegex } from './appservice/namespace.js';
export {
  IntentManager,
  type Intent,
  type IntentManagerOptions,
  type IntentSendOptions,
  type IntentMessageContent,
} from './appservice/intent.js';
