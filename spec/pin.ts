/**
 * The Matrix spec versions this project is generated from and tested against.
 *
 * The versions and their commits are listed in `spec/known-specs.txt` (read by
 * `spec/known.ts`); the last one is the pin. Bumping the spec is one command:
 * `npm run spec:bump -- --version <v> (--from <dir> | --commit <sha>)`.
 */
export { KNOWN_SPECS, PINNED_SPEC, type SpecPin } from './known.js';

/** The folders (and single files) of a spec tree that the project reads and checksums. */
export const SPEC_FOLDERS = [
  'data/api/client-server',
  'data/api/application-service',
  'data/api/identity/definitions',
  'data/event-schemas/moderation_policy_rule.yaml',
  'data/event-schemas/examples',
  'data/event-schemas/schema',
  'data/schemas',
] as const;
