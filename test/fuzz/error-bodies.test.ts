/**
 * Fuzzing the reading of answers: any status, headers and body a server may
 * send to a JSON call ends in data or in one of the SDK's typed errors, never
 * in a crash or an untyped error. The answers come from an in-process fetch,
 * so thousands of them take a second or two.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createClient, isMatrixError, isMatrixSdkError, isRateLimitError } from '../../src/index.js';
import type { TransportSeams } from '../../src/internal/test-seams.js';
import { FUZZ_RUNS, FUZZ_TIMEOUT_MS } from './runs.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const encoder = new TextEncoder();

/** JSON error bodies, near-JSON text, and raw bytes. */
const errorBody = fc.oneof(
  fc.record(
    {
      errcode: fc.oneof(fc.constantFrom('M_FORBIDDEN', 'M_LIMIT_EXCEEDED', 'M_UNKNOWN_TOKEN', '__proto__'), fc.string(), fc.anything()),
      error: fc.oneof(fc.string(), fc.anything()),
      retry_after_ms: fc.oneof(fc.double(), fc.integer(), fc.string(), fc.constant(1e400)),
      soft_logout: fc.anything(),
      session: fc.string(),
      flows: fc.anything(),
    },
    { requiredKeys: [] },
  ).map((o) => encoder.encode(JSON.stringify(o))),
  fc.jsonValue().map((v) => encoder.encode(JSON.stringify(v))),
  fc.jsonValue().map((v) => encoder.encode(JSON.stringify(v).slice(0, -1))),
  fc.string({ unit: 'binary' }).map((s) => encoder.encode(s)),
  fc.uint8Array({ maxLength: 200 }),
  fc.constant(encoder.encode('{"__proto__": {"polluted": true}, "errcode": "M_X"}')),
);

const header = fc.oneof(
  fc.constant<[string, string]>(['retry-after', '9'.repeat(400)]),
  fc.tuple(fc.constant('retry-after'), fc.string({ unit: 'grapheme-ascii', maxLength: 30 })),
  fc.tuple(fc.constantFrom('content-type', 'content-length', 'content-encoding', 'www-authenticate'), fc.string({ unit: 'grapheme-ascii', maxLength: 30 })),
);

/** An answer that the Fetch API can represent (a 204 or 304 has no body). */
function answer(status: number, body: Uint8Array, headers: [string, string][]): Response {
  const h = new Headers();
  for (const [name, value] of headers) {
    try {
      h.set(name, value);
    } catch {
      // a value no header can carry: no server can send it either
    }
  }
  // A declared length that does not match the bytes would be a different test (truncation).
  h.delete('content-length');
  h.delete('content-encoding');
  const bodyless = status === 204 || status === 205 || status === 304;
  return new Response(bodyless ? null : (body as Uint8Array<ArrayBuffer>), { status, headers: h });
}

function clientAnswering(respond: () => Response) {
  return createClient({
    baseUrl: 'http://127.0.0.1:9',
    accessToken: 'syt_fuzz_token',
    logger: silent,
    retry: 0,
    fetch: () => Promise.resolve(respond()),
    ...({ sleep: () => Promise.resolve() } satisfies TransportSeams),
  });
}

describe('fuzzing the reading of answers', () => {
  it('turns any error answer into a typed error with a finite wait, never a crash', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 400, max: 599 }), errorBody, fc.array(header, { maxLength: 3 }), async (status, body, headers) => {
        const client = clientAnswering(() => answer(status, body, headers));
        const outcome = await client.api.account.whoami.get().then(
          () => 'resolved' as const,
          (error: unknown) => error,
        );
        expect(outcome).not.toBe('resolved');
        expect(isMatrixSdkError(outcome), String(outcome)).toBe(true);
        if (isMatrixError(outcome)) {
          expect(outcome.status).toBe(status);
          expect(outcome.retryAfterMs === undefined || Number.isFinite(outcome.retryAfterMs)).toBe(true);
          expect(outcome.errcode === undefined || typeof outcome.errcode === 'string').toBe(true);
        }
        if (status === 429) expect(isRateLimitError(outcome) || isMatrixError(outcome)).toBe(true);
        expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
      }),
      { numRuns: FUZZ_RUNS },
    );
  }, FUZZ_TIMEOUT_MS);

  it('resolves any successful answer as data or rejects it with a typed error, never a crash', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 200, max: 299 }), errorBody, fc.array(header, { maxLength: 2 }), async (status, body, headers) => {
        const client = clientAnswering(() => answer(status, body, headers));
        const outcome = await client.api.account.whoami.get().then(
          () => undefined,
          (error: unknown) => error,
        );
        if (outcome !== undefined) expect(isMatrixSdkError(outcome), String(outcome)).toBe(true);
        expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
      }),
      { numRuns: FUZZ_RUNS },
    );
  }, FUZZ_TIMEOUT_MS);
});
