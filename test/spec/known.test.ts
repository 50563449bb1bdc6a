import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { appendKnownSpec, KNOWN_SPECS, parseKnownSpecs, PINNED_SPEC, readKnownSpecs } from '../../spec/known.js';
import { findSpecDir } from '../../spec/resolve.js';

const A = 'c346686b0d207ef4c0420c3a1a418d7e5280d6e5';
const B = 'b9c3d5ed3b0b46b2b025b4a427119036bc9ed71a';
const C = '0123456789abcdef0123456789abcdef01234567';

describe('the list of known spec versions', () => {
  let root: string | undefined;
  afterEach(() => {
    if (root) rmSync(root, { recursive: true, force: true });
    root = undefined;
  });

  it('reads one version and commit per line, comments and blank lines left out, oldest first', () => {
    expect(parseKnownSpecs(`# known\n\nv1.18 ${A}\nv1.19 ${B}  # the pin\n`)).toEqual([
      { version: 'v1.18', commit: A },
      { version: 'v1.19', commit: B },
    ]);
  });

  it.each([
    ['a short commit', `v1.19 b9c3d5e\n`, /:1: expected "<version> <40-hex commit>"/],
    ['a missing commit', `v1.19\n`, /:1: expected/],
    ['an extra word', `v1.19 ${B} pinned\n`, /:1: expected/],
    ['a version listed twice', `v1.19 ${A}\nv1.19 ${B}\n`, /:2: v1\.19 is listed twice/],
    ['no version at all', `# nothing\n`, /lists no spec version/],
  ])('refuses %s', (_name, text, error) => {
    expect(() => parseKnownSpecs(text)).toThrow(error);
  });

  it('makes the last version the pin, and the project pins the newest one it lists', () => {
    expect(PINNED_SPEC).toEqual(KNOWN_SPECS[KNOWN_SPECS.length - 1]);
    expect(KNOWN_SPECS.map((p) => p.version)).toContain('v1.18');
  });

  it('appends a version as the new pin, keeping every earlier one known', () => {
    root = mkdtempSync(join(tmpdir(), 'known-'));
    mkdirSync(join(root, 'spec'));
    writeFileSync(join(root, 'spec', 'known-specs.txt'), `# versions\nv1.18 ${A}\nv1.19 ${B}\n`);
    appendKnownSpec({ version: 'v1.20', commit: C }, root);
    expect(readFileSync(join(root, 'spec', 'known-specs.txt'), 'utf8')).toBe(`# versions\nv1.18 ${A}\nv1.19 ${B}\nv1.20 ${C}\n`);
    expect(readKnownSpecs(root).map((p) => p.version)).toEqual(['v1.18', 'v1.19', 'v1.20']);
    expect(() => appendKnownSpec({ version: 'v1.19', commit: C }, root)).toThrow(/v1\.19 is already in spec\/known-specs\.txt/);
  });

  it('has a tree for every known version here (the contract test runs against each)', () => {
    for (const { version } of KNOWN_SPECS) expect(findSpecDir(version), version).toBeDefined();
  });
});
