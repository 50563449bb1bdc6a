/**
 * The call signature of every operation, computed from the generated operation
 * types by route key. The chain interfaces point here through `Calls`.
 */
import type { Operations } from '../../generated/operations.js';
import type { RouteKey } from '../../generated/routes.js';
import type { RedirectResponse, RequestOptions } from '../transport/types.js';
import type { BinaryBody, MediaResponse, UploadOptions } from '../media/types.js';

type Op<R extends RouteKey> = Operations[R];

/** Whether an object type has a required key. */
type HasRequiredKeys<T> = {} extends T ? false : true;

/**
 * The JSON request body of an operation, or `never`.
 *
 * @example
 * ```ts
 * type BanBody = RequestBodyOf<Operations['POST /_matrix/client/v3/rooms/{roomId}/ban']>;
 * const body: BanBody = { user_id: '@spam:example.org', reason: 'spam' };
 * ```
 */
export type RequestBodyOf<O> = O extends { requestBody?: infer B }
  ? B extends { content: { 'application/json': infer J } } ? J : never
  : never;

/**
 * Whether a call must pass a body: the spec requires one and it has a required
 * key. A required body without required keys (`leave`, `join`) may be left out;
 * the runtime sends `{}` for it.
 */
type BodyRequired<O, B = RequestBodyOf<O>> = O extends { requestBody: { content: unknown } } ? HasRequiredKeys<B> : false;

/**
 * Query parameters as real code holds them: an optional one also takes
 * `undefined` (left out of the URL), so a `string | undefined` can be passed
 * under `exactOptionalPropertyTypes`.
 */
export type LooseQuery<Q> = { [K in keyof Q]: {} extends Pick<Q, K> ? Q[K] | undefined : Q[K] };

/**
 * The query parameters of an operation, or `never`.
 *
 * @example
 * ```ts
 * type MessagesQuery = QueryOf<Operations['GET /_matrix/client/v3/rooms/{roomId}/messages']>;
 * const query: MessagesQuery = { dir: 'b', limit: 10 };
 * ```
 */
export type QueryOf<O> = O extends { parameters: { query?: infer Q } } ? ([Q] extends [undefined] ? never : LooseQuery<Exclude<Q, undefined>>) : never;

type SuccessStatus = 200 | 201 | 202;

/** Whether an operation's answer is a redirect: a 3xx response and no 2xx one (SSO login). */
type AnswersRedirect<O> = O extends { responses: infer Rs }
  ? [keyof Rs & SuccessStatus] extends [never]
    ? [keyof Rs & (301 | 302 | 303 | 307 | 308)] extends [never] ? false : true
    : false
  : false;

/**
 * The success response body of an operation.
 *
 * @example
 * ```ts
 * type Whoami = ResponseOf<Operations['GET /_matrix/client/v3/account/whoami']>;
 * const me: Whoami = await client.api.account.whoami.get();
 * ```
 */
export type ResponseOf<O> = O extends { responses: infer Rs }
  ? {
      [S in keyof Rs & SuccessStatus]: Rs[S] extends { content: { 'application/json': infer D } } ? D : unknown;
    }[keyof Rs & SuccessStatus]
  : never;

/** Per-call options plus the operation's query, when it takes a body too. */
export type OptionsWithQuery<Q> = [Q] extends [never]
  ? RequestOptions
  : RequestOptions & (HasRequiredKeys<Q> extends true ? { query: Q } : { query?: Q });

/** The promised result of an operation. */
export type Result<O> = Promise<[ResponseOf<O>] extends [never] ? unknown : ResponseOf<O>>;

/** The call of an operation with a JSON body `B` (the spec's, or an event content) answering `R`. */
export type JsonBodyCall<O, B = RequestBodyOf<O>, R = Result<O>> = [QueryOf<O>] extends [never]
  ? BodyRequired<O, B> extends true
    ? (body: B, options?: RequestOptions) => R
    : (body?: B, options?: RequestOptions) => R
  : HasRequiredKeys<QueryOf<O>> extends true
    ? (body: B | (BodyRequired<O, B> extends true ? never : undefined), options: OptionsWithQuery<QueryOf<O>>) => R
    : BodyRequired<O, B> extends true
      ? (body: B, options?: OptionsWithQuery<QueryOf<O>>) => R
      : (body?: B, options?: OptionsWithQuery<QueryOf<O>>) => R;

/** The call of an operation without a body, answering `R`. */
export type NoBodyCall<O, R> = [QueryOf<O>] extends [never]
  ? (options?: RequestOptions) => R
  : HasRequiredKeys<QueryOf<O>> extends true
    ? (query: QueryOf<O>, options?: RequestOptions) => R
    : (query?: QueryOf<O>, options?: RequestOptions) => R;

type BinaryBodyCall<O> = (data: BinaryBody, options?: UploadOptions & OptionsWithQuery<Omit<QueryOf<O>, 'filename'>>) => Result<O>;

/**
 * The call signature of one operation, by route key.
 *
 * @example
 * ```ts
 * type Ban = Call<'POST /_matrix/client/v3/rooms/{roomId}/ban'>;
 * // (body: { user_id: string; reason?: string }, options?: RequestOptions) => Promise<...>
 * ```
 */
export type Call<R extends RouteKey> =
  [RequestBodyOf<Op<R>>] extends [never]
    ? Op<R> extends { requestBody: { content: { 'application/octet-stream': unknown } } }
      ? BinaryBodyCall<Op<R>>
      : Op<R> extends { responses: { 200: { content: { 'application/json': unknown } } } }
        ? NoBodyCall<Op<R>, Result<Op<R>>>
        : Op<R> extends { responses: { 200: { content: unknown } } }
          ? NoBodyCall<Op<R>, Promise<MediaResponse>>
          : AnswersRedirect<Op<R>> extends true
            ? NoBodyCall<Op<R>, Promise<RedirectResponse>>
            : NoBodyCall<Op<R>, Result<Op<R>>>
    : JsonBodyCall<Op<R>>;

/**
 * The call signature of every route, before the event-typed ones are typed by their event type.
 *
 * @example
 * ```ts
 * type Whoami = UntypedCalls['GET /_matrix/client/v3/account/whoami'];
 * ```
 */
export type UntypedCalls = { readonly [R in RouteKey]: Call<R> };

export type { Calls, EventCalls, EventRouteKey, GetStateCall, StateEventOf, ToDeviceBody } from './event-calls.js';
