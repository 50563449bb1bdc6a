import { describe, expect, it } from 'vitest';
import { compareSpecTrees, formatChanges } from '../../codegen/compare.js';
import { findSpecDir } from '../../spec/resolve.js';

const v118 = findSpecDir('v1.18');
const v119 = findSpecDir('v1.19');

describe('the operations changed between two spec trees', () => {
  it.skipIf(!v118 || !v119)('lists what v1.19 added and changed over v1.18, and nothing between a tree and itself', { timeout: 60_000 }, () => {
    const changes = compareSpecTrees(v118!, v119!);
    expect(changes.filter((c) => c.kind === 'added').map((c) => c.route)).toEqual(['GET /_matrix/client/v1/mutual_rooms']);
    expect(changes.filter((c) => c.kind === 'removed')).toEqual([]);
    const profile = changes.find((c) => c.route === 'GET /_matrix/client/v3/profile/{userId}');
    expect(profile?.details).toEqual(['path parameter userId .format: (none) → "mx-user-id"', 'path parameter userId .pattern: (none) → "^@"']);
    expect(compareSpecTrees(v119!, v119!)).toEqual([]);
  });

  it('formats counts, then one line per operation and per difference, cut after a limit', () => {
    const text = formatChanges([
      { kind: 'added', route: 'GET /a', details: [] },
      { kind: 'changed', route: 'GET /b', details: ['one', 'two', 'three'] },
      { kind: 'removed', route: 'GET /c', details: [] },
    ], 2);
    expect(text.split('\n')).toEqual([
      'operations: 1 added, 1 removed, 1 changed',
      '  + GET /a',
      '  ~ GET /b',
      '      one',
      '      two',
      '      … and 1 more',
      '  - GET /c',
    ]);
  });
});
