import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PINNED_SPEC } from '../../spec/pin.js';
import { PROJECT_ROOT, requireSpecDir } from '../../spec/resolve.js';
import { generate } from '../../codegen/generate.js';

describe('generated/', () => {
  it('is exactly what the generator makes from the pinned spec, and generating twice gives the same bytes', { timeout: 60_000 }, async () => {
    const dir = requireSpecDir();
    const first = await generate(dir, PINNED_SPEC.version, PINNED_SPEC.commit);
    const second = await generate(dir, PINNED_SPEC.version, PINNED_SPEC.commit);
    expect([...second.files]).toEqual([...first.files]);
    const onDisk = readdirSync(join(PROJECT_ROOT, 'generated')).sort();
    expect(onDisk).toEqual([...first.files.keys()].sort());
    for (const [name, text] of first.files) {
      expect(readFileSync(join(PROJECT_ROOT, 'generated', name), 'utf8') === text, `generated/${name} drifted: run npm run generate`).toBe(true);
    }
  });
});
