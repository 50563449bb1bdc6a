/**
 * Fuzzing the readers of a server's wait: `Retry-After` (delta-seconds or an
 * HTTP-date) and `retry_after_ms` of an error body.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRetryAfter, serverRetryAfter } from '../../src/transport/retry.js';
import { FUZZ_RUNS, FUZZ_TIMEOUT_MS } from './runs.js';

/** Header values a server may send: digits of any length, dates, and anything else. */
const retryAfterValue = fc.oneof(
  // Any length up to 500 digits (the length drawn first: fast-check keeps strings short otherwise).
  fc.integer({ min: 1, max: 500 }).chain((n) => fc.string({ unit: fc.constantFrom('0', '1', '5', '9'), minLength: n, maxLength: n })),
  fc.tuple(fc.nat(), fc.nat()).map(([a, b]) => `${a}.${b}`),
  fc.date({ noInvalidDate: true }).map((d) => d.toUTCString()),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.double().map(String),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: 'grapheme-ascii', maxLength: 60 }),
);

/** A wait is absent, or a finite whole number of milliseconds, never negative. */
function isWait(value: unknown): boolean {
  return value === undefined || (typeof value === 'number' && Number.isFinite(value) && value >= 0);
}

describe('fuzzing the Retry-After reader', () => {
  it('reads any header value as no wait or a finite, non-negative wait, without throwing', () => {
    fc.assert(
      fc.property(retryAfterValue, fc.integer({ min: 0, max: 4_102_444_800_000 }), (value, now) => {
        expect(isWait(parseRetryAfter(value, now))).toBe(true);
      }),
      { numRuns: FUZZ_RUNS },
    );
  }, FUZZ_TIMEOUT_MS);

  it('reads delta-seconds as that many seconds, up to the longest wait a timer takes (about 24.8 days)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2_147_483 }), fc.constantFrom('', ' ', '\t'), (seconds, pad) => {
        expect(parseRetryAfter(`${pad}${seconds}${pad}`, 0)).toBe(seconds * 1000);
      }),
      { numRuns: FUZZ_RUNS },
    );
  }, FUZZ_TIMEOUT_MS);

  it('clamps a longer delta-seconds to the longest wait a timer takes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2_147_484, max: Number.MAX_SAFE_INTEGER }), (seconds) => {
        expect(parseRetryAfter(String(seconds), 0)).toBe(2_147_483_647);
      }),
      { numRuns: FUZZ_RUNS },
    );
    expect(parseRetryAfter('9'.repeat(400), 0)).toBe(2_147_483_647);
  }, FUZZ_TIMEOUT_MS);

  it('gives a wait from a header, a body, both or neither that is absent or finite', () => {
    const body = fc.oneof(
      fc.anything(),
      fc.record({ errcode: fc.string(), retry_after_ms: fc.oneof(fc.double(), fc.integer(), fc.string(), fc.constant(null)) }, { requiredKeys: [] }),
    );
    fc.assert(
      fc.property(fc.option(retryAfterValue, { nil: null }), body, (header, parsed) => {
        const headers = new Headers();
        if (header !== null) {
          try {
            headers.set('retry-after', header);
          } catch {
            return; // not a value an HTTP header can carry: no server can send it
          }
        }
        expect(isWait(serverRetryAfter(headers, parsed, 0))).toBe(true);
      }),
      { numRuns: FUZZ_RUNS },
    );
  }, FUZZ_TIMEOUT_MS);
});
