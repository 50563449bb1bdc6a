/**
 * The bundle budget: bundles the main entry for the browser with esbuild (minified,
 * tree-shaken, platform browser, ESM) as an app's bundler would, and prints its raw,
 * gzip and brotli sizes; the same for an app that uses only `client.api` over the
 * transport (`import { createClient }`, one call). Exits 1 when a size is over its
 * budget, or when a bundle imports a Node module (`node:*` or a bare Node built-in),
 * which a browser cannot load.
 *
 *   npm run bundle:size
 *
 * The budgets and why they are what they are: README, "Bundle size". Not shipped.
 */
import { builtinModules } from 'node:module';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { build, type BuildOptions } from 'esbuild';
import { PROJECT_ROOT } from '../spec/resolve.js';

/** Sizes of one bundle, in bytes. */
export interface BundleSizes {
  raw: number;
  gzip: number;
  brotli: number;
}

/** What a budget caps, in bytes. */
export type Budget = BundleSizes;

/** One bundle to measure: what an app imports, and what it may cost. */
export interface BundleCase {
  name: string;
  /** The app's module, importing the package from `./src/index.ts` (resolved from the project root). */
  contents: string;
  budget: Budget;
}

/** A measured bundle. */
export interface BundleReport {
  name: string;
  sizes: BundleSizes;
  budget: Budget;
  /** Node modules the bundle imports (it must import none). */
  nodeImports: string[];
  /** Bytes of the output by origin (`src/transport`, `generated`, `node_modules/ky`), largest first. */
  origins: [string, number][];
}

/**
 * The two bundles and their budgets. Measured on 2026-12-01 (esbuild 0.28.2): the whole
 * entry 292,273 raw / 81,385 gzip / 70,695 brotli; `client.api` only 133,720 / 30,540 /
 * 26,560. The budgets leave about 20 % on top (see the README).
 */
export const BUNDLE_CASES: readonly BundleCase[] = [
  {
    name: 'matrix-fluent (every export)',
    contents: "export * from './src/index.ts';\n",
    budget: { raw: 350_000, gzip: 98_000, brotli: 85_000 },
  },
  {
    name: 'client.api + transport only',
    contents:
      "import { createClient } from './src/index.ts';\n" +
      'export const whoami = (baseUrl: string, accessToken: string) => createClient({ baseUrl, accessToken }).api.account.whoami.get();\n',
    budget: { raw: 160_000, gzip: 37_000, brotli: 32_000 },
  },
];

/** Node's built-in module names, bare and with the `node:` prefix. */
const NODE_BUILTINS = [...builtinModules, ...builtinModules.map((name) => `node:${name}`), 'node:*'];

function originOf(path: string): string {
  return path.replace(/^(src\/[^/.]+|generated|node_modules\/(?:@[^/]+\/)?[^/]+|<stdin>).*$/, '$1').replace(/\.ts$/, '');
}

/**
 * Bundles one app module for the browser and measures it.
 *
 * @example
 * ```ts
 * const report = await measureBundle(BUNDLE_CASES[0]!);
 * console.log(report.sizes.gzip <= report.budget.gzip);
 * ```
 */
export async function measureBundle(bundle: Pick<BundleCase, 'name' | 'contents'> & { budget?: Budget }): Promise<BundleReport> {
  const options: BuildOptions = {
    stdin: { contents: bundle.contents, resolveDir: PROJECT_ROOT, loader: 'ts', sourcefile: 'app.ts' },
    bundle: true,
    minify: true,
    treeShaking: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
    // Kept as imports, so that the check below can name them (a browser build would fail on them).
    external: NODE_BUILTINS,
  };
  const result = await build(options);
  const output = result.outputFiles?.[0];
  const meta = Object.values(result.metafile?.outputs ?? {})[0];
  if (output === undefined || meta === undefined) throw new Error(`esbuild wrote no bundle for ${bundle.name}`);
  const code = output.contents;
  const origins = new Map<string, number>();
  for (const [path, input] of Object.entries(meta.inputs)) {
    const origin = originOf(path);
    origins.set(origin, (origins.get(origin) ?? 0) + input.bytesInOutput);
  }
  return {
    name: bundle.name,
    sizes: {
      raw: code.byteLength,
      gzip: gzipSync(code, { level: 9 }).byteLength,
      brotli: brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).byteLength,
    },
    budget: bundle.budget ?? { raw: Infinity, gzip: Infinity, brotli: Infinity },
    nodeImports: meta.imports.map((i) => i.path).filter((path) => NODE_BUILTINS.includes(path) || path.startsWith('node:')),
    origins: [...origins].filter(([, bytes]) => bytes > 0).sort((a, b) => b[1] - a[1]),
  };
}

/**
 * What is wrong with a measured bundle: each size over its budget, each Node module it imports.
 *
 * @example
 * ```ts
 * const problems = budgetProblems(await measureBundle(BUNDLE_CASES[1]!)); // [] when within budget
 * ```
 */
export function budgetProblems(report: BundleReport): string[] {
  const problems: string[] = [];
  for (const key of ['raw', 'gzip', 'brotli'] as const) {
    if (report.sizes[key] > report.budget[key]) {
      problems.push(`${report.name}: ${key} ${report.sizes[key]} B is over the budget of ${report.budget[key]} B`);
    }
  }
  for (const path of report.nodeImports) problems.push(`${report.name}: imports the Node module '${path}', which no browser has`);
  return problems;
}

const kb = (bytes: number): string => `${(bytes / 1000).toFixed(1)} kB`;

/**
 * The report as printed: a table of sizes against budgets, and what fills each bundle.
 *
 * @example
 * ```ts
 * console.log(formatBundleReports(await Promise.all(BUNDLE_CASES.map(measureBundle))));
 * ```
 */
export function formatBundleReports(reports: readonly BundleReport[]): string {
  const lines = ['| bundle (esbuild, minified, browser) | raw | gzip | brotli |', '|---|---|---|---|'];
  for (const r of reports) {
    const cell = (key: keyof BundleSizes): string => `${kb(r.sizes[key])} / ${kb(r.budget[key])} (${Math.round((100 * r.sizes[key]) / r.budget[key])} %)`;
    lines.push(`| ${r.name} | ${cell('raw')} | ${cell('gzip')} | ${cell('brotli')} |`);
  }
  lines.push('', 'size / budget (share of the budget used); raw bytes of the bundle by origin:');
  for (const r of reports) {
    lines.push(`- ${r.name}: ${r.origins.slice(0, 8).map(([origin, bytes]) => `${origin} ${kb(bytes)}`).join(', ')}`);
  }
  return lines.join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const reports = [];
  for (const bundle of BUNDLE_CASES) reports.push(await measureBundle(bundle));
  console.log(formatBundleReports(reports));
  const problems = reports.flatMap(budgetProblems);
  if (problems.length > 0) {
    console.error(`\n${problems.join('\n')}`);
    process.exit(1);
  }
  console.log('\nevery bundle is within its budget and imports no Node module');
}
