/**
 * A throwaway copy of the project for tests that run its commands (a spec bump
 * writes spec/, .cache/ and generated/): the sources copied, node_modules and
 * the known spec trees linked, so the real project is never touched.
 */
import { cpSync, mkdirSync, symlinkSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { KNOWN_SPECS } from '../../spec/pin.js';
import { PROJECT_ROOT, requireSpecDir } from '../../spec/resolve.js';

const LEFT_OUT = new Set(['node_modules', '.git', '.cache', '.venv', 'dist', 'coverage', '.tmp']);

/**
 * Copies the project into `into` (which must not exist) and returns it.
 *
 * @example
 * const root = copyProject(join(tmp, 'project'));
 */
export function copyProject(into: string): string {
  cpSync(PROJECT_ROOT, into, {
    recursive: true,
    filter: (source) => {
      const top = relative(PROJECT_ROOT, source).split(sep)[0] ?? '';
      return !LEFT_OUT.has(top);
    },
  });
  symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(into, 'node_modules'), 'dir');
  mkdirSync(join(into, '.cache', 'matrix-spec'), { recursive: true });
  for (const { version } of KNOWN_SPECS) symlinkSync(requireSpecDir(version), join(into, '.cache', 'matrix-spec', version), 'dir');
  return into;
}
