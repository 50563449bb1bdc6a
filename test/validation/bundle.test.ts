/**
 * Free when off: a bundle of the main entry holds none of the generated
 * checks (their table's identifier is absent, and so is the file); a bundle
 * of `matrix-fluent/validation` holds them.
 */
import { describe, expect, it } from 'vitest';
import { bundleForBrowser as bundle } from '../support/browser-bundle.js';

/** The generated table's identifier: it names nothing else in the project. */
const MARKER = 'EVENT_CHECK_NODES';

describe('the event validation', () => {
  it('is absent from a bundle of the main entry, and present in a bundle of its own entry', { timeout: 60_000 }, async () => {
    const main = await bundle('src/index.ts');
    const validation = await bundle('src/validation/index.ts');
    expect(validation.text).toContain(MARKER);
    expect(validation.inputs.some((path) => path.endsWith('generated/validators.ts'))).toBe(true);
    expect(validation.text).toContain('mx-user-id');
    expect(main.text).not.toContain(MARKER);
    expect(main.inputs.filter((path) => path.includes('generated/validators') || path.includes('src/validation/'))).toEqual([]);
    // The main entry still carries the small part it needs: the error class that a refused call throws.
    expect(main.text).toContain('EventValidationError');
  });
});
