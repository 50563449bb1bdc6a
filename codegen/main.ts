/**
 * `npm run generate [-- --version v1.18] [--out dir]`: regenerates `generated/`
 * from the pinned spec tree (MATRIX_SPEC_DIR or the spec cache), once the tree
 * matches the manifest of the version it is stamped with.
 */
import { join, resolve } from 'node:path';
import { KNOWN_SPECS, PINNED_SPEC } from '../spec/pin.js';
import { PROJECT_ROOT, requireSpecDir } from '../spec/resolve.js';
import { checkTree } from '../spec/cache.js';
import { generate } from './generate.js';
import { writeGenerated } from './write.js';
import { CodegenError, CommandError, errorReport } from './errors.js';

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

async function main(): Promise<void> {
  const started = performance.now();
  const version = argument('--version') ?? PINNED_SPEC.version;
  const pin = KNOWN_SPECS.find((p) => p.version === version);
  if (!pin) throw new CodegenError(`unknown spec version ${version}; add it with npm run spec:bump`, 'spec/known-specs.txt');
  const specDir = requireSpecDir(version);
  try {
    // Never stamp a tree with a version it is not: the tree must be the one the manifest lists.
    checkTree(specDir, version);
  } catch (error) {
    const [what = '', first = ''] = (error instanceof Error ? error.message : String(error)).split('\n');
    throw new CommandError(`refusing to generate: ${what.replace(/:$/, '')} (${first.trim()}, …); ` +
      `point MATRIX_SPEC_DIR at the ${version} tree or run npm run spec:fetch -- --version ${version}`);
  }
  const out = resolve(argument('--out') ?? join(PROJECT_ROOT, 'generated'));
  const { files, routes } = await generate(specDir, pin.version, pin.commit);
  writeGenerated(out, files);
  const ms = performance.now() - started;
  console.error(`generated ${files.size} files, ${routes.length} routes, from spec ${version} in ${ms.toFixed(0)} ms → ${out}`);
}

main().catch((error: unknown) => {
  console.error(errorReport(error));
  process.exit(1);
});
