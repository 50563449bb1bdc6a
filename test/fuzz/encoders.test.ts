/**
 * Fuzzing the path and query encoders, and the mxc URI reader, through the
 * public chains: any value the caller passes is either sent so that the server
 * reads back exactly that value in exactly its place, or refused with one of
 * the SDK's typed errors (a caller mistake may also be a `TypeError`, as a
 * wrong body is). An in-process fetch records what would leave the client.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createClient, isMatrixSdkError } from '../../src/index.js';
import { recordingFetch } from '../support/recording-fetch.js';
import { FUZZ_RUNS, FUZZ_TIMEOUT_MS } from './runs.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** Well-formed text of any code points, and the values that look like URL syntax. */
const pathValue = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.constantFrom('/', '?', '#', '%', '.', '..', '%2F', '%2E', ':', '!', '$', '@', '+', ' ', '\\', 'a', '&', '='), maxLength: 12 }),
  fc.constantFrom('.', '..', '', '%', '%2e', '%2E%2E', '/..', '../'),
);

/** Any UTF-16 text, lone surrogates (text cut inside a character pair) included. */
const anyUtf16 = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 30 });

function setup() {
  const recorder = recordingFetch();
  const client = createClient({ baseUrl: 'http://127.0.0.1:9/base/', accessToken: 'syt_fuzz', logger: silent, retry: 0, fetch: recorder.fetch });
  return { client, requests: recorder.requests };
}

/** Runs a call, catching a synchronous throw as well as a rejection. */
async function settle(call: () => Promise<unknown>): Promise<{ ok: true } | { ok: false; error: unknown }> {
  try {
    await call();
    return { ok: true };
  } catch (error) {
    return { ok: false, error };
  }
}

function isTypedRefusal(error: unknown): boolean {
  return isMatrixSdkError(error) || error instanceof TypeError;
}

/** The raw path segments after `/rooms/` in the URL that left the client. */
function segmentsAfter(url: string, marker: string): string[] {
  const path = new URL(url).pathname;
  return path.slice(path.indexOf(marker) + marker.length).split('/');
}

describe('fuzzing the path encoder', () => {
  it('sends any path value so that it comes back unchanged in its own segment, or refuses it with a typed error', async () => {
    await fc.assert(
      fc.asyncProperty(pathValue, pathValue, pathValue, async (roomId, type, stateKey) => {
        const { client, requests } = setup();
        const outcome = await settle(() => client.api.rooms(roomId).state(type, stateKey).get());
        if (!outcome.ok) {
          expect(isTypedRefusal(outcome.error), String(outcome.error)).toBe(true);
          expect(requests).toHaveLength(0);
          // Only the dot segments are refused: any other text can be sent.
          expect([roomId, type, stateKey].some((v) => v === '.' || v === '..')).toBe(true);
          return;
        }
        expect(requests).toHaveLength(1);
        const url = requests[0]!.url;
        expect(url.startsWith('http://127.0.0.1:9/base/_matrix/client/v3/rooms/')).toBe(true);
        expect(new URL(url).search).toBe('');
        expect(new URL(url).hash).toBe('');
        expect(segmentsAfter(url, '/rooms/').map(decodeURIComponent)).toEqual([roomId, 'state', type, stateKey]);
      }),
      { numRuns: FUZZ_RUNS },
    );
  }, FUZZ_TIMEOUT_MS);
});

describe('fuzzing the query encoder', () => {
  it('sends any query value so that the server reads back exactly that value', async () => {
    await fc.assert(
      fc.asyncProperty(pathValue, fc.option(pathValue, { nil: undefined }), fc.integer(), async (from, to, limit) => {
        const { client, requests } = setup();
        await client.api.rooms('!r:x').messages.get({ dir: 'b', from, ...(to === undefined ? {} : { to }), limit });
        const params = new URL(requests[0]!.url).searchParams;
        expect(params.getAll('from')).toEqual([from]);
        expect(params.getAll('to')).toEqual(to === undefined ? [] : [to]);
        expect(params.getAll('limit')).toEqual([String(limit)]);
        expect(params.getAll('dir')).toEqual(['b']);
      }),
      { numRuns: FUZZ_RUNS },
    );
  }, FUZZ_TIMEOUT_MS);

  it('sends any text, lone surrogates included, or refuses it with a typed error, as a rejection', async () => {
    await fc.assert(
      fc.asyncProperty(anyUtf16, async (from) => {
        const { client, requests } = setup();
        let promise: Promise<unknown> | undefined;
        expect(() => (promise = client.api.rooms('!r:x').messages.get({ dir: 'b', from }))).not.toThrow();
        const outcome = await promise!.then(() => undefined, (error: unknown) => error);
        if (outcome === undefined) {
          expect(new URL(requests[0]!.url).searchParams.get('from')).toBe(from);
        } else {
          expect(isTypedRefusal(outcome), String(outcome)).toBe(true);
          expect(requests).toHaveLength(0);
        }
      }),
      { numRuns: FUZZ_RUNS },
    );
  }, FUZZ_TIMEOUT_MS);
});

describe('fuzzing the mxc URI reader', () => {
  const serverName = fc.oneof(
    fc.domain(),
    fc.tuple(fc.domain(), fc.integer({ min: 1, max: 65535 })).map(([d, p]) => `${d}:${p}`),
    fc.ipV4(),
    fc.ipV6().map((ip) => `[${ip}]`),
  );
  const mediaId = fc.string({ unit: fc.constantFrom(...'abcXYZ019_-'), minLength: 1, maxLength: 30 });

  it('downloads any spec-shaped mxc URI from its server and id', async () => {
    await fc.assert(
      fc.asyncProperty(serverName, mediaId, async (server, id) => {
        const { client, requests } = setup();
        await client.media.download(`mxc://${server}/${id}`).get();
        const download = requests.find((r) => r.url.includes('/download/'))!;
        expect(segmentsAfter(download.url, '/media/download/').map(decodeURIComponent)).toEqual([server, id]);
      }),
      { numRuns: FUZZ_RUNS / 4 },
    );
  }, FUZZ_TIMEOUT_MS);

  it('refuses any other text with a typed error, or sends it whole as one value', async () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 })).map(([a, b]) => `mxc://${a}/${b}`),
      fc.constantFrom('mxc://', 'mxc:///', 'mxc://a/', 'mxc://a/b/c', 'mxc://a/../b', 'MXC://a/b', 'mxc://a/b?c', 'mxc://a/b#c'),
    );
    await fc.assert(
      fc.asyncProperty(text, async (uri) => {
        const { client, requests } = setup();
        const outcome = await settle(() => (client.media.download(uri) as unknown as { get(): Promise<unknown> }).get());
        const downloads = requests.filter((r) => r.url.includes('/download/'));
        if (!outcome.ok) {
          expect(isTypedRefusal(outcome.error), String(outcome.error)).toBe(true);
          expect(downloads).toHaveLength(0);
        } else {
          // Read as an mxc URI: its server and id, each in its own segment.
          const match = /^mxc:\/\/([^/]+)\/([^/]+)$/.exec(uri);
          expect(match, `sent ${uri}`).not.toBeNull();
          expect(segmentsAfter(downloads[0]!.url, '/media/download/').map(decodeURIComponent)).toEqual([match![1], match![2]]);
        }
      }),
      { numRuns: FUZZ_RUNS },
    );
  }, FUZZ_TIMEOUT_MS);
});
