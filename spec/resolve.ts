import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
import { PINNED_SPEC } from './pin.js';
import { CommandError } from './command-error.js';

/** The project root (the folder holding package.json). */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Where `npm run spec:fetch` puts a version's tree. */
export function cacheDir(version: string, root: string = PROJECT_ROOT): string {
  return join(root, '.cache', 'matrix-spec', version);
}

/**
 * Finds the spec tree of a version: `MATRIX_SPEC_DIR` for the pinned version
 * (or `MATRIX_SPEC_DIR_V1_18`-style variables for others), else the cache folder.
 * Returns undefined when neither exists.
 */
export function findSpecDir(version: string = PINNED_SPEC.version): string | undefined {
  const variable = version === PINNED_SPEC.version
    ? process.env.MATRIX_SPEC_DIR
    : process.env[`MATRIX_SPEC_DIR_${version.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`];
  const candidates = [variable, cacheDir(version)].filter((dir): dir is string => !!dir);
  for (const dir of candidates) {
    if (existsSync(join(dir, 'data', 'api', 'client-server'))) return resolve(dir);
  }
  return undefined;
}

/** Like {@link findSpecDir}, but throws an error that says how to get the tree. */
export function requireSpecDir(version: string = PINNED_SPEC.version): string {
  const dir = findSpecDir(version);
  if (!dir) {
    throw new CommandError(
      `No Matrix spec tree for ${version}. Run \`npm run spec:fetch -- --version ${version}\` ` +
        `(or add \`--from <dir-of-the-${version}-tree>\`), ` +
        `or point MATRIX_SPEC_DIR at a folder holding data/api/client-server.`,
    );
  }
  return dir;
}
