/**
 * Loading a registration file (Node, Deno and Bun: it reads the file system).
 */
import { readFile } from 'node:fs/promises';
import { parseRegistration, type RegistrationValidation } from './registration-check.js';

/**
 * Reads a registration file, YAML or JSON, and checks it as a homeserver would:
 * throws an `InvalidRegistrationError` listing every problem (naming the file and
 * each field, never a token), or returns the registration with its warnings.
 *
 * @example
 * ```ts
 * import { loadRegistration } from 'matrix-fluent/node';
 * const { registration, warnings } = await loadRegistration('registration.yaml');
 * for (const warning of warnings) console.warn(warning);
 * ```
 */
export async function loadRegistration(path: string): Promise<RegistrationValidation> {
  return parseRegistration(await readFile(path, 'utf8'), path);
}
