/**
 * A scripted HTTP server on 127.0.0.1 for transport tests: each test starts one
 * on port 0, scripts its answers, and reads the request log.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterEach } from 'vitest';
import { listenOnLoopback } from '../support/loopback.js';

/** One request as the server saw it. */
export interface LoggedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Settles `true` when the client closed the connection before the answer was complete. */
  closedEarly: Promise<boolean>;
}

/** Answers one request; `index` counts requests from 0. */
export type Handler = (
  req: IncomingMessage,
  res: ServerResponse,
  ctx: { index: number; body: Buffer },
) => void | Promise<void>;

/** A running test server. */
export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  requests: LoggedRequest[];
  close(): Promise<void>;
}

/**
 * Starts a server. With an array, request n gets handler n (the last one repeats).
 */
export async function startServer(script: Handler | readonly Handler[]): Promise<TestServer> {
  const requests: LoggedRequest[] = [];
  const server: Server = createServer((req, res) => {
    // Logged on arrival, so that a request the client abandons early still shows up.
    const index = requests.length;
    const closedEarly = new Promise<boolean>((resolve) => {
      res.on('close', () => resolve(!res.writableFinished));
    });
    const entry: LoggedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.alloc(0), closedEarly };
    requests.push(entry);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      entry.body = body;
      const handler = typeof script === 'function' ? script : (script[Math.min(index, script.length - 1)] as Handler);
      Promise.resolve(handler(req, res, { index, body })).catch((error: unknown) => {
        res.destroy(error instanceof Error ? error : new Error(String(error)));
      });
    });
  });
  return { ...(await listenOnLoopback(server)), requests };
}

/** Answers with a JSON body. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): Handler {
  return (_req, res) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text);
  };
}

/** Answers with a text body of the given type. */
export function text(status: number, body: string, contentType = 'text/html', headers: Record<string, string> = {}): Handler {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), ...headers });
    res.end(body);
  };
}

/** Destroys the socket without answering (a connection reset). */
export function reset(): Handler {
  return (req) => {
    req.socket.destroy();
  };
}

/**
 * A `start` for one test file: each server it starts is closed after the test
 * that started it.
 */
export function useTestServers(): (script: Handler | readonly Handler[]) => Promise<TestServer> {
  const servers: TestServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  return async (script) => {
    const server = await startServer(script);
    servers.push(server);
    return server;
  };
}
