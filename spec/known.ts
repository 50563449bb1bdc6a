/**
 * The list of known spec versions (`spec/known-specs.txt`): one `version commit`
 * line each, oldest first, the last being the pin. A plain text file, so a bump
 * adds one line and CI reads it without the project's code.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CommandError } from './command-error.js';

/** One known spec version and the upstream commit its tree comes from. */
export interface SpecPin {
  /** The version name: a release tag (`v1.19`) or a name for an unreleased tree. */
  readonly version: string;
  /** The commit of matrix-org/matrix-spec the tree comes from (40 hex digits). */
  readonly commit: string;
}

/** The file that lists the known versions, relative to the project root. */
export const KNOWN_SPECS_FILE = 'spec/known-specs.txt';

const VERSION = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const COMMIT = /^[0-9a-f]{40}$/;

/** Whether a version name is usable (it names a cache folder and a manifest file). */
export function isVersionName(version: string): boolean {
  return VERSION.test(version);
}

/** Whether a string is a full commit id (40 lowercase hex digits). */
export function isCommitId(commit: string): boolean {
  return COMMIT.test(commit);
}

/**
 * Parses the text of the known-versions list; fails on a malformed line, a
 * duplicate version or an empty list.
 *
 * @example
 * parseKnownSpecs('v1.19 b9c3d5ed3b0b46b2b025b4a427119036bc9ed71a\n'); // [{ version: 'v1.19', commit: 'b9c3…' }]
 */
export function parseKnownSpecs(text: string, file = KNOWN_SPECS_FILE): SpecPin[] {
  const pins: SpecPin[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') return;
    const [version = '', commit = '', ...rest] = line.split(/\s+/);
    if (!VERSION.test(version) || !COMMIT.test(commit) || rest.length > 0) {
      throw new CommandError(`${file}:${index + 1}: expected "<version> <40-hex commit>", got "${line}"`);
    }
    if (pins.some((pin) => pin.version === version)) throw new CommandError(`${file}:${index + 1}: ${version} is listed twice`);
    pins.push({ version, commit });
  });
  if (pins.length === 0) throw new CommandError(`${file} lists no spec version`);
  return pins;
}

/**
 * Reads the known versions of the project at `root`, oldest first.
 *
 * @example
 * const pin = readKnownSpecs().at(-1); // the pinned version
 */
export function readKnownSpecs(root: string = PROJECT_DIR): SpecPin[] {
  return parseKnownSpecs(readFileSync(join(root, KNOWN_SPECS_FILE), 'utf8'));
}

/**
 * Appends a version to the list of the project at `root`: it becomes the pin,
 * and every earlier version stays known.
 *
 * @example
 * appendKnownSpec({ version: 'v1.20', commit: '0123456789abcdef0123456789abcdef01234567' });
 */
export function appendKnownSpec(pin: SpecPin, root: string = PROJECT_DIR): void {
  const path = join(root, KNOWN_SPECS_FILE);
  const text = readFileSync(path, 'utf8');
  const known = parseKnownSpecs(text);
  if (known.some((p) => p.version === pin.version)) throw new CommandError(`${pin.version} is already in ${KNOWN_SPECS_FILE}`);
  parseKnownSpecs(`${pin.version} ${pin.commit}\n`);
  appendFileSync(path, `${text.endsWith('\n') || text === '' ? '' : '\n'}${pin.version} ${pin.commit}\n`);
}

/** The project root this module belongs to. */
const PROJECT_DIR = fileURLToPath(new URL('..', import.meta.url));

/** Every known spec version, oldest first; the contract test and CI loop over it. */
export const KNOWN_SPECS: readonly SpecPin[] = readKnownSpecs();

/** The pinned version, the newest known one: what `generated/` is made from. */
export const PINNED_SPEC: SpecPin = KNOWN_SPECS[KNOWN_SPECS.length - 1]!;
