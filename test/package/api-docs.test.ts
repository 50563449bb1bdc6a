/**
 * The API reference builds from the public entries with typedoc, and CI fails on
 * any warning: an undocumented reference to a type the entries do not export, a
 * `{@link}` that resolves to nothing, an unknown tag (`typedoc.json` treats warnings
 * as errors).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../spec/resolve.js';

const TYPEDOC = join(PROJECT_ROOT, 'node_modules', 'typedoc', 'bin', 'typedoc');
const FIXTURES = join(PROJECT_ROOT, 'test', 'package', 'fixtures');
const strip = (text: string): string => text.replace(/\x1b\[[0-9;]*m/g, '');

function typedoc(args: string[], cwd = PROJECT_ROOT): { status: number | null; output: string } {
  const run = spawnSync(process.execPath, [TYPEDOC, ...args], { cwd, encoding: 'utf8' });
  return { status: run.status, output: strip(`${run.stdout}${run.stderr}`) };
}

describe('the API reference (npm run docs)', () => {
  it('builds from matrix-fluent and matrix-fluent/node without a warning', () => {
    const out = join(PROJECT_ROOT, '.tmp', 'api-docs');
    rmSync(out, { recursive: true, force: true });
    const run = typedoc(['--out', out]);
    expect(run.output).not.toMatch(/\[warning\]|\[error\]/);
    expect(run.status).toBe(0);
  }, 300_000);

  it('fails on a link that resolves to nothing, under the same settings', () => {
    // The project's settings without its entries: typedoc reads typedoc.json's tsconfig over --tsconfig.
    const { entryPoints: _entries, tsconfig: _tsconfig, out: _out, ...settings } = JSON.parse(readFileSync(join(PROJECT_ROOT, 'typedoc.json'), 'utf8')) as Record<string, unknown>;
    const dir = join(PROJECT_ROOT, '.tmp', 'api-docs-broken');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'typedoc.json'), JSON.stringify(settings));
    const run = typedoc(['--options', join(dir, 'typedoc.json'), '--entryPoints', 'broken-link.ts', '--tsconfig', 'broken-link.tsconfig.json', '--out', join(dir, 'out')], FIXTURES);
    expect(run.output).toMatch(/Failed to resolve link to "NoSuchThing"/);
    expect(run.status).not.toBe(0);
  }, 300_000);
});
