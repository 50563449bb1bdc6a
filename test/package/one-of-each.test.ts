/**
 * One of each small utility: the directory sync and the JSON object check are written
 * once in src/ and used from there, each caller keeping its own error policy.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../spec/resolve.js';
import { syncDirectory } from '../../src/node-fs.js';
import { isRecord } from '../../src/is-record.js';

/** The TypeScript files of src/, relative to the project, with their text (comments removed). */
async function sources(): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await readdir(join(PROJECT_ROOT, 'src'), { recursive: true })) {
    if (!entry.endsWith('.ts')) continue;
    const text = await readFile(join(PROJECT_ROOT, 'src', entry), 'utf8');
    files.set(`src/${entry}`, text.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, ''));
  }
  return files;
}

describe('one of each utility', () => {
  it('a directory is opened to be synced in one module only, src/node-fs.ts', async () => {
    const offenders = [...(await sources())].filter(([, code]) => /open\([^)]*,\s*'r'\)[\s\S]{0,200}?\.sync\(\)/.test(code)).map(([file]) => file);
    expect(offenders).toEqual(['src/node-fs.ts']);
  });

  it('the JSON object check is written once, in src/is-record.ts', async () => {
    const offenders = [...(await sources())]
      .filter(([, code]) => /function \w+\(value: unknown\): value is Record<string, unknown>/.test(code))
      .map(([file]) => file);
    expect(offenders).toEqual(['src/is-record.ts']);
  });

  it('syncDirectory syncs a directory and throws for one it cannot open, leaving the policy to the caller', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mf-node-fs-'));
    try {
      await expect(syncDirectory(dir)).resolves.toBeUndefined();
      await expect(syncDirectory(join(dir, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('isRecord takes JSON objects only', () => {
    expect([{}, { a: 1 }, [], null, 'x', 1, undefined].map(isRecord)).toEqual([true, true, false, false, false, false, false]);
  });
});
