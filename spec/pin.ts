/**
 * The Matrix spec version this project is generated from.
 *
 * Bumping the spec: change `PINNED_SPEC` (tag and commit), run
 * `npm run spec:fetch` (or `-- --from <dir>`), `npm run spec:manifest`, then
 * `npm run generate`, and review the diff of `generated/`.
 */
export interface SpecPin {
  /** The release tag of matrix-org/matrix-spec. */
  readonly version: string;
  /** The commit the tag points at. */
  readonly commit: string;
}

/** The pinned version: what `generated/` is made from. */
export const PINNED_SPEC: SpecPin = {
  version: 'v1.19',
  commit: 'b9c3d5ed3b0b46b2b025b4a427119036bc9ed71a',
};

/** Other versions the contract test also runs against when their tree is present. */
export const KNOWN_SPECS: readonly SpecPin[] = [
  { version: 'v1.18', commit: 'c346686b0d207ef4c0420c3a1a418d7e5280d6e5' },
  PINNED_SPEC,
];

/** The folders (and single files) of a spec tree that the project reads and checksums. */
export const SPEC_FOLDERS = [
  'data/api/client-server',
  'data/api/application-service',
  'data/api/identity/definitions',
  'data/event-schemas/moderation_policy_rule.yaml',
  'data/event-schemas/schema',
  'data/schemas',
] as const;

/** The upstream release tarball of a tag. */
export function tarballUrl(version: string): string {
  return `https://github.com/matrix-org/matrix-spec/archive/refs/tags/${version}.tar.gz`;
}
