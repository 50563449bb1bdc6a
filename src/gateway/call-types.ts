/**
 * The call signature of every operation, computed from the generated operation
 * types by route key. The chain interfaces point here through `Calls`.
 */
import type { Operations } from '../../generated/operations.js';
import type { RouteKey } from '../../generated/routes.js';
import type { RequestOptions } from '../transport/types.js';
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

/** Whether the operation's request body is required. */
type BodyRequired<O> = O extends { requestBody: { content: unknown } } ? true : false;

/**
 * The query parameters of an operation, or `never`.
 *
 * @example
 * ```ts
 * type MessagesQuery = QueryOf<Operations['GET /_matrix/client/v3/rooms/{roomId}/messages']>;
 * const query: MessagesQuery = { dir: 'b', limit: 10 };
 * ```
 */
export type QueryOf<O> = O extends { parameters: { query?: infer Q } } ? ([Q] extends [undefined] ? never : Exclude<Q, undefined>) : never;

type SuccessStatus = 200 | 201 | 202;

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

type Result<O> = Promise<[ResponseOf<O>] extends [never] ? unknown : ResponseOf<O>>;

type JsonBodyCall<O> = [QueryOf<O>] extends [never]
  ? BodyRequired<O> extends true
    ? (body: RequestBodyOf<O>, options?: RequestOptions) => Result<O>
    : (body?: RequestBodyOf<O>, options?: RequestOptions) => Result<O>
  : HasRequiredKeys<QueryOf<O>> extends true
    ? (body: RequestBodyOf<O> | (BodyRequired<O> extends true ? never : undefined), options: OptionsWithQuery<QueryOf<O>>) => Result<O>
    : BodyRequired<O> extends true
      ? (body: RequestBodyOf<O>, options?: OptionsWithQuery<QueryOf<O>>) => Result<O>
      : (body?: RequestBodyOf<O>, options?: OptionsWithQuery<QueryOf<O>>) => Result<O>;

type NoBodyCall<O, R> = [QueryOf<O>] extends [never]
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
          : NoBodyCall<Op<R>, Result<Op<R>>>
    : JsonBodyCall<Op<R>>;

/**
 * The call signature of every route: the type argument of the chain interfaces.
 *
 * @example
 * ```ts
 * const api: ApiChain<Calls> = createClient({ baseUrl, accessToken }).api;
 * ```
 */
export type Calls = { readonly [R in RouteKey]: Call<R> };
