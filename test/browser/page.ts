/**
 * What the Chromium suite's page does, as functions of the package's public entry:
 * the page's HTML imports `matrix-fluent` (resolved by an import map to the built
 * dist/, the way a browser without a bundler gets it) and hands its namespace here.
 * Nothing else of the package is reachable from this file at run time: the
 * `typeof import` below is a type only, erased when the page is served.
 */
import type * as Fluent from '../../src/index.js';

type Public = typeof Fluent;

/** An error as the page reports it back to the test (name and message only). */
export interface PageError {
  error: string;
}

function describeError(error: unknown): PageError {
  return { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
}

/** Bytes as hex: large byte arrays cross to the test fast as strings. */
function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}

function fromHex(hex: string): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function streamOf(bytes: Uint8Array, chunkSize: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + chunkSize));
      at += chunkSize;
    },
  });
}

/**
 * The page's scenarios over one logged-in client; each answers plain data the test
 * can check (bytes as hex).
 *
 * @example
 * ```ts
 * import * as fluent from 'matrix-fluent';
 * const page = scenarios(fluent);
 * await page.login({ baseUrl, user: 'alice', password });
 * ```
 */
export function scenarios(fluent: Public) {
  let client: Fluent.MatrixClient | undefined;
  const heard: string[] = [];
  const listeners = new Set<() => void>();
  const current = (): Fluent.MatrixClient => {
    if (client === undefined) throw new Error('log in first');
    return client;
  };

  return {
    /** Logs in with a password (no token given to the page) and asks who it is. */
    async login(args: { baseUrl: string; user: string; password: string }) {
      const anonymous = fluent.createClient({ baseUrl: args.baseUrl });
      const login = await anonymous.api.login.post({
        type: 'm.login.password',
        identifier: { type: 'm.id.user', user: args.user },
        password: args.password,
        initial_device_display_name: 'Chromium suite',
      });
      client = fluent.createClient({ baseUrl: args.baseUrl, accessToken: login.access_token, sync: { store: new fluent.MemoryStore(), timeout: 1_000 } });
      const { user_id: userId, device_id: deviceId } = await client.api.account.whoami.get();
      return { userId, deviceId, loginDeviceId: login.device_id, engine: client.transport.engine, pageOrigin: location.origin };
    },

    /** Sends a text message and finds it again in the room's latest messages. */
    async sendAndRead(args: { roomId: string; body: string }) {
      const room = current().api.rooms(args.roomId);
      const { event_id: eventId } = await room.send('m.room.message').put({ msgtype: 'm.text', body: args.body });
      const page = await room.messages.get({ dir: 'b', limit: 20 });
      const bodies = page.chunk.filter((event) => event.type === 'm.room.message').map((event) => (event.content as { body?: unknown }).body);
      return { eventId, bodies };
    },

    /** Uploads bytes and a Blob, and downloads each again (as bytes, as a Blob, as a stream). */
    async mediaRoundTrip(args: { hex: string }) {
      const media = current().media;
      const bytes = fromHex(args.hex);
      const fromBytes = await media.upload.post(bytes, { contentType: 'application/octet-stream', filename: 'page bytes.bin' });
      const bytesFile = await media.download(fromBytes.content_uri).get();
      const bytesBack = await bytesFile.bytes();

      const fromBlob = await media.upload.post(new Blob([bytes], { type: 'image/x-test' }), { filename: 'page.blob' });
      const blobFile = await media.download(fromBlob.content_uri).get();
      const blobBack = await blobFile.blob();

      const streamed = await media.download(fromBlob.content_uri).get();
      let chunks = 0;
      const parts: Uint8Array[] = [];
      const reader = streamed.stream().getReader();
      for (let read = await reader.read(); read.done !== true; read = await reader.read()) {
        chunks++;
        parts.push(read.value);
      }
      return {
        bytes: { uri: fromBytes.content_uri, filename: bytesFile.filename, contentType: bytesFile.contentType, back: toHex(bytesBack) },
        blob: { uri: fromBlob.content_uri, filename: blobFile.filename, type: blobBack.type, back: toHex(new Uint8Array(await blobBack.arrayBuffer())) },
        stream: { chunks, back: parts.map(toHex).join('') },
      };
    },

    /** Uploads a web ReadableStream (its length given as `size`): what the browser makes of it. */
    async streamUpload(args: { hex: string }): Promise<{ uri: string } | PageError> {
      const bytes = fromHex(args.hex);
      try {
        const { content_uri: uri } = await current().media.upload.post(streamOf(bytes, 8_192), { contentType: 'application/octet-stream', size: bytes.length });
        return { uri };
      } catch (error) {
        return describeError(error);
      }
    },

    /** The way around it: the stream read into a Blob first, and the Blob uploaded. */
    async streamAsBlobUpload(args: { hex: string }) {
      const blob = await new Response(streamOf(fromHex(args.hex), 8_192)).blob();
      const { content_uri: uri } = await current().media.upload.post(blob, { contentType: 'application/octet-stream' });
      return { uri };
    },

    /** Starts the sync loop, listening for text messages; resolves after the first batch. */
    async startSync() {
      const loop = current();
      loop.on('m.room.message', (event) => {
        if (event.content.msgtype !== 'm.text') return;
        heard.push(event.content.body);
        for (const listener of listeners) listener();
      });
      await loop.sync.start();
      return { state: 'started' };
    },

    /** Waits until the sync loop delivered a message with this body, then stops the loop. */
    async waitForMessage(args: { body: string; timeoutMs: number }) {
      await new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (!heard.includes(args.body)) return;
          listeners.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no message "${args.body}" within ${args.timeoutMs} ms; heard ${JSON.stringify(heard)}`));
        }, args.timeoutMs);
        listeners.add(check);
        check();
      });
      await current().sync.stop();
      return { heard };
    },

    /** Downloads media from a homeserver that redirects the download elsewhere. */
    async redirectedDownload(args: { baseUrl: string; accessToken: string; mxc: `mxc://${string}` }): Promise<{ back: string; contentType: string | undefined } | PageError> {
      const redirected = fluent.createClient({ baseUrl: args.baseUrl, accessToken: args.accessToken });
      try {
        const file = await redirected.media.download(args.mxc).get();
        return { back: toHex(await file.bytes()), contentType: file.contentType };
      } catch (error) {
        return describeError(error);
      }
    },
  };
}

/** The scenarios' type, for the test driving the page. */
export type Scenarios = ReturnType<typeof scenarios>;
