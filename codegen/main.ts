/**
 * `npm run generate [-- --version v1.18] [--out dir]`: regenerates `generated/`
 * from the pinned spec tree (MATRIX_SPEC_DIR or the spec cache).
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { KNOWN_SPECS, PINNED_SPEC } from '../spec/pin.js';
import { PROJECT_ROOT, requireSpecDir } from '../spec/resolve.js';
import { generate } from './generate.js';

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

async function main(): Promise<void> {
  const started = performance.now();
  const version = argument('--version') ?? PINNED_SPEC.version;
  const pin = KNOWN_SPECS.find((p) => p.version === version);
  if (!pin) throw new Error(`unknown spec version ${version}; add it to spec/pin.ts`);
  const out = resolve(argument('--out') ?? join(PROJECT_ROOT, 'generated'));
  const { files, routes } = await generate(requireSpecDir(version), pin.version, pin.commit);
  mkdirSync(out, { recursive: true });
  for (const name of readdirSync(out)) if (!files.has(name)) rmSync(join(out, name), { recursive: true });
  for (const [name, text] of files) writeFileSync(join(out, name), text);
  const ms = performance.now() - started;
  console.error(`generated ${files.size} files, ${routes.length} routes, from spec ${version} in ${ms.toFixed(0)} ms → ${out}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack ?? error.message : error);
  process.exit(1);
});
