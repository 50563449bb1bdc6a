/**
 * A small homeserver stand-in for the media tests: it streams downloads from a
 * deterministic generator and hashes uploads as they arrive, holding neither.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from '../support/loopback.js';

/** Deterministic bytes: chunk `i` of `size` bytes. */
export function chunkOf(i: number, size: number): Uint8Array<ArrayBuffer> {
  const chunk = new Uint8Array(size);
  for (let j = 0; j < size; j++) chunk[j] = (i * 31 + j * 7) & 0xff;
  return chunk;
}

/** The sha256 of `count` chunks of `size` bytes. */
export function expectedHash(count: number, size: number): string {
  const hash = createHash('sha256');
  for (let i = 0; i < count; i++) hash.update(chunkOf(i, size));
  return hash.digest('hex');
}

/** A request the media server saw. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  bytes: number;
  sha256: string;
}

export type MediaHandler = (req: IncomingMessage, res: ServerResponse, seen: SeenRequest) => void | Promise<void>;

/** Starts a server whose handler sees each request after its body was hashed. */
export async function startMediaServer(handler: MediaHandler): Promise<{ url: string; seen: SeenRequest[]; close(): Promise<void> }> {
  const seen: SeenRequest[] = [];
  const server = createServer((req, res) => {
    const hash = createHash('sha256');
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      hash.update(chunk);
    });
    req.on('end', () => {
      const entry = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, bytes, sha256: hash.digest('hex') };
      seen.push(entry);
      Promise.resolve(handler(req, res, entry)).catch((error: unknown) => res.destroy(error as Error));
    });
  });
  const { url, close } = await listenOnLoopback(server);
  return { url, seen, close };
}

/** Streams `count` chunks of `size` bytes, waiting for the socket to drain. */
export async function streamChunks(res: ServerResponse, count: number, size: number, headers: Record<string, string | number> = {}): Promise<void> {
  res.writeHead(200, { 'content-type': 'application/octet-stream', ...headers });
  for (let i = 0; i < count; i++) {
    if (!res.write(chunkOf(i, size))) await new Promise((resolve) => res.once('drain', resolve));
    if (res.destroyed) return;
  }
  res.end();
}

/** Answers JSON. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
