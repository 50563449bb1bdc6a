/**
 * Free when off: a bundle of the main entry holds none of the generated
 * checks (their table's identifier is absent, and so is the file); a bundle
 * of `matrix-fluent/validation` holds them.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../spec/resolve.js';

/** The generated table's identifier: it names nothing else in the project. */
const MARKER = 'EVENT_CHECK_NODES';

async function bundle(entry: string): Promise<{ text: string; inputs: string[] }> {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [join(PROJECT_ROOT, entry)],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'esm',
    metafile: true,
    logLevel: 'silent',
  });
  return { text: result.outputFiles[0]!.text, inputs: Object.keys(result.metafile.inputs) };
}

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
