/**
 * Two loopback servers on two origins for the redirect checks of the runtime suites:
 * a stand-in homeserver that redirects every media download to a recorder on the
 * other origin, which answers the file and keeps what it was sent. Both answer
 * CORS, and allow the Authorization header on purpose: a client that kept the token
 * on the hop would send it, and the recorder would show it.
 */
import type { ServerResponse } from 'node:http';
import { expect } from 'vitest';
import { startServer, type LoggedRequest, type TestServer } from '../transport/http-test-server.js';

/** The media id the stand-in homeserver redirects (any id would do). */
export const REDIRECTED_MXC = 'mxc://example.org/redirected';

/** The redirecting homeserver and the recorder it points to. */
export interface RedirectPair {
  homeserver: TestServer;
  recorder: TestServer;
  /** The download requests the homeserver got. */
  downloads(): LoggedRequest[];
  close(): Promise<void>;
}

function cors(res: ServerResponse, status: number, headers: Record<string, string> = {}, body: string | Buffer = ''): void {
  res.writeHead(status, {
    'access-control-allow-origin': '*',
    'access-control-allow-headers': 'authorization, content-type',
    'access-control-allow-methods': 'GET, OPTIONS',
    'content-length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

/**
 * Starts the pair; the recorder answers `file` as `application/x-recorded`.
 *
 * @example
 * ```ts
 * const pair = await startRedirectPair(Buffer.from('hello'));
 * // download REDIRECTED_MXC from pair.homeserver.url, then read pair.recorder.requests
 * await pair.close();
 * ```
 */
export async function startRedirectPair(file: Buffer): Promise<RedirectPair> {
  const recorder = await startServer((req, res) => {
    if (req.method === 'OPTIONS') return cors(res, 204);
    return cors(res, 200, { 'content-type': 'application/x-recorded' }, file);
  });
  const homeserver = await startServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.method === 'OPTIONS') return cors(res, 204);
    if (path === '/_matrix/client/versions') return cors(res, 200, { 'content-type': 'application/json' }, JSON.stringify({ versions: ['v1.11'] }));
    if (path.startsWith('/_matrix/client/v1/media/download/')) return cors(res, 307, { location: `${recorder.url}/elsewhere/file` });
    return cors(res, 404, { 'content-type': 'application/json' }, JSON.stringify({ errcode: 'M_UNRECOGNIZED' }));
  });
  return {
    homeserver,
    recorder,
    downloads: () => homeserver.requests.filter((r) => r.method === 'GET' && r.url.startsWith('/_matrix/client/v1/media/download/')),
    close: async () => {
      await Promise.all([recorder.close(), homeserver.close()]);
    },
  };
}

/**
 * Checks that the token went to the stand-in homeserver with every download and
 * nowhere near the recorder: not sent, not asked for in a preflight, not in a URL.
 *
 * @example
 * ```ts
 * expectTokenStayedHome(pair, token);
 * ```
 */
export function expectTokenStayedHome(pair: RedirectPair, token: string): void {
  const downloads = pair.downloads();
  expect(downloads.length).toBeGreaterThanOrEqual(1);
  expect(downloads.map((r) => r.headers.authorization)).toEqual(downloads.map(() => `Bearer ${token}`));
  expect(pair.recorder.requests.filter((r) => r.method === 'GET').map((r) => r.url)).toEqual(['/elsewhere/file']);
  for (const request of pair.recorder.requests) {
    expect(request.headers.authorization).toBeUndefined();
    expect(request.headers['access-control-request-headers'] ?? '').not.toMatch(/authorization/i);
    expect(JSON.stringify([request.url, request.headers])).not.toContain(token);
  }
}
