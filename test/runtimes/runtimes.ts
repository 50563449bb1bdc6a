/**
 * Where the runtime suites find their runtimes (Chromium, Deno, Bun), how they say
 * loudly that one is missing, and the built package they all load.
 *
 * A missing runtime skips its suite with the reason in the test's name and on
 * stderr; with `MATRIX_FLUENT_RUNTIMES=required` (what CI sets) it fails instead,
 * so a green run can never hide a suite that did not run.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../spec/resolve.js';

/** A runtime a suite runs in: its executable, or why it is not there. */
export type Runtime = { name: string; path: string; missing?: undefined } | { name: string; path?: undefined; missing: string };

/** Whether a missing runtime fails the run instead of skipping its suite. */
export const RUNTIMES_REQUIRED: boolean = process.env['MATRIX_FLUENT_RUNTIMES'] === 'required';

function onPath(command: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(':')) {
    if (dir !== '' && existsSync(join(dir, command))) return join(dir, command);
  }
  return undefined;
}

/** The npm-installed binary of a dev dependency (node_modules/.bin), else one on PATH. */
export function findNpmRuntime(name: 'deno' | 'bun'): Runtime {
  const local = join(PROJECT_ROOT, 'node_modules', '.bin', name);
  if (existsSync(local)) return { name, path: local };
  const global = onPath(name);
  if (global !== undefined) return { name, path: global };
  return { name, missing: `no ${name} binary in node_modules/.bin or on PATH (the ${name} dev dependency brings it: npm ci)` };
}

/** Chromium: `CHROMIUM_PATH`, else Debian's /usr/bin/chromium, else one on PATH. */
export function findChromium(): Runtime {
  const fromEnv = process.env['CHROMIUM_PATH'];
  if (fromEnv !== undefined && fromEnv !== '') {
    return existsSync(fromEnv) ? { name: 'chromium', path: fromEnv } : { name: 'chromium', missing: `CHROMIUM_PATH=${fromEnv} does not exist` };
  }
  for (const candidate of ['/usr/bin/chromium', '/usr/bin/chromium-browser']) {
    if (existsSync(candidate)) return { name: 'chromium', path: candidate };
  }
  const found = onPath('chromium') ?? onPath('chromium-browser');
  if (found !== undefined) return { name: 'chromium', path: found };
  return { name: 'chromium', missing: 'no Chromium at /usr/bin/chromium or on PATH (apt-get install -y chromium, or set CHROMIUM_PATH)' };
}

/**
 * Says on stderr, in a line that stands out, that a suite is skipped and why; throws
 * instead when runtimes are required.
 */
export function announceMissing(runtime: Runtime & { missing: string }, suite: string): void {
  const line = `\n*** SKIPPED: ${suite} — ${runtime.missing} ***\n`;
  if (RUNTIMES_REQUIRED) throw new Error(`${suite} cannot run (MATRIX_FLUENT_RUNTIMES=required): ${runtime.missing}`);
  process.stderr.write(line);
}

/**
 * Deterministic bytes as hex (every value 0..255 appears): what the suites upload, and
 * what they compare downloads with (large byte arrays compare fast as strings).
 * smoke.mjs makes the same bytes for the same length and seed.
 */
export function patternHex(length: number, seed: number): string {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + seed) & 0xff;
  return Buffer.from(out).toString('hex');
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Builds the package (`npm run build`) unless dist/ is newer than every source
 * file, so the suites load what would be published. Answers the build's duration
 * in milliseconds (0 when dist/ was fresh).
 */
export function ensureBuilt(): number {
  const entry = join(PROJECT_ROOT, 'dist', 'src', 'index.js');
  const sources = Math.max(newestMtime(join(PROJECT_ROOT, 'src')), newestMtime(join(PROJECT_ROOT, 'generated')), statSync(join(PROJECT_ROOT, 'package.json')).mtimeMs);
  if (existsSync(entry) && statSync(entry).mtimeMs >= sources) return 0;
  const started = performance.now();
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: PROJECT_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  return performance.now() - started;
}

/**
 * A throwaway consumer project that depends on matrix-fluent the way an installed
 * one would (node_modules/matrix-fluent links to this package), so each runtime
 * resolves `import 'matrix-fluent'` through the package's own `exports`.
 */
export function consumerProject(): string {
  const dir = join(PROJECT_ROOT, '.tmp', 'runtimes', 'consumer');
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: { 'matrix-fluent': '*' } }, null, 2));
  try {
    symlinkSync(PROJECT_ROOT, join(dir, 'node_modules', 'matrix-fluent'), 'dir');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return dir;
}
