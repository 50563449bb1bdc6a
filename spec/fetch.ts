/**
 * Fills the spec cache (`.cache/matrix-spec/<version>`), verified against the manifest.
 *
 *   npm run spec:fetch                                   # download the pinned tag's tarball
 *   npm run spec:fetch -- --from ../shared/matrix-spec/v1.19
 *   npm run spec:fetch -- --version v1.18 --from <dir>
 *   npm run spec:fetch -- --from <dir> --write-manifest  # after a version bump
 *   npm run spec:fetch -- --if-missing                   # every known version not there yet
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { KNOWN_SPECS, PINNED_SPEC, SPEC_FOLDERS, tarballUrl } from './pin.js';
import { computeManifest, verifyManifest } from './manifest.js';
import { PROJECT_ROOT, cacheDir, findSpecDir } from './resolve.js';

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

async function download(version: string, into: string): Promise<string> {
  const url = tarballUrl(version);
  console.error(`downloading ${url}`);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`download failed: HTTP ${response.status} for ${url}`);
  const archive = join(into, 'spec.tar.gz');
  writeFileSync(archive, new Uint8Array(await response.arrayBuffer()));
  execFileSync('tar', ['-xzf', archive, '-C', into]);
  const top = `matrix-spec-${version.replace(/^v/, '')}`;
  return join(into, top);
}

async function main(): Promise<void> {
  if (process.argv.includes('--if-missing')) {
    // Used before the tests: fetch only the versions whose tree is not there yet.
    for (const pin of KNOWN_SPECS) {
      if (findSpecDir(pin.version)) continue;
      await fetchVersion(pin.version, undefined);
    }
    return;
  }
  await fetchVersion(argument('--version') ?? PINNED_SPEC.version, argument('--from'));
}

async function fetchVersion(version: string, from: string | undefined): Promise<void> {
  if (!KNOWN_SPECS.some((pin) => pin.version === version)) {
    throw new Error(`unknown spec version ${version}; add it to spec/pin.ts first`);
  }
  const manifestPath = join(PROJECT_ROOT, 'spec', 'manifest', `${version}.sha256`);
  const work = mkdtempSync(join(tmpdir(), 'matrix-spec-'));
  try {
    const source = from ? resolve(from) : await download(version, work);
    if (!existsSync(join(source, 'data', 'api', 'client-server'))) {
      throw new Error(`${source} does not hold data/api/client-server`);
    }
    if (process.argv.includes('--write-manifest')) {
      mkdirSync(dirname(manifestPath), { recursive: true });
      writeFileSync(manifestPath, computeManifest(source));
      console.error(`wrote ${manifestPath}`);
    }
    const problems = verifyManifest(source, readFileSync(manifestPath, 'utf8'));
    if (problems.length > 0) {
      throw new Error(`the ${version} tree does not match ${manifestPath}:\n  ${problems.slice(0, 20).join('\n  ')}`);
    }
    const staging = join(work, 'staging');
    for (const folder of SPEC_FOLDERS) cpSync(join(source, folder), join(staging, folder), { recursive: true });
    cpSync(join(source, 'LICENSE'), join(staging, 'LICENSE'));
    const target = cacheDir(version);
    rmSync(target, { recursive: true, force: true });
    mkdirSync(dirname(target), { recursive: true });
    renameSync(staging, target);
    console.error(`spec ${version} ready in ${target} (manifest verified)`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
