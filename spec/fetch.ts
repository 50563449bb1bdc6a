/**
 * Fills the spec cache (`.cache/matrix-spec/<version>`) for known versions
 * (`spec/known-specs.txt`), each tree checked against its manifest.
 *
 *   npm run spec:fetch                                    # the pin, from its commit's archive
 *   npm run spec:fetch -- --version v1.18                 # another known version
 *   npm run spec:fetch -- --from ../shared/matrix-spec/v1.19
 *   npm run spec:fetch -- --version v1.18 --from <dir>
 *   npm run spec:fetch -- --all --from-parent <dir>       # every known version, from <dir>/<version> when there
 *   npm run spec:fetch -- --if-missing                    # every known version whose tree is not there yet
 *
 * Archives come from `MATRIX_SPEC_ARCHIVE_URL` (default: GitHub's codeload).
 * Adding a version is `npm run spec:bump`, not this.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { KNOWN_SPECS, PINNED_SPEC, type SpecPin } from './pin.js';
import { downloadCommitTree } from './archive.js';
import { installTree } from './cache.js';
import { findSpecDir } from './resolve.js';
import { CommandError, errorReport } from './command-error.js';

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

/** Fills the cache of one known version from `from`, or from its commit's archive. */
async function fetchVersion(pin: SpecPin, from: string | undefined): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'matrix-spec-'));
  try {
    // npm runs scripts from the project root: a relative folder is relative to where npm was called.
    const source = from ? resolve(process.env.INIT_CWD ?? process.cwd(), from) : await downloadCommitTree(pin.commit, work);
    const target = installTree(source, pin.version);
    console.error(`spec ${pin.version} ready in ${target} (manifest verified${from ? '' : `, archive of ${pin.commit}`})`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function known(version: string): SpecPin {
  const pin = KNOWN_SPECS.find((p) => p.version === version);
  if (!pin) {
    throw new CommandError(`unknown spec version ${version} (known: ${KNOWN_SPECS.map((p) => p.version).join(', ')}); ` +
      'add a version with npm run spec:bump -- --version <v> (--from <dir> | --commit <sha>)');
  }
  return pin;
}

async function main(): Promise<void> {
  if (process.argv.includes('--if-missing')) {
    // Before the tests: fetch only the versions whose tree is not there yet.
    for (const pin of KNOWN_SPECS) if (!findSpecDir(pin.version)) await fetchVersion(pin, undefined);
    return;
  }
  if (process.argv.includes('--all')) {
    const parent = argument('--from-parent');
    for (const pin of KNOWN_SPECS) {
      const local = parent === undefined ? undefined : join(parent, pin.version);
      await fetchVersion(pin, local !== undefined && existsSync(local) ? local : undefined);
    }
    return;
  }
  await fetchVersion(known(argument('--version') ?? PINNED_SPEC.version), argument('--from'));
}

main().catch((error: unknown) => {
  console.error(errorReport(error));
  process.exit(1);
});
