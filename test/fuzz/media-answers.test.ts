/**
 * Fuzzing the reading of media answers: any status, headers (length, type,
 * disposition) and body a server may send to a download ends in a media
 * response whose fields are what their types say, or in one of the SDK's
 * typed errors; reading the body gives bytes or a typed error.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createClient, isMatrixSdkError } from '../../src/index.js';
import { FUZZ_RUNS, FUZZ_TIMEOUT_MS } from './runs.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const LIMIT = 4096;

const headerValue = fc.oneof(
  fc.string({ unit: 'grapheme-ascii', maxLength: 40 }),
  fc.integer({ min: 1, max: 400 }).chain((n) => fc.string({ unit: fc.constantFrom('0', '1', '9'), minLength: n, maxLength: n })),
  fc.nat({ max: 10_000 }).map(String),
  fc.constantFrom('-1', '1e3', ' 12 ', '0x10', '', 'attachment; filename*=UTF-8\'\'%E2%82%AC%ZZ', 'inline; filename="a\\"b"'),
);
const headers = fc.record(
  { 'content-length': headerValue, 'content-type': headerValue, 'content-disposition': headerValue },
  { requiredKeys: [] },
);

describe('fuzzing the reading of media answers', () => {
  it('gives a media response with well-typed fields, or a typed error, for any download answer', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 200, max: 599 }), headers, fc.uint8Array({ maxLength: 2 * LIMIT }), async (status, given, body) => {
        const h = new Headers();
        for (const [name, value] of Object.entries(given)) {
          try {
            h.set(name, value);
          } catch {
            // a value no header can carry
          }
        }
        const bodyless = status === 204 || status === 205 || status === 304;
        // Redirects are a different test: a 3xx here has no Location, so nothing to follow.
        const client = createClient({
          baseUrl: 'http://127.0.0.1:9',
          accessToken: 'syt_fuzz',
          logger: silent,
          retry: 0,
          maxResponseBytes: LIMIT,
          fetch: (input) => {
            const url = new Request(input).url;
            if (url.endsWith('/_matrix/client/versions')) return Promise.resolve(Response.json({ versions: ['v1.11'] }));
            return Promise.resolve(new Response(bodyless ? null : (body as Uint8Array<ArrayBuffer>), { status, headers: h }));
          },
        });
        let file;
        try {
          file = await client.media.download('mxc://example.org/abc').get();
        } catch (error) {
          expect(isMatrixSdkError(error), String(error)).toBe(true);
          return;
        }
        expect(status).toBeLessThan(300);
        expect(file.size === undefined || (Number.isSafeInteger(file.size) && file.size >= 0), `size ${file.size}`).toBe(true);
        expect(file.filename === undefined || typeof file.filename === 'string').toBe(true);
        expect(file.contentType === undefined || typeof file.contentType === 'string').toBe(true);
        try {
          const bytes = await file.bytes();
          expect(bytes.length).toBeLessThanOrEqual(LIMIT);
        } catch (error) {
          expect(isMatrixSdkError(error), String(error)).toBe(true);
        }
      }),
      { numRuns: FUZZ_RUNS },
    );
  }, FUZZ_TIMEOUT_MS);
});
