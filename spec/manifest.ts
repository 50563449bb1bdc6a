import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { SPEC_FOLDERS } from './pin.js';

/** Lists the files of a spec tree that the project uses, sorted, as `/`-separated relative paths. */
export function listSpecFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) out.push(relative(root, full).split(sep).join('/'));
    }
  };
  for (const folder of SPEC_FOLDERS) {
    // A folder the tree lacks (a cache filled before the folder was added) shows as missing files.
    if (!existsSync(join(root, folder))) continue;
    if (statSync(join(root, folder)).isDirectory()) walk(join(root, folder));
    else out.push(folder);
  }
  out.push('LICENSE');
  return out.sort();
}

/** The manifest text of a tree: one `sha256  path` line per file, like `sha256sum`. */
export function computeManifest(root: string): string {
  return listSpecFiles(root)
    .map((file) => `${createHash('sha256').update(readFileSync(join(root, file))).digest('hex')}  ${file}`)
    .join('\n') + '\n';
}

/** Compares a tree against a manifest text; returns the differences, empty when it matches. */
export function verifyManifest(root: string, manifest: string): string[] {
  const want = new Map<string, string>();
  for (const line of manifest.split('\n')) {
    const match = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
    if (match) want.set(match[2]!, match[1]!);
  }
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const line of computeManifest(root).split('\n')) {
    const match = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
    if (!match) continue;
    const [, hash, file] = match as unknown as [string, string, string];
    seen.add(file);
    const expected = want.get(file);
    if (expected === undefined) problems.push(`unexpected file ${file}`);
    else if (expected !== hash) problems.push(`checksum mismatch ${file}`);
  }
  for (const file of want.keys()) if (!seen.has(file)) problems.push(`missing file ${file}`);
  return problems;
}
