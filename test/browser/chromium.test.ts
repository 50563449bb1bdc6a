/**
 * The built main entry in headless Chromium, against the suite's Synapse: the page
 * (served from its own origin, so every call is a CORS call) logs in, sends and
 * reads messages, round-trips media, runs the sync loop until a message arrives,
 * and follows a cross-origin media redirect without carrying the token.
 *
 * Chromium is Debian's (`/usr/bin/chromium`, or `CHROMIUM_PATH`), driven by
 * playwright-core; no browser is downloaded.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newUser, roomWith, synapse, type TestUser } from '../e2e/helpers.js';
import { announceMissing, ensureBuilt, findChromium, patternHex } from '../runtimes/runtimes.js';
import { expectTokenStayedHome, REDIRECTED_MXC, startRedirectPair } from '../runtimes/redirect-servers.js';
import type { TestServer } from '../transport/http-test-server.js';
import type { Scenarios } from './page.js';
import { startPageServer } from './page-server.js';

const CHROMIUM = findChromium();

/** Bytes as hex, so that large byte arrays compare fast and show where they differ. */
function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** Runs one scenario of the page's `window.fluentPage` with JSON arguments. */
function inPage<K extends keyof Scenarios>(page: Page, name: K, args: Parameters<Scenarios[K]>[0]): Promise<Awaited<ReturnType<Scenarios[K]>>> {
  return page.evaluate(
    ([scenario, input]) => (window as unknown as { fluentPage: Record<string, (a: unknown) => Promise<unknown>> }).fluentPage[scenario]!(input),
    [name, args] as const,
  ) as Promise<Awaited<ReturnType<Scenarios[K]>>>;
}

if (CHROMIUM.missing !== undefined) {
  announceMissing(CHROMIUM, 'the Chromium suite');
  describe.skip(`the built main entry in Chromium (skipped: ${CHROMIUM.missing})`, () => {
    it('logs in, sends, reads, round-trips media, syncs and keeps its token on a redirect', () => undefined);
  });
} else {
  const executablePath = CHROMIUM.path;
  describe('the built main entry in Chromium', () => {
    let browser: Browser;
    let page: Page;
    let pageServer: TestServer & { imports: Record<string, string> };
    let user: TestUser;
    let friend: TestUser;
    let roomId: string;
    const pageErrors: string[] = [];
    const failedRequests: string[] = [];
    const started = performance.now();
    let buildMs = 0;

    beforeAll(async () => {
      buildMs = ensureBuilt();
      pageServer = await startPageServer();
      // Root may not use Chromium's sandbox; the page only ever talks to loopback servers.
      browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox'] });
      page = await browser.newPage();
      page.on('pageerror', (error) => pageErrors.push(error.message));
      page.on('requestfailed', (request) => failedRequests.push(`${request.method()} ${new URL(request.url()).pathname} ${request.failure()?.errorText ?? ''}`));
      await page.goto(pageServer.url);
      await page.waitForFunction(() => 'fluentPage' in window, undefined, { timeout: 20_000 });
      [user, friend] = await Promise.all([newUser(), newUser()]);
      roomId = await roomWith(friend, [user]);
    });

    afterAll(async () => {
      await browser?.close();
      await pageServer?.close();
      const build = buildMs > 0 ? ` (building dist/ first: ${Math.round(buildMs)} ms of it)` : '';
      process.stderr.write(`[runtimes] chromium suite: ${Math.round(performance.now() - started)} ms${build}\n`);
    });

    it('resolves matrix-fluent as a browser does, to the portable entry, whose graph reaches no undici and no node: module', () => {
      expect(pageServer.imports['matrix-fluent']).toBe('/dist/src/index.js');
      const reached = Object.keys(pageServer.imports);
      expect(reached).toContain('ky');
      expect(reached.filter((name) => name === 'undici' || name.startsWith('node:'))).toEqual([]);
    });

    it('loads the package from its own origin and logs in across origins with a password (CORS)', async () => {
      const result = await inPage(page, 'login', { baseUrl: synapse().baseUrl, user: user.localpart, password: user.password });
      expect(result.userId).toBe(user.userId);
      expect(result.deviceId).toBe(result.loginDeviceId);
      expect(result.engine).toBe('fetch');
      expect(new URL(result.pageOrigin).origin).not.toBe(new URL(synapse().baseUrl).origin);
      expect(pageErrors).toEqual([]);
    });

    it('sends a message and reads it back in the room messages', async () => {
      const body = `from Chromium ${Date.now()}`;
      const result = await inPage(page, 'sendAndRead', { roomId, body });
      expect(result.bodies).toContain(body);
      const seen = await friend.client.api.rooms(roomId).event(result.eventId).get();
      expect(seen.sender).toBe(user.userId);
      expect(seen.content).toMatchObject({ msgtype: 'm.text', body });
    });

    it('uploads bytes and a Blob, and downloads them as bytes, a Blob and a stream, byte for byte', async () => {
      const bytes = patternHex(48_000, 7);
      const result = await inPage(page, 'mediaRoundTrip', { hex: bytes });
      expect(result.bytes.contentType).toBe('application/octet-stream');
      expect(result.bytes.back).toBe(bytes);
      expect(result.blob.type).toBe('image/x-test');
      expect(result.blob.back).toBe(bytes);
      expect(result.stream.back).toBe(bytes);
      expect(result.stream.chunks).toBeGreaterThanOrEqual(1);
      // The server holds the very bytes, read from Node.
      for (const uri of [result.bytes.uri, result.blob.uri]) {
        expect(hex(await (await friend.client.media.download(uri).get()).bytes())).toBe(bytes);
      }
    });

    it('cannot read the file name across origins: Synapse does not expose Content-Disposition to CORS callers', async () => {
      const bytes = patternHex(1_000, 8);
      const result = await inPage(page, 'mediaRoundTrip', { hex: bytes });
      // Synapse answers `Access-Control-Expose-Headers: Synapse-Trace-Id, Server`, so a page on
      // another origin cannot see Content-Disposition (Content-Type and Content-Length are safelisted).
      expect(result.bytes.filename).toBeUndefined();
      expect(result.blob.filename).toBeUndefined();
      // The homeserver has the names: Node, which has no CORS, reads them.
      expect((await friend.client.media.download(result.bytes.uri).get()).filename).toBe('page bytes.bin');
      expect((await friend.client.media.download(result.blob.uri).get()).filename).toBe('page.blob');
    });

    it('cannot upload a web stream to a plain-HTTP homeserver: Chromium streams request bodies only over HTTP/2, and says so', async () => {
      const before = failedRequests.length;
      const result = await inPage(page, 'streamUpload', { hex: patternHex(20_000, 9) });
      // The transport reports it as a network failure (a one-shot stream is not retried)...
      expect(result).toEqual({ error: expect.stringMatching(/^NetworkError: .*POST \/_matrix\/media\/v3\/upload/) });
      // ...and Chromium says why: a streaming body needs HTTP/2 or QUIC, which a plain-HTTP
      // origin cannot negotiate (older Chromium: ERR_H2_OR_QUIC_REQUIRED; 156: ERR_ALPN_NEGOTIATION_FAILED).
      expect(failedRequests.slice(before)).toEqual([expect.stringMatching(/^POST \/_matrix\/media\/v3\/upload net::ERR_(H2_OR_QUIC_REQUIRED|ALPN_NEGOTIATION_FAILED)$/)]);
    });

    it('uploads a web stream read into a Blob first, the way around it', async () => {
      const bytes = patternHex(20_000, 10);
      const { uri } = await inPage(page, 'streamAsBlobUpload', { hex: bytes });
      expect(hex(await (await friend.client.media.download(uri as `mxc://${string}`).get()).bytes())).toBe(bytes);
    });

    it('runs the sync loop until a message from another user arrives', async () => {
      await inPage(page, 'startSync', undefined);
      const body = `to Chromium ${Date.now()}`;
      await friend.client.api.rooms(roomId).send('m.room.message').put({ msgtype: 'm.text', body });
      const result = await inPage(page, 'waitForMessage', { body, timeoutMs: 20_000 });
      expect(result.heard).toContain(body);
    });

    it('follows a media redirect to another origin without carrying the token there', async () => {
      const token = `page-secret-${Date.now()}`;
      const bytes = patternHex(3_000, 11);
      const pair = await startRedirectPair(Buffer.from(bytes, 'hex'));
      try {
        const result = await inPage(page, 'redirectedDownload', { baseUrl: pair.homeserver.url, accessToken: token, mxc: REDIRECTED_MXC });
        expect(result).toEqual({ back: bytes, contentType: 'application/x-recorded' });
        expectTokenStayedHome(pair, token);
      } finally {
        await pair.close();
      }
    });

    it('raised no uncaught error in the page along the way', () => {
      expect(pageErrors).toEqual([]);
    });
  });
}
