/**
 * `npm run spec:bump -- --version <v> (--from <dir> | --commit <sha>)`: moves the
 * project to a later spec tree in one command.
 *
 * It gets the tree (the commit's archive, or a local folder, checked against the
 * commit when it is a git checkout), writes the version's manifest and fills the
 * cache, appends the version to `spec/known-specs.txt` (the earlier ones stay
 * known), regenerates `generated/`, type-checks, runs the contract test for
 * every known version, and prints a summary: the operations added, removed and
 * changed, the checks, then the diff of `generated/`.
 *
 * Run again with the same version and commit (after fixing what a check found),
 * it redoes the steps from the tree on, against the version before it.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { appendKnownSpec, isVersionName, readKnownSpecs, KNOWN_SPECS_FILE, type SpecPin } from './known.js';
import { getTree } from './source.js';
import { computeManifest } from './manifest.js';
import { installTree, manifestPath } from './cache.js';
import { PROJECT_ROOT, cacheDir } from './resolve.js';
import { compareSpecTrees, formatChanges } from '../codegen/compare.js';
import { CommandError, errorReport } from './command-error.js';

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  if (index < 0) return undefined;
  const value = process.argv[index + 1];
  if (value === undefined || value.startsWith('--')) throw new CommandError(`${name} needs a value`);
  return value;
}

const USAGE = 'usage: npm run spec:bump -- --version <v> (--from <dir> | --commit <sha>)';

/** Runs a command of the project at `root`, its output on stderr; returns whether it passed. */
function run(root: string, command: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): boolean {
  console.error(`\n$ ${[command, ...args].join(' ')}`);
  const result = spawnSync(command, args, { cwd: root, stdio: ['ignore', 2, 2], env: { ...process.env, ...env } });
  return result.status === 0;
}

/** The diff of two folders, with both named `generated/`: its stat and its text. */
function generatedDiff(work: string): { stat: string; text: string } {
  const git = (args: readonly string[]): string => {
    const result = spawnSync('git', ['-c', 'core.quotepath=off', 'diff', '--no-index', '--no-color', ...args, 'before', 'after'], { cwd: work, encoding: 'utf8', maxBuffer: 1 << 30 });
    if (result.status !== 0 && result.status !== 1) throw new Error(`git diff failed: ${result.stderr}`);
    return result.stdout
      .replace(/^(diff --git a\/)before\/(\S+) b\/after\//gm, '$1generated/$2 b/generated/')
      .replace(/^(---|\+\+\+) ([ab])\/(?:before|after)\//gm, '$1 $2/generated/')
      .replace(/\{before => after\}\//g, 'generated/')
      .replace(/^ (?:before|after)\//gm, ' generated/');
  };
  return { stat: git(['--stat=100']).trimEnd(), text: git([]) };
}

async function main(): Promise<void> {
  const root = PROJECT_ROOT;
  const version = argument('--version');
  const from = argument('--from');
  const commitArg = argument('--commit');
  if (version === undefined || (from === undefined && commitArg === undefined)) throw new CommandError(USAGE);
  if (!isVersionName(version)) throw new CommandError(`--version ${version}: use letters, digits, '.', '_' and '-' only`);

  const known = readKnownSpecs(root);
  const pin = known[known.length - 1]!;
  const again = known.some((p) => p.version === version);
  if (again && (pin.version !== version || (commitArg !== undefined && commitArg !== pin.commit))) {
    throw new CommandError(`${version} is already known (${KNOWN_SPECS_FILE}), with commit ${known.find((p) => p.version === version)!.commit}`);
  }
  const previous: SpecPin | undefined = again ? known[known.length - 2] : pin;
  if (previous === undefined) throw new CommandError(`${version} is the only known version: there is nothing to bump from`);
  const previousDir = cacheDir(previous.version, root);
  if (!existsSync(join(previousDir, 'data', 'api', 'client-server'))) {
    throw new CommandError(`the ${previous.version} tree is not in the cache: run npm run spec:fetch -- --version ${previous.version} first`);
  }

  const work = mkdtempSync(join(tmpdir(), 'matrix-spec-bump-'));
  try {
    const source = await getTree(work, from, commitArg ?? (again ? pin.commit : undefined));
    const bumped: SpecPin = { version, commit: source.commit };
    const manifest = manifestPath(version, root);
    if (!again) {
      mkdirSync(dirname(manifest), { recursive: true });
      writeFileSync(manifest, computeManifest(source.dir));
    }
    const target = installTree(source.dir, version, root);
    if (!again) appendKnownSpec(bumped, root);

    const before = join(work, 'before');
    const generatedDir = join(root, 'generated');
    if (existsSync(generatedDir)) cpSync(generatedDir, before, { recursive: true });
    else mkdirSync(before);
    if (!run(root, 'npx', ['tsx', 'codegen/main.ts'])) throw new CommandError('npm run generate failed (above); the version is added, fix what it names and run this again');
    cpSync(generatedDir, join(work, 'after'), { recursive: true });

    const changes = compareSpecTrees(previousDir, target);
    const diff = generatedDiff(work);
    const typecheck = run(root, 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
    const versions = readKnownSpecs(root).map((p) => p.version);
    const contract = run(root, 'npx', ['vitest', 'run', '--project', 'unit', 'test/contract'], { MATRIX_SPEC_ALL: '1' });

    const lines = [
      `spec bump: ${previous.version} → ${version} (matrix-org/matrix-spec@${source.commit})`,
      `  tree: ${source.provenance}`,
      `  known versions (${KNOWN_SPECS_FILE}): ${versions.join(', ')}; the pin: ${version}`,
      `  manifest: ${relative(root, manifest)} (${readFileSync(manifest, 'utf8').trimEnd().split('\n').length} files); cache: ${relative(root, target)}`,
      '',
      formatChanges(changes),
      '',
      `type check: ${typecheck ? 'passed' : 'FAILED (above)'}`,
      `contract tests (${versions.join(', ')}): ${contract ? 'passed' : 'FAILED (above)'}`,
      '',
      diff.stat === '' ? 'generated/: unchanged' : diff.stat,
      '',
      diff.text,
    ];
    process.stdout.write(`${lines.join('\n').trimEnd()}\n`);
    if (!typecheck || !contract) {
      throw new CommandError(`the bump to ${version} is written but a check failed: fix src/ or codegen/overrides.ts, then run this again`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(errorReport(error));
  process.exit(1);
});
