/**
 * A scripted homeserver on 127.0.0.1 for the sync tests: `/sync` answers come
 * from a script (one function per request, the last one repeating), other
 * routes from a table. Every request is logged.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from '../support/loopback.js';

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  headers: IncomingMessage['headers'];
}

/** Answers one request. Return nothing to leave it hanging (a stalled long poll). */
export type FakeHandler = (req: FakeRequest, res: ServerResponse, index: number) => void | Promise<void>;

export interface FakeServer {
  url: string;
  /** Every request, in arrival order. */
  requests: FakeRequest[];
  /** The `/sync` requests only. */
  syncs: FakeRequest[];
  /** Resolves when the n-th (1-based) `/sync` request has arrived. */
  waitForSync(n: number): Promise<FakeRequest>;
  close(): Promise<void>;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** A `/sync` answer with a body. */
export const reply = (body: unknown, status = 200): FakeHandler => (_req, res) => sendJson(res, status, body);
/** A `/sync` request that never gets an answer. */
export const hang: FakeHandler = () => {};

export async function startFakeServer(
  syncScript: readonly FakeHandler[],
  routes: Record<string, FakeHandler> = {},
): Promise<FakeServer> {
  const requests: FakeRequest[] = [];
  const syncs: FakeRequest[] = [];
  const waiters: { n: number; resolve: (r: FakeRequest) => void }[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const text = Buffer.concat(chunks).toString('utf8');
      const entry: FakeRequest = {
        method: req.method ?? '',
        path: decodeURIComponent(url.pathname),
        query: url.searchParams,
        body: text === '' ? undefined : (JSON.parse(text) as unknown),
        headers: req.headers,
      };
      requests.push(entry);
      let handler: FakeHandler | undefined;
      let index = 0;
      if (entry.method === 'GET' && entry.path === '/_matrix/client/v3/sync') {
        index = syncs.length;
        syncs.push(entry);
        for (const w of waiters.filter((w) => w.n === syncs.length)) w.resolve(entry);
        handler = syncScript[Math.min(index, syncScript.length - 1)];
      } else {
        const key = Object.keys(routes).find((k) => {
          const [method, pattern] = k.split(' ') as [string, string];
          return method === entry.method && new RegExp(`^${pattern}$`).test(entry.path);
        });
        handler = key === undefined ? undefined : routes[key];
      }
      if (handler === undefined) {
        sendJson(res, 404, { errcode: 'M_UNRECOGNIZED', error: `no route for ${entry.method} ${entry.path}` });
        return;
      }
      Promise.resolve(handler(entry, res, index)).catch((error: unknown) => res.destroy(error as Error));
    });
  });
  const { url, close } = await listenOnLoopback(server);
  return {
    url,
    requests,
    syncs,
    waitForSync: (n) =>
      syncs.length >= n ? Promise.resolve(syncs[n - 1]!) : new Promise((resolve) => waiters.push({ n, resolve })),
    close,
  };
}

let counter = 0;

/** A message event. */
export function message(body: string, sender = '@alice:test', eventId = `$m${++counter}`): Record<string, unknown> {
  return { type: 'm.room.message', event_id: eventId, sender, origin_server_ts: 1, content: { msgtype: 'm.text', body } };
}

/** A state event. */
export function stateEvent(type: string, stateKey: string, content: Record<string, unknown>, sender = '@alice:test'): Record<string, unknown> {
  return { type, state_key: stateKey, event_id: `$s${++counter}`, sender, origin_server_ts: 1, content };
}

/** A `/sync` body. */
export function syncBody(nextBatch: string, rooms: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { next_batch: nextBatch, rooms, ...extra };
}
