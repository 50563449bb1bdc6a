/**
 * A fetch that answers in-process and records what left the client: for tests
 * that check the exact method and URL of a call, not transport behaviour.
 */

/** One request as it left the client. */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: Headers;
  body: string;
}

/** Options of {@link recordingFetch}. */
export interface RecordingFetchOptions {
  /** What `/_matrix/client/versions` answers. @default ['v1.11', 'v1.19'] */
  versions?: string[];
}

/** A fetch that records requests and answers `{}`, bytes for media, and a version list. */
export function recordingFetch(options: RecordingFetchOptions = {}): { fetch: typeof fetch; requests: RecordedRequest[] } {
  const requests: RecordedRequest[] = [];
  const impl = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const body = request.body ? await request.text() : '';
    requests.push({ method: request.method, url: request.url, headers: request.headers, body });
    const { pathname } = new URL(request.url);
    if (pathname === '/_matrix/client/versions') {
      return Response.json({ versions: options.versions ?? ['v1.11', 'v1.19'] });
    }
    if (/\/media\/(v\d+\/)?(download|thumbnail)\//.test(pathname)) {
      return new Response(new Uint8Array([137, 80, 78, 71]), {
        headers: { 'content-type': 'image/png', 'content-disposition': 'inline; filename="a.png"', 'content-length': '4' },
      });
    }
    if (request.method === 'POST' && /\/media\/v\d+\/upload$/.test(pathname)) {
      // As a server answers an upload: its content_uri is required.
      return Response.json({ content_uri: 'mxc://hs.test/uploaded' });
    }
    return Response.json({});
  };
  return { fetch: impl as typeof fetch, requests };
}
