/**
 * The binary media gateway: uploads, downloads and thumbnails over the shared
 * transport, authenticated media first with the legacy routes as a fallback
 * on servers that do not offer it.
 */
import type { RouteInfo } from '../../generated/routes.js';
import type { Transport, TransportRequest } from '../transport/types.js';
import { bindParams, encodePath, jsonRequest, optionsArgument, type MediaDispatch, type RouteTable } from '../gateway/dispatch.js';
import { InvalidResponseError } from '../errors/invalid-response-error.js';
import { untilAborted } from '../transport/delay.js';
import { mediaResponse } from './media-response.js';
import type { BinaryBody, UploadOptions } from './types.js';

/** How long the `/versions` probe may take. */
const PROBE_TIMEOUT_MS = 10_000;

/** How much of an upload's answer an error keeps, as the transport's own excerpts. */
const EXCERPT_CHARS = 1024;

/** The first Matrix version whose servers must offer authenticated media. */
const AUTHENTICATED_MEDIA_SINCE = [1, 11] as const;

/**
 * Whether a `/versions` answer says the server offers authenticated media.
 *
 * @example
 * ```ts
 * supportsAuthenticatedMedia(await client.api.versions.get()); // true from spec v1.11 on
 * ```
 */
export function supportsAuthenticatedMedia(versions: unknown): boolean {
  if (typeof versions !== 'object' || versions === null) return true;
  const { versions: list, unstable_features: features } = versions as { versions?: unknown; unstable_features?: unknown };
  if (typeof features === 'object' && features !== null && (features as Record<string, unknown>)['org.matrix.msc3916.stable'] === true) return true;
  if (!Array.isArray(list)) return true;
  return list.some((v) => {
    const match = typeof v === 'string' ? /^v(\d+)\.(\d+)/.exec(v) : null;
    if (!match) return false;
    const [major, minor] = [Number(match[1]), Number(match[2])];
    return major > AUTHENTICATED_MEDIA_SINCE[0] || (major === AUTHENTICATED_MEDIA_SINCE[0] && minor >= AUTHENTICATED_MEDIA_SINCE[1]);
  });
}

function isOneShot(data: BinaryBody): boolean {
  return !(data instanceof Uint8Array || data instanceof ArrayBuffer || (typeof Blob !== 'undefined' && data instanceof Blob));
}

/** The media half of a client. One per transport, so the version probe runs once. */
export class MediaGateway implements MediaDispatch {
  private readonly table: RouteTable;
  private readonly transport: Transport;
  private readonly state: { probe: Promise<boolean> | undefined };

  constructor(table: RouteTable, transport: Transport, state: { probe: Promise<boolean> | undefined } = { probe: undefined }) {
    this.table = table;
    this.transport = transport;
    this.state = state;
  }

  /** A gateway over another transport (a masquerading one) sharing this one's probe. */
  withTransport(transport: Transport): MediaGateway {
    return new MediaGateway(this.table, transport, this.state);
  }

  /** Whether the server offers authenticated media: asks `/versions` once per client. */
  authenticated(): Promise<boolean> {
    const state = this.state;
    state.probe ??= this.transport
      .requestJson({
        method: 'GET',
        route: 'GET /_matrix/client/versions',
        path: '/_matrix/client/versions',
        bodyKind: 'none',
        responseKind: 'json',
        safeToRetry: true,
        authenticated: true,
        // A short probe: a slow /versions must not hold media calls for minutes.
        options: { timeout: PROBE_TIMEOUT_MS, retry: 1 },
      })
      .then(supportsAuthenticatedMedia, () => {
        // The probe failed: let it be tried again by the next call, and assume a current server.
        state.probe = undefined;
        return true;
      });
    return state.probe;
  }

  async call(route: string, values: readonly string[], args: readonly unknown[]): Promise<unknown> {
    let key = route;
    const first = this.table.routes[route]!;
    const fallback = first.fallback;
    if (fallback !== null) {
      // The caller's signal also ends the wait for the probe.
      const options = optionsArgument(first, args) as { signal?: AbortSignal } | undefined;
      if (!(await untilAborted(this.authenticated(), options?.signal))) key = fallback;
    }
    const info = this.table.routes[key]!;
    const path = encodePath(info, bindParams(info, key, values));
    if (info.body === 'binary') {
      const answer = await this.transport.requestJson(this.uploadRequest(info, key, path, args));
      // `POST upload` answers an object whose `content_uri` is required; the
      // upload to an mxc created first (`PUT upload/{serverName}/{mediaId}`)
      // answers `{}` and is not held to it.
      if (info.answer === 'object') this.checkContentUri(answer, info.method, path);
      return answer;
    }
    const request = jsonRequest(info, key, path, args);
    if (info.response !== 'binary') return this.transport.requestJson(request);
    // Its redirect mode is the route's: downloads and thumbnails follow (see routeRedirectMode).
    return mediaResponse(await this.transport.requestRaw({ ...request, responseKind: 'binary' }));
  }

  /** Refuses an upload's answer without an `mxc://` `content_uri`, as an {@link InvalidResponseError}. */
  private checkContentUri(answer: unknown, method: string, path: string): void {
    const uri = typeof answer === 'object' && answer !== null ? (answer as { content_uri?: unknown }).content_uri : undefined;
    let problem: string | undefined;
    if (uri === undefined) problem = 'an object without a content_uri';
    else if (typeof uri !== 'string') problem = 'an object whose content_uri is not a string';
    else if (!uri.startsWith('mxc://')) problem = 'an object whose content_uri is not an mxc:// URI';
    if (problem === undefined) return;
    const scrub = (text: string): string => (this.transport.scrub === undefined ? text : this.transport.scrub(text));
    throw new InvalidResponseError(200, scrub(JSON.stringify(answer)).slice(0, EXCERPT_CHARS), method, scrub(path), {
      problem: `${problem}, where the operation answers an mxc:// content_uri`,
    });
  }

  private uploadRequest(info: RouteInfo, route: string, path: string, args: readonly unknown[]): TransportRequest {
    const data = args[0] as BinaryBody | undefined;
    if (data === undefined || data === null || typeof data !== 'object') {
      throw new TypeError(`${route}: the upload needs bytes (Uint8Array, ArrayBuffer, Blob or a stream)`);
    }
    const { contentType, filename, size, query, ...options } = (args[1] ?? {}) as UploadOptions & { query?: Record<string, string> };
    if (size !== undefined) {
      if (!Number.isSafeInteger(size) || size < 0) throw new TypeError(`${route}: size must be a whole number of bytes, got ${String(size)}`);
      options.headers = { ...options.headers, 'content-length': String(size) };
    }
    const blobType = typeof Blob !== 'undefined' && data instanceof Blob && data.type ? data.type : undefined;
    const request: TransportRequest = {
      method: info.method,
      route,
      path,
      body: data,
      bodyKind: 'binary',
      contentType: contentType ?? blobType ?? 'application/octet-stream',
      responseKind: 'json',
      // Held to the route table's shape, as every JSON answer: an empty body is
      // `{}` only where the answer has no required fields.
      answer: info.answer,
      // Bytes in memory can be sent again; a stream cannot be replayed.
      safeToRetry: !isOneShot(data),
      authenticated: info.auth !== 'none',
      options,
    };
    const fullQuery = { ...query, ...(filename !== undefined ? { filename } : {}) };
    if (Object.keys(fullQuery).length > 0) request.query = fullQuery;
    return request;
  }
}
