import { describe, expect, it } from 'vitest';
import {
  isInvalidResponseError,
  isMatrixError,
  isResponseTooLargeError,
  type InvalidResponseError,
  type MatrixError,
  type ResponseTooLargeError,
} from '../../src/errors/index.js';
import { type Handler, json, text, useTestServers } from './http-test-server.js';
import { rejection, req, transportFor } from './fixtures.js';
import { ENGINES, useEngine } from './engines.js';

const start = useTestServers();

/** Streams `chunks` chunks of `size` bytes, chunked encoding, one every few ms. */
const chunked =
  (chunks: number, size: number): Handler =>
  async (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    for (let i = 0; i < chunks && !res.destroyed; i++) {
      res.write(Buffer.alloc(size, 0x61));
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    res.end();
  };

describe.each(ENGINES)('on the %s engine', (engine) => {
  useEngine(engine);

  describe('size limits', () => {
    it('rejects a declared Content-Length over the limit at once', async () => {
      const server = await start([
        (_req, res) => {
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': '5000' });
          res.write('{"a":"');
          // never finishes: the client must not wait for the body
        },
      ]);
      const { transport } = transportFor(server, { maxResponseBytes: 1000 });
      const error = (await rejection(transport.requestJson(req('GET', '/big')))) as ResponseTooLargeError;
      expect(isResponseTooLargeError(error)).toBe(true);
      expect(error.errcode).toBe('M_TOO_LARGE');
      expect(error.limit).toBe(1000);
      expect(error.received).toBe(5000);
      expect(error.message).toBe('[M_TOO_LARGE] Response declares 5000 bytes, over the limit of 1000: GET /big');
      await expect(server.requests[0]?.closedEarly).resolves.toBe(true);
    });

    it('aborts a chunked JSON body that grows past the limit, and the server sees the connection closed', async () => {
      const server = await start([chunked(200, 1024)]);
      const { transport } = transportFor(server, { maxResponseBytes: 10 * 1024 });
      const error = (await rejection(transport.requestJson(req('GET', '/grow')))) as ResponseTooLargeError;
      expect(isResponseTooLargeError(error)).toBe(true);
      expect(error.received).toBeGreaterThan(10 * 1024);
      expect(error.received).toBeLessThan(200 * 1024);
      await expect(server.requests[0]?.closedEarly).resolves.toBe(true);
    });

    it('requestRaw returns a limited stream that errors past the limit', async () => {
      const server = await start([chunked(50, 1024)]);
      const { transport } = transportFor(server);
      const raw = await transport.requestRaw(
        req('GET', '/_matrix/client/v1/media/download/x/y', { responseKind: 'binary', options: { maxResponseBytes: 4096 } }),
      );
      expect(raw.status).toBe(200);
      let read = 0;
      const error = await rejection(
        (async () => {
          const reader = (raw.body as ReadableStream<Uint8Array>).getReader();
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            read += value.byteLength;
          }
        })(),
      );
      expect(isResponseTooLargeError(error)).toBe(true);
      expect(read).toBeLessThanOrEqual(4096);
      await expect(server.requests[0]?.closedEarly).resolves.toBe(true);
    });

    it('requestRaw streams a body under the limit in full', async () => {
      const server = await start([chunked(8, 1000)]);
      const { transport } = transportFor(server);
      const raw = await transport.requestRaw(req('GET', '/dl', { responseKind: 'binary' }));
      const bytes = new Uint8Array(await new Response(raw.body).arrayBuffer());
      expect(bytes.byteLength).toBe(8000);
      expect(raw.url).toBe(`${server.url}/dl`);
      expect(raw.headers.get('content-type')).toBe('application/octet-stream');
    });

    it('truncates long error bodies to maxErrorBodyBytes', async () => {
      const server = await start([text(500, `<html>${'x'.repeat(10_000)}</html>`)]);
      const { transport } = transportFor(server, { maxErrorBodyBytes: 100 });
      const error = (await rejection(transport.requestJson(req('GET', '/x')))) as MatrixError;
      expect(error.status).toBe(500);
      expect(typeof error.body).toBe('string');
      expect((error.body as string).length).toBe(100);
    });
  });

  describe('parsing', () => {
    it('parses a 2xx JSON body', async () => {
      const server = await start([json(200, { joined_rooms: ['!a:x'] })]);
      const { transport } = transportFor(server);
      await expect(transport.requestJson(req('GET', '/x'))).resolves.toEqual({ joined_rooms: ['!a:x'] });
    });

    it('turns an empty 2xx body into {}', async () => {
      const server = await start([
        (_req, res) => {
          res.writeHead(200, { 'content-length': '0' });
          res.end();
        },
      ]);
      const { transport } = transportFor(server);
      await expect(transport.requestJson(req('POST', '/x'))).resolves.toEqual({});
    });

    it('keeps __proto__ keys as plain data (JSON.parse is prototype-safe)', async () => {
      const server = await start([text(200, '{"__proto__":{"polluted":true},"a":1}', 'application/json')]);
      const { transport } = transportFor(server);
      const body = (await transport.requestJson(req('GET', '/x'))) as Record<string, unknown>;
      expect(body['a']).toBe(1);
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    });

    it('throws InvalidResponseError for malformed JSON in a 200, keeping status and an excerpt', async () => {
      const server = await start([text(200, '{"rooms": [1, 2', 'application/json')]);
      const { transport } = transportFor(server);
      const error = (await rejection(transport.requestJson(req('GET', '/sync')))) as InvalidResponseError;
      expect(isInvalidResponseError(error)).toBe(true);
      expect(error.status).toBe(200);
      expect(error.excerpt).toBe('{"rooms": [1, 2');
      expect(error.message).toBe('[200] Response body is not valid JSON: GET /sync');
    });

    it('bounds the excerpt of a large non-JSON 200', async () => {
      const server = await start([text(200, '<html>' + 'y'.repeat(5000))]);
      const { transport } = transportFor(server);
      const error = (await rejection(transport.requestJson(req('GET', '/x')))) as InvalidResponseError;
      expect(error.excerpt.length).toBeLessThanOrEqual(1024);
    });

    it('turns an HTML 500 page into a MatrixError with M_UNKNOWN and the raw text in body', async () => {
      const page = '<html><body><h1>500 Internal Server Error</h1></body></html>';
      const server = await start([text(500, page)]);
      const { transport } = transportFor(server);
      const error = (await rejection(transport.requestJson(req('GET', '/_matrix/client/v3/account/whoami')))) as MatrixError;
      expect(isMatrixError(error)).toBe(true);
      expect(error.status).toBe(500);
      expect(error.errcode).toBe('M_UNKNOWN');
      expect(error.body).toBe(page);
      expect(error.message).toBe('[500 / M_UNKNOWN] Internal Server Error: GET /_matrix/client/v3/account/whoami');
    });

    it('builds a MatrixError from a JSON error, with a readable path', async () => {
      const server = await start([json(403, { errcode: 'M_FORBIDDEN', error: 'You are not allowed to ban' })]);
      const { transport } = transportFor(server);
      const error = (await rejection(
        transport.requestJson(req('POST', '/_matrix/client/v3/rooms/%21r%3Ax/ban', { query: { x: '1' } })),
      )) as MatrixError;
      expect(error.message).toBe('[403 / M_FORBIDDEN] You are not allowed to ban: POST /_matrix/client/v3/rooms/!r:x/ban');
      expect(error.name).toBe('MatrixError');
      expect(error.path).toBe('/_matrix/client/v3/rooms/%21r%3Ax/ban');
      expect(error.method).toBe('POST');
      expect(error.body).toEqual({ errcode: 'M_FORBIDDEN', error: 'You are not allowed to ban' });
    });

    it('keeps soft_logout and a UIA body without errcode', async () => {
      const server = await start([
        json(401, { errcode: 'M_UNKNOWN_TOKEN', error: 'Token expired', soft_logout: true }),
        json(401, { flows: [{ stages: ['m.login.password'] }], session: 'abc' }),
      ]);
      const { transport } = transportFor(server);
      const soft = (await rejection(transport.requestJson(req('GET', '/x')))) as MatrixError;
      expect(soft.softLogout).toBe(true);
      expect(soft.errcode).toBe('M_UNKNOWN_TOKEN');
      const uia = (await rejection(transport.requestJson(req('POST', '/_matrix/client/v3/delete_devices')))) as MatrixError;
      expect(uia.errcode).toBeUndefined();
      expect(uia.message).toBe('[401] Unauthorized: POST /_matrix/client/v3/delete_devices');
      expect((uia.body as { session: string }).session).toBe('abc');
    });
  });
});
