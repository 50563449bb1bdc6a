/**
 * The Node listener of an application service (node:http): reads each request
 * straight into the receiver (no web Request built on the hot path), counting
 * the body's bytes while it streams.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { BodyTooLargeError, DEFAULT_MAX_BODY_BYTES, RECEIVE, type ReceiverReply, type ReceiverRequest, type ReceivingAppservice } from './appservice.js';
import type { Appservice } from './types.js';

/**
 * Options of {@link listenAppservice}.
 *
 * @example
 * ```ts
 * await listenAppservice(appservice, { port: 9000, host: '127.0.0.1', maxBodyBytes: 20 * 1024 * 1024 });
 * ```
 */
export interface ListenAppserviceOptions {
  /** Port to listen on (0: any free port). */
  port: number;
  /**
   * Interface to listen on.
   * @default '127.0.0.1'
   */
  host?: string;
  /**
   * The largest request body accepted, in bytes (over it: 413 `M_TOO_LARGE`). The spec allows
   * 100 PDUs and 100 EDUs of up to 64 KiB each in a transaction.
   * @default 20 MiB
   */
  maxBodyBytes?: number;
}

/**
 * A running listener.
 *
 * @example
 * ```ts
 * const server = await listenAppservice(appservice, { port: 0 });
 * console.log(`registration url: ${server.url}`);
 * await server.close();
 * ```
 */
export interface AppserviceServer {
  /** `http://host:port` of the listener. */
  readonly url: string;
  /** The port listened on. */
  readonly port: number;
  /** Stops listening and closes the connections. */
  close(): Promise<void>;
}

/** How long a refused upload may keep sending (drained, not kept) before its connection is cut. */
const DRAIN_MS = 5_000;

/** Reads a body, counting bytes as they come; over the limit it stops keeping them and rejects. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    return Promise.reject(new BodyTooLargeError(`The body of ${declared} bytes is over the limit of ${limit}`));
  }
  // With a Content-Length (what a homeserver sends), the body is read into one buffer of that size.
  const sized = Number.isInteger(declared) && declared >= 0 ? Buffer.allocUnsafeSlow(declared) : undefined;
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      if (size + chunk.length > limit) {
        over = true;
        chunks.length = 0;
        reject(new BodyTooLargeError(`The body is over the limit of ${limit} bytes`));
        return;
      }
      if (sized !== undefined) chunk.copy(sized, size);
      else chunks.push(chunk);
      size += chunk.length;
    });
    req.on('end', () => {
      if (over) return;
      if (sized !== undefined) resolve(size === sized.length ? sized : sized.subarray(0, size));
      else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
    req.on('error', (error) => {
      if (!over) reject(error);
    });
    // A client gone before the end of its body: nothing was acknowledged, nothing is kept.
    req.on('close', () => {
      if (!req.complete && !over) reject(new Error('The request was aborted before its body ended'));
    });
  });
}

function send(res: ServerResponse, reply: ReceiverReply, close: boolean): void {
  const body = JSON.stringify(reply.body);
  const headers: Record<string, string | number> = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...reply.headers,
  };
  if (close) headers['connection'] = 'close';
  res.writeHead(reply.status, headers);
  res.end(body);
}

/** {@link send}, answering 500 when the reply cannot be sent (a body JSON cannot carry, a header Node refuses). */
function sendOrFail(res: ServerResponse, reply: ReceiverReply, close: boolean): void {
  try {
    send(res, reply, close);
  } catch {
    if (res.headersSent) res.destroy();
    else send(res, { status: 500, body: { errcode: 'M_UNKNOWN', error: 'Internal error' } }, close);
  }
}

/** Reads a web Response into a reply (used when the appservice has no direct entry). */
async function fromResponse(response: Response): Promise<ReceiverReply> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, key) => {
    if (key !== 'content-type' && key !== 'content-length') headers[key] = value;
  });
  return { status: response.status, body: await response.json(), headers };
}

/** For an appservice without the direct entry: a web Request in, a web Response out. */
async function viaFetch(appservice: Appservice, request: ReceiverRequest, url: string): Promise<ReceiverReply> {
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
  let body: string | undefined;
  try {
    body = hasBody ? await request.text() : undefined;
  } catch (error) {
    if (error instanceof BodyTooLargeError) return { status: 413, body: { errcode: 'M_TOO_LARGE', error: 'The body is too large' } };
    throw error;
  }
  const headers: Record<string, string> = request.authorization !== null ? { authorization: request.authorization } : {};
  const init: RequestInit = body === undefined ? { method: request.method, headers } : { method: request.method, headers, body };
  return fromResponse(await appservice.fetch(new Request(url, init)));
}

/**
 * Serves an application service over node:http, on 127.0.0.1 unless told otherwise. A body over
 * `maxBodyBytes` is answered 413 `M_TOO_LARGE` (from its Content-Length at once, or as soon as the
 * count passes the limit) and the connection is closed after the answer; the rest of such a body is
 * drained, never kept.
 *
 * @example
 * ```ts
 * import { listenAppservice } from 'matrix-fluent/node';
 * const server = await listenAppservice(appservice, { port: 9000 });
 * console.log(server.url);
 * await server.close();
 * ```
 */
export async function listenAppservice(appservice: Appservice, options: ListenAppserviceOptions): Promise<AppserviceServer> {
  const host = options.host ?? '127.0.0.1';
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const direct = (appservice as Partial<ReceivingAppservice>)[RECEIVE];
  const sockets = new Set<Socket>();
  const shownHost = host.includes(':') ? `[${host}]` : host;

  const server = createServer((req, res) => {
    // The request target as a path only: resolved against a base, `//x/…` would name a host.
    const target = req.url ?? '/';
    const url = new URL(`http://localhost${target.startsWith('/') ? target : `/${target}`}`);
    let tooLarge = false;
    let bytes: Buffer | undefined;
    const request: ReceiverRequest = {
      method: req.method ?? 'GET',
      pathname: url.pathname,
      query: url.searchParams,
      authorization: req.headers.authorization ?? null,
      text: () =>
        readBody(req, limit).then(
          (body) => {
            bytes = body;
            return body.toString('utf8');
          },
          (error: unknown) => {
            if (error instanceof BodyTooLargeError) tooLarge = true;
            throw error;
          },
        ),
      // The bytes as they came, so the store writes them without encoding the text again.
      bytes: () => bytes,
    };
    const replied = direct !== undefined ? direct(request) : viaFetch(appservice, request, `http://${shownHost}${url.pathname}${url.search}`);
    replied.then(
      (reply) => {
        const close = tooLarge || reply.status === 413;
        if (close) {
          // Drain what the client still sends, so it reads the answer; cut it off if it goes on.
          req.resume();
          const timer = setTimeout(() => req.socket.destroy(), DRAIN_MS);
          timer.unref?.();
          req.socket.once('close', () => clearTimeout(timer));
        }
        sendOrFail(res, reply, close);
      },
      () => send(res, { status: 500, body: { errcode: 'M_UNKNOWN', error: 'Internal error' } }, false),
    );
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
        for (const socket of sockets) socket.destroy();
      }),
  };
}
