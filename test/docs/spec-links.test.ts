/**
 * The runtime links the spec at `/latest/`, as the generated code does: a link
 * to one spec version goes stale at the next bump.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../spec/resolve.js';

describe('links to the spec from src/', () => {
  it('point at spec.matrix.org/latest/, never at a version', async () => {
    const pinned: string[] = [];
    let latest = 0;
    for (const entry of await readdir(join(PROJECT_ROOT, 'src'), { recursive: true })) {
      if (!entry.endsWith('.ts')) continue;
      const text = await readFile(join(PROJECT_ROOT, 'src', entry), 'utf8');
      for (const match of text.matchAll(/https?:\/\/spec\.matrix\.org\/(v\d+\.\d+|unstable)\/\S*/g)) pinned.push(`src/${entry}: ${match[0]}`);
      latest += text.match(/https:\/\/spec\.matrix\.org\/latest\//g)?.length ?? 0;
    }
    expect(pinned).toEqual([]);
    // The check looks where links are: src/ has some.
    expect(latest).toBeGreaterThan(0);
  });
});
