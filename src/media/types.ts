/**
 * Types of the binary media gateway.
 */
import type { RequestOptions } from '../transport/types.js';

/**
 * Bytes to upload: in memory (replayable, so retried) or a one-shot stream (never retried).
 *
 * @example
 * ```ts
 * const data: BinaryBody = new Blob(['hello'], { type: 'text/plain' });
 * await client.media.upload.post(data, { contentType: 'text/plain' });
 * ```
 */
export type BinaryBody =
  | Uint8Array
  | ArrayBuffer
  | Blob
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array>;

/**
 * Options of an upload.
 *
 * @example
 * ```ts
 * const options: UploadOptions = { contentType: 'image/png', filename: 'cat.png', size: bytes.length };
 * const { content_uri } = await client.media.upload.post(bytes, options);
 * ```
 */
export interface UploadOptions extends RequestOptions {
  /** The media type of the bytes. @default 'application/octet-stream' (or the Blob's type) */
  contentType?: string;
  /** The file name the server keeps with the media. */
  filename?: string;
  /**
   * The length of a stream in bytes, sent as Content-Length. Bytes and Blobs carry their
   * own; a stream sent without it goes chunked, which some servers refuse (Synapse
   * answers 400 "Request must specify a Content-Length").
   */
  size?: number;
}

/**
 * A downloaded file or thumbnail, its body read at most once.
 *
 * @example
 * ```ts
 * const file: MediaResponse = await client.media.download('mxc://example.org/abc123').get();
 * console.log(file.contentType, file.filename, (await file.bytes()).length);
 * ```
 */
export interface MediaResponse {
  /** The Content-Type the server gave. */
  readonly contentType: string | undefined;
  /** The file name from Content-Disposition, when the server gave one. */
  readonly filename: string | undefined;
  /** The Content-Length, when the server gave one. */
  readonly size: number | undefined;
  /** The HTTP status (200 after any redirect). */
  readonly status: number;
  /** The whole body as bytes (size-limited). */
  bytes(): Promise<Uint8Array>;
  /** The whole body as a Blob of the response's type (size-limited). */
  blob(): Promise<Blob>;
  /** The body as a web stream (size-limited while it flows). */
  stream(): ReadableStream<Uint8Array>;
  /** Drops the body unread, releasing the connection: call it for a response you will not read. */
  cancel(reason?: unknown): Promise<void>;
}
