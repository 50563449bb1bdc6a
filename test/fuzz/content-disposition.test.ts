/**
 * Fuzzing the Content-Disposition reader of media downloads.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { filenameFromDisposition } from '../../src/media/media-response.js';
import { FUZZ_RUNS, FUZZ_TIMEOUT_MS } from './runs.js';

const token = fc.constantFrom('attachment', 'inline', 'form-data', '', 'ATTACHMENT', 'x');
const piece = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.constantFrom('"', "'", ';', '=', '\\', '%', '*', ' ', 'a', 'é', 'filename', 'UTF-8', "''"), maxLength: 30 }),
);

describe('fuzzing the Content-Disposition reader', () => {
  it('reads any header as a file name or none, without throwing', () => {
    fc.assert(
      fc.property(token, fc.array(piece, { maxLength: 6 }), (type, parts) => {
        const header = [type, ...parts].join(parts.length % 2 === 0 ? '; ' : ';');
        const name = filenameFromDisposition(header);
        expect(name === undefined || typeof name === 'string').toBe(true);
      }),
      { numRuns: FUZZ_RUNS },
    );
  }, FUZZ_TIMEOUT_MS);

  it('reads back any file name sent as filename* (RFC 8187), whatever the other parameters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 60 }), token, fc.boolean(), (name, type, withPlain) => {
        const plain = withPlain ? '; filename="fallback.bin"' : '';
        expect(filenameFromDisposition(`${type}${plain}; filename*=UTF-8''${encodeURIComponent(name)}`)).toBe(name);
      }),
      { numRuns: FUZZ_RUNS },
    );
  }, FUZZ_TIMEOUT_MS);

  it('reads back any quoted file name, its quotes and backslashes escaped', () => {
    const printable = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 }).filter((s) => !/[\u0000-\u001f\u007f]/.test(s));
    fc.assert(
      fc.property(printable, token, (name, type) => {
        const quoted = name.replace(/(["\\])/g, '\\$1');
        expect(filenameFromDisposition(`${type}; filename="${quoted}"`)).toBe(name);
      }),
      { numRuns: FUZZ_RUNS },
    );
  }, FUZZ_TIMEOUT_MS);
});
