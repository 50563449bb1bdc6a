/**
 * Fills the spec cache (`.cache/matrix-spec/<version>`) from a tree, checked
 * against the version's manifest before and after the copy.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SPEC_FOLDERS } from './pin.js';
import { verifyManifest } from './manifest.js';
import { PROJECT_ROOT, cacheDir } from './resolve.js';
import { CommandError } from './command-error.js';

/** Where a version's manifest is, in the project at `root`. */
export function manifestPath(version: string, root: string = PROJECT_ROOT): string {
  return join(root, 'spec', 'manifest', `${version}.sha256`);
}

/**
 * Throws unless the tree at `dir` matches the manifest of `version`, naming the
 * first differences.
 *
 * @example
 * checkTree('.cache/matrix-spec/v1.19', 'v1.19');
 */
export function checkTree(dir: string, version: string, root: string = PROJECT_ROOT): void {
  const path = manifestPath(version, root);
  if (!existsSync(path)) throw new CommandError(`no manifest for ${version} (${path}): add the version with npm run spec:bump`);
  if (!existsSync(join(dir, 'data', 'api', 'client-server'))) throw new CommandError(`${dir} does not hold data/api/client-server`);
  const problems = verifyManifest(dir, readFileSync(path, 'utf8'));
  if (problems.length > 0) {
    const more = problems.length > 10 ? `\n  … and ${problems.length - 10} more` : '';
    throw new CommandError(`the tree ${dir} is not the ${version} spec of spec/manifest/${version}.sha256:\n  ${problems.slice(0, 10).join('\n  ')}${more}`);
  }
}

/**
 * Copies the files the project reads from the tree at `source` into the cache
 * folder of `version`, replacing what was there, once the tree matches the
 * manifest; checks the copy again. Returns the cache folder.
 *
 * @example
 * installTree('../shared/matrix-spec/v1.19', 'v1.19'); // '<root>/.cache/matrix-spec/v1.19'
 */
export function installTree(source: string, version: string, root: string = PROJECT_ROOT): string {
  checkTree(source, version, root);
  const target = cacheDir(version, root);
  const staging = `${target}.staging-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  try {
    for (const folder of SPEC_FOLDERS) cpSync(join(source, folder), join(staging, folder), { recursive: true });
    cpSync(join(source, 'LICENSE'), join(staging, 'LICENSE'));
    checkTree(staging, version, root);
    rmSync(target, { recursive: true, force: true });
    mkdirSync(dirname(target), { recursive: true });
    renameSync(staging, target);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return target;
}
