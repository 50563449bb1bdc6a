import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { isMatrixError, isResponseTooLargeError } from '../../src/index.js';
import { chunkOf, expectedHash, sendJson, startMediaServer, streamChunks, type MediaHandler } from './media-server.js';
import { ENGINES, useEngine, createClient } from '../transport/engines.js';

const MiB = 1024 * 1024;
const CHUNK = 64 * 1024;
const CHUNKS_20_MIB = (20 * MiB) / CHUNK;

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function server(handler: MediaHandler, versions = ['v1.11']) {
  const s = await startMediaServer((req, res, seen) => {
    if (req.url === '/_matrix/client/versions') return sendJson(res, 200, { versions });
    return handler(req, res, seen);
  });
  closers.push(s.close);
  const client = createClient({ baseUrl: s.url, accessToken: 'media-token', sleep: async () => undefined });
  const media = () => s.seen.filter((r) => r.url !== '/_matrix/client/versions');
  return { ...s, client, media };
}

/** A web stream of `count` deterministic chunks, produced on demand. */
function webStream(count: number): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < count) controller.enqueue(chunkOf(i++, CHUNK));
      else controller.close();
    },
  });
}

describe.each(ENGINES)('on the %s engine', (engine) => {
  useEngine(engine);

  describe('downloads', () => {
    it('streams a 20 MiB download in chunks, with type, file name and size from the headers', async () => {
      const { client, media } = await server((_req, res) =>
        streamChunks(res, CHUNKS_20_MIB, CHUNK, {
          'content-length': 20 * MiB,
          'content-disposition': "attachment; filename=\"fallback.bin\"; filename*=UTF-8''na%C3%AFve%20file.bin",
        }),
      );
      const file = await client.media.download('hs.test', 'big').get();
      expect(file.contentType).toBe('application/octet-stream');
      expect(file.filename).toBe('naïve file.bin');
      expect(file.size).toBe(20 * MiB);
      const hash = createHash('sha256');
      let chunks = 0;
      for await (const chunk of file.stream() as unknown as AsyncIterable<Uint8Array>) {
        hash.update(chunk);
        chunks++;
      }
      expect(hash.digest('hex')).toBe(expectedHash(CHUNKS_20_MIB, CHUNK));
      expect(chunks).toBeGreaterThan(10);
      expect(media().map((r) => `${r.method} ${r.url}`)).toEqual(['GET /_matrix/client/v1/media/download/hs.test/big']);
      expect(media()[0]!.headers.authorization).toBe('Bearer media-token');
    });

    it('releases the connection of a download cancelled unread', async () => {
      let closed!: Promise<boolean>;
      const { client } = await server((_req, res) => {
        closed = new Promise((resolve) => res.on('close', () => resolve(!res.writableFinished)));
        return streamChunks(res, CHUNKS_20_MIB, CHUNK);
      });
      const file = await client.media.download('hs.test', 'unread').get();
      await file.cancel();
      expect(await closed).toBe(true);
      expect(() => file.stream()).toThrow(/already read/);
    });

    it('stops a download that grows past the size limit while it streams', async () => {
      const { client } = await server((_req, res) => streamChunks(res, 32, CHUNK));
      const file = await client.media.download('hs.test', 'big').get(undefined, { maxResponseBytes: MiB });
      const error = await file.bytes().then(() => undefined, (e: unknown) => e);
      expect(isResponseTooLargeError(error)).toBe(true);
    });

    it('follows a 307 to another origin without the token', async () => {
      const cdn = await startMediaServer((_req, res) => streamChunks(res, 2, 16));
      closers.push(cdn.close);
      const { client } = await server((_req, res) => {
        res.writeHead(307, { location: `${cdn.url}/file` });
        res.end();
      });
      const file = await client.media.download('mxc://hs.test/redirected').get();
      expect(await file.bytes()).toEqual(new Uint8Array([...chunkOf(0, 16), ...chunkOf(1, 16)]));
      expect(cdn.seen[0]!.headers.authorization).toBeUndefined();
    });

    it('asks for a thumbnail with its query', async () => {
      const { client, media } = await server((_req, res) => streamChunks(res, 1, 8, { 'content-type': 'image/png' }));
      const thumb = await client.media.thumbnail('hs.test', 'img').get({ width: 64, height: 48, method: 'crop', animated: true });
      expect(thumb.contentType).toBe('image/png');
      expect(media()[0]!.url).toBe('/_matrix/client/v1/media/thumbnail/hs.test/img?width=64&height=48&method=crop&animated=true');
    });

    it('falls back to the legacy routes on a server without authenticated media, probing /versions once', async () => {
      const { client, seen, media } = await server((_req, res) => streamChunks(res, 1, 8), ['r0.6.1', 'v1.5']);
      await (await client.media.download('hs.test', 'a').get()).bytes();
      await (await client.media.download('hs.test', 'b', 'b.txt').get()).bytes();
      await (await client.api.media.thumbnail('hs.test', 'c').get({ width: 1, height: 1 })).bytes();
      expect(media().map((r) => r.url)).toEqual([
        '/_matrix/media/v3/download/hs.test/a',
        '/_matrix/media/v3/download/hs.test/b/b.txt',
        '/_matrix/media/v3/thumbnail/hs.test/c?width=1&height=1',
      ]);
      expect(seen.filter((r) => r.url === '/_matrix/client/versions')).toHaveLength(1);
    });
  });

  describe('the media version probe', () => {
    it('ends with the caller\'s signal even while /versions hangs', async () => {
      const s = await startMediaServer((req, res) => {
        if (req.url === '/_matrix/client/versions') return; // never answers
        return streamChunks(res, 1, 8);
      });
      closers.push(s.close);
      const client = createClient({ baseUrl: s.url, accessToken: 't' });
      const controller = new AbortController();
      const call = client.media.download('hs.test', 'a').get(undefined, { signal: controller.signal });
      setTimeout(() => controller.abort(new Error('user gave up')), 50);
      const started = Date.now();
      await expect(call).rejects.toThrow(/user gave up/);
      expect(Date.now() - started).toBeLessThan(2_000);
    });
  });

  describe('uploads', () => {
    it('streams a 20 MiB web stream upload and sends its content type and file name', async () => {
      const { client, media } = await server((_req, res) => sendJson(res, 200, { content_uri: 'mxc://hs.test/up' }));
      const result = await client.media.upload.post(webStream(CHUNKS_20_MIB), { contentType: 'video/mp4', filename: 'clip.mp4' });
      expect(result.content_uri).toBe('mxc://hs.test/up');
      const [upload] = media();
      expect(`${upload!.method} ${upload!.url}`).toBe('POST /_matrix/media/v3/upload?filename=clip.mp4');
      expect(upload!.headers['content-type']).toBe('video/mp4');
      expect(upload!.bytes).toBe(20 * MiB);
      expect(upload!.sha256).toBe(expectedHash(CHUNKS_20_MIB, CHUNK));
    });

    it('streams a Node Readable upload', async () => {
      const { client, media } = await server((_req, res) => sendJson(res, 200, { content_uri: 'mxc://hs.test/node' }));
      const source = Readable.from((function* () {
        for (let i = 0; i < 8; i++) yield chunkOf(i, CHUNK);
      })());
      await client.media.upload.post(source, { contentType: 'application/octet-stream' });
      expect(media()[0]!.sha256).toBe(expectedHash(8, CHUNK));
      expect(media()[0]!.headers['transfer-encoding']).toBe('chunked');
    });

    it('sends the Content-Length of a stream given its size, as servers such as Synapse require', async () => {
      const { client, media } = await server((_req, res) => sendJson(res, 200, { content_uri: 'mxc://hs.test/sized' }));
      await client.media.upload.post(webStream(4), { contentType: 'application/octet-stream', size: 4 * CHUNK });
      expect(media()[0]!.headers['content-length']).toBe(String(4 * CHUNK));
      expect(media()[0]!.headers['transfer-encoding']).toBeUndefined();
      expect(media()[0]!.sha256).toBe(expectedHash(4, CHUNK));
      await expect(client.media.upload.post(webStream(1), { size: -1 })).rejects.toThrow(/size must be a whole number/);
    });

    it('retries bytes after a 503 but never a one-shot stream', async () => {
      let calls = 0;
      const handler: MediaHandler = (_req, res) => (calls++ === 0 ? sendJson(res, 503, { errcode: 'M_UNKNOWN', error: 'busy' }) : sendJson(res, 200, { content_uri: 'mxc://hs.test/x' }));
      const bytes = await server(handler);
      await bytes.client.media.upload.post(chunkOf(1, 1000), { contentType: 'image/png' });
      const sent = createHash('sha256').update(chunkOf(1, 1000)).digest('hex');
      expect(bytes.media().map((r) => r.sha256)).toEqual([sent, sent]);

      calls = 0;
      const stream = await server(handler);
      const error = await stream.client.media.upload.post(webStream(2), { contentType: 'image/png' }).catch((e: unknown) => e);
      expect(isMatrixError(error) && error.status).toBe(503);
      expect(stream.media()).toHaveLength(1);
    });

    it('creates an mxc first and uploads to it later', async () => {
      const { client, media } = await server((req, res) =>
        req.method === 'POST' ? sendJson(res, 200, { content_uri: 'mxc://hs.test/later', unused_expires_at: 1 }) : sendJson(res, 200, {}),
      );
      const { content_uri } = await client.media.create.post();
      const [, serverName, mediaId] = /^mxc:\/\/([^/]+)\/(.+)$/.exec(content_uri)!;
      await client.media.upload(serverName!, mediaId!).put(new Blob([chunkOf(0, 10)], { type: 'text/plain' }), { filename: 'a.txt' });
      expect(media().map((r) => `${r.method} ${r.url} ${r.headers['content-type'] ?? ''}`)).toEqual([
        'POST /_matrix/media/v1/create ',
        'PUT /_matrix/media/v3/upload/hs.test/later?filename=a.txt text/plain',
      ]);
    });
  });
});
