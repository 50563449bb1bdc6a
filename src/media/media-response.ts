import type { RawResponse } from '../transport/types.js';
import type { MediaResponse } from './types.js';

/**
 * The file name of a Content-Disposition header (`filename*` preferred), if any.
 *
 * @example
 * ```ts
 * filenameFromDisposition("attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf"); // 'résumé.pdf'
 * ```
 */
export function filenameFromDisposition(header: string | null): string | undefined {
  if (!header) return undefined;
  const extended = /filename\*\s*=\s*([^;]+)/i.exec(header);
  if (extended) {
    const value = extended[1]!.trim().replace(/^"|"$/g, '');
    const match = /^[^']*'[^']*'(.*)$/.exec(value);
    try {
      return decodeURIComponent(match ? match[1]! : value);
    } catch {
      // a malformed extended value: fall back to the plain one
    }
  }
  const plain = /filename\s*=\s*("((?:[^"\\]|\\.)*)"|[^;]+)/i.exec(header);
  if (!plain) return undefined;
  return plain[2] !== undefined ? plain[2].replace(/\\(.)/g, '$1') : plain[1]!.trim();
}

/** Wraps a raw transport response as a {@link MediaResponse}; its body can be read once. */
export function mediaResponse(raw: RawResponse): MediaResponse {
  let used = false;
  const take = (): ReadableStream<Uint8Array> => {
    if (used) throw new TypeError('The media body was already read');
    used = true;
    return raw.body ?? new ReadableStream<Uint8Array>({ start: (c) => c.close() });
  };
  const length = raw.headers.get('content-length');
  const contentType = raw.headers.get('content-type') ?? undefined;
  const bytes = async (): Promise<Uint8Array<ArrayBuffer>> => new Uint8Array(await new Response(take()).arrayBuffer());
  return {
    contentType,
    filename: filenameFromDisposition(raw.headers.get('content-disposition')),
    size: length !== null && /^\d+$/.test(length) ? Number(length) : undefined,
    status: raw.status,
    bytes,
    blob: async () => new Blob([await bytes()], contentType ? { type: contentType } : {}),
    stream: take,
    cancel: async (reason?: unknown) => {
      if (used) return;
      await take().cancel(reason);
    },
  };
}
