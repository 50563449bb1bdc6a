/**
 * The bundle budget runs with the test suite: the script's exit status is what CI
 * sees, and its two failure rules (a size over budget, a Node module in a browser
 * bundle) are shown to fire.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../spec/resolve.js';
import { BUNDLE_CASES, budgetProblems, measureBundle, type BundleReport } from '../../tools/bundle-size.js';

describe('the bundle budget', () => {
  /** The client.api bundle, measured once for the tests that read it (a budget only changes what budgetProblems reports). */
  let clientApi: Promise<BundleReport> | undefined;
  const measureClientApi = (): Promise<BundleReport> => (clientApi ??= measureBundle(BUNDLE_CASES[1]!));

  it('npm run bundle:size prints raw, gzip and brotli sizes of both bundles and exits 0 within the budgets', () => {
    const run = spawnSync(process.execPath, [join(PROJECT_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(PROJECT_ROOT, 'tools', 'bundle-size.ts')], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    for (const bundle of BUNDLE_CASES) expect(run.stdout).toContain(`| ${bundle.name} |`);
    expect(run.stdout).toMatch(/\| raw \| gzip \| brotli \|/);
    expect(run.stdout).toContain('every bundle is within its budget and imports no Node module');
  }, 120_000);

  it('the client.api bundle leaves out the appservice, the YAML parser and undici', async () => {
    const report = await measureClientApi();
    const origins = report.origins.map(([origin]) => origin);
    expect(origins).toEqual(expect.arrayContaining(['generated', 'src/transport', 'src/gateway', 'node_modules/ky']));
    expect(origins.filter((o) => /appservice|yaml|undici/.test(o))).toEqual([]);
  }, 60_000);

  it('names every Node module a bundle imports, prefixed or bare, as a problem', async () => {
    const report = await measureBundle({
      name: 'node app',
      contents: "import { readFileSync } from 'node:fs';\nimport { join } from 'path';\nexport const read = (a: string) => readFileSync(join(a, 'x'));\n",
    });
    expect(report.nodeImports.sort()).toEqual(['node:fs', 'path']);
    expect(budgetProblems(report)).toEqual([
      "node app: imports the Node module 'node:fs', which no browser has",
      "node app: imports the Node module 'path', which no browser has",
    ]);
  }, 60_000);

  it('reports each size over its budget', async () => {
    const report = { ...(await measureClientApi()), budget: { raw: 1_000, gzip: 1_000_000, brotli: 10 } };
    expect(budgetProblems(report)).toEqual([
      expect.stringMatching(/^client\.api \+ transport only: raw \d+ B is over the budget of 1000 B$/),
      expect.stringMatching(/^client\.api \+ transport only: brotli \d+ B is over the budget of 10 B$/),
    ]);
  }, 60_000);
});
