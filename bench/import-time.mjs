// In-process import time of the built package, against references measured in
// the same run: an empty module and ky alone. Each sample is a fresh node process.
// Run: npm run bench:import
import { execFileSync } from 'node:child_process';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const RUNS = Number(process.env.RUNS ?? 15);
const dir = mkdtempSync(join(tmpdir(), 'import-time-'));
const empty = join(dir, 'empty.mjs');
writeFileSync(empty, 'export {};\n');

function sample(specifier) {
  const script = `const t = performance.now(); await import(${JSON.stringify(specifier)}); ` +
    `const ms = performance.now() - t; console.log(JSON.stringify({ ms, heap: process.memoryUsage().heapUsed }));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: process.cwd() });
  return JSON.parse(out.toString());
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const targets = [
  ['empty module', pathToFileURL(empty).href],
  ['ky alone', 'ky'],
  // Through the exports map, as an app imports it: on Node that is the `node` condition's entry.
  ['matrix-fluent', 'matrix-fluent'],
  ['matrix-fluent/node', 'matrix-fluent/node'],
];
const results = {};
for (const [name, specifier] of targets) {
  sample(specifier); // warm the file cache
  const runs = Array.from({ length: RUNS }, () => sample(specifier));
  results[name] = { ms: median(runs.map((r) => r.ms)), heapMiB: median(runs.map((r) => r.heap)) / 2 ** 20 };
}
rmSync(dir, { recursive: true, force: true });
console.log(`import time, median of ${RUNS} fresh processes (node ${process.version})`);
for (const [name, r] of Object.entries(results)) {
  console.log(`  ${name.padEnd(24)} ${r.ms.toFixed(2).padStart(7)} ms   heap ${r.heapMiB.toFixed(1)} MiB`);
}
for (const name of ['matrix-fluent', 'matrix-fluent/node']) {
  console.log(`  ${name}: ${(results[name].ms / results['ky alone'].ms).toFixed(2)}x ky alone`);
}
