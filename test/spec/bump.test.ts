/**
 * The spec bump, end to end, in a throwaway copy of the project: a later spec
 * made from the pinned one (an operation added, one removed, a response field
 * narrowed, a parameter added), served as a commit archive by a loopback server
 * standing in for the archive host, and `npm run spec:bump -- --version <v>
 * --commit <sha>` run against it.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KNOWN_SPECS, PINNED_SPEC } from '../../spec/pin.js';
import { PROJECT_ROOT, requireSpecDir } from '../../spec/resolve.js';
import { startServer, type TestServer } from '../transport/http-test-server.js';
import { copyProject } from './project-copy.js';
import { buildSyntheticSpec, SYNTHETIC_CHANGES } from './synthetic-spec.js';

const run = promisify(execFile);
const VERSION = 'v99.0-synthetic';

/** Every file of a folder, name → text. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of execFileSync('git', ['ls-files', '--', dir], { cwd: PROJECT_ROOT, encoding: 'utf8' }).split('\n').filter(Boolean)) {
    out.set(name, readFileSync(join(PROJECT_ROOT, name), 'utf8'));
  }
  return out;
}

/** The hunks of a zero-context diff of two folders: each hunk's changed lines. */
function hunks(before: string, after: string): { file: string; lines: string[] }[] {
  const result = (() => {
    try {
      return execFileSync('git', ['diff', '--no-index', '--no-color', '-U0', before, after], { encoding: 'utf8', maxBuffer: 1 << 28 });
    } catch (error) {
      return (error as { stdout: string }).stdout; // exit 1: there are differences
    }
  })();
  const out: { file: string; lines: string[] }[] = [];
  let file = '';
  for (const line of result.split('\n')) {
    if (line.startsWith('+++ ')) file = line.replace(/^\+\+\+ b\/.*\//, '');
    else if (line.startsWith('@@')) out.push({ file, lines: [] });
    else if ((line.startsWith('+') || line.startsWith('-')) && !line.startsWith('--- ') && out.length > 0) out.at(-1)!.lines.push(line);
  }
  return out;
}

describe('npm run spec:bump to a later spec', () => {
  let work: string;
  let project: string;
  let server: TestServer;
  let commit: string;
  let stdout = '';
  let stderr = '';
  let exitCode = 0;
  let archive: Buffer;
  const realSpecAndGenerated = new Map<string, string>();

  beforeAll(async () => {
    for (const [name, text] of [...snapshot('spec'), ...snapshot('generated')]) realSpecAndGenerated.set(name, text);
    work = mkdtempSync(join(tmpdir(), 'spec-bump-test-'));
    const tree = join(work, 'matrix-spec');
    buildSyntheticSpec(requireSpecDir(PINNED_SPEC.version), tree);
    const git = (...args: string[]): string => execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.org', ...args], { cwd: tree, encoding: 'utf8' }).trim();
    git('init', '-q');
    git('add', '-A');
    git('commit', '-qm', 'a later spec');
    commit = git('rev-parse', 'HEAD');
    archive = execFileSync('git', ['archive', '--format=tar.gz', `--prefix=matrix-spec-${commit}/`, commit], { cwd: tree, maxBuffer: 1 << 28 });
    server = await startServer((req, res) => {
      const found = req.url === `/matrix-org/matrix-spec/tar.gz/${commit}`;
      res.writeHead(found ? 200 : 404, { 'content-type': 'application/x-gzip', 'content-length': found ? archive.length : 0 });
      res.end(found ? archive : undefined);
    });
    project = copyProject(join(work, 'project'));
    try {
      ({ stdout, stderr } = await run('npm', ['run', '--silent', 'spec:bump', '--', '--version', VERSION, '--commit', commit], {
        cwd: project,
        env: { ...process.env, MATRIX_SPEC_ARCHIVE_URL: `${server.url}/matrix-org/matrix-spec` },
        maxBuffer: 1 << 28,
      }));
    } catch (error) {
      ({ stdout, stderr } = error as { stdout: string; stderr: string });
      exitCode = (error as { code: number }).code;
    }
  }, 600_000);

  afterAll(async () => {
    await server?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('succeeds, with the type check and the contract test of every known version passing', () => {
    expect(exitCode, stderr.slice(-3000)).toBe(0);
    const versions = [...KNOWN_SPECS.map((p) => p.version), VERSION].join(', ');
    expect(stdout).toContain('type check: passed');
    expect(stdout).toContain(`contract tests (${versions}): passed`);
  });

  it('asks the archive host for the commit and checks that the archive names it', () => {
    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual([`GET /matrix-org/matrix-spec/tar.gz/${commit}`]);
    expect(stdout).toContain(`spec bump: ${PINNED_SPEC.version} → ${VERSION} (matrix-org/matrix-spec@${commit})`);
    expect(stdout).toContain(`tree: archive ${server.url}/matrix-org/matrix-spec/tar.gz/${commit}, which names the commit`);
  });

  it('summarises exactly the operations added, removed and changed', () => {
    const summary = stdout.slice(stdout.indexOf('operations:'), stdout.indexOf('\ntype check:')).trim().split('\n');
    expect(summary[0]).toBe('operations: 1 added, 1 removed, 2 changed');
    expect(summary.slice(1).sort()).toEqual(SYNTHETIC_CHANGES.flatMap((c) => c.summary).sort());
  });

  it('appends the version to the known list as the pin, keeping the earlier ones, with its manifest', () => {
    const before = realSpecAndGenerated.get('spec/known-specs.txt')!;
    expect(readFileSync(join(project, 'spec', 'known-specs.txt'), 'utf8')).toBe(`${before}${VERSION} ${commit}\n`);
    expect(existsSync(join(project, 'spec', 'manifest', `${VERSION}.sha256`))).toBe(true);
    expect(readFileSync(join(project, 'generated', 'routes.ts'), 'utf8')).toContain(`export const SPEC_VERSION = ${JSON.stringify(VERSION)};`);
  });

  it('changes generated/ only on lines that one of the spec changes (or the version) explains, and shows each of them', () => {
    const found = hunks(join(PROJECT_ROOT, 'generated'), join(project, 'generated'));
    const version = { route: 'the version', markers: ['SPEC_VERSION', 'Spec: '] };
    const changes = [...SYNTHETIC_CHANGES, version];
    const unexplained = found.filter((h) => !changes.some((c) => h.lines.some((line) => c.markers.some((m) => line.includes(m)))));
    expect(unexplained.map((h) => `${h.file}: ${h.lines.slice(0, 4).join(' | ')}`)).toEqual([]);
    for (const change of changes) {
      expect(found.some((h) => h.lines.some((line) => change.markers.some((m) => line.includes(m)))), change.route).toBe(true);
    }
    expect([...new Set(found.map((h) => h.file))].sort()).toEqual(['README.md', 'chains.ts', 'client-server.ts', 'operations.ts', 'routes.ts', 'tree.ts']);
    // The same diff is what the command printed.
    expect(stdout).toContain('diff --git a/generated/routes.ts b/generated/routes.ts');
    expect(stdout).toMatch(/generated\/client-server\.ts \| +\d+ /);
  });

  it('fills the cache again from the commit archive, with the manifest checked, when the tree is missing', async () => {
    rmSync(join(project, '.cache', 'matrix-spec', VERSION), { recursive: true });
    await run('npm', ['run', '--silent', 'spec:fetch', '--', '--if-missing'], {
      cwd: project,
      env: { ...process.env, MATRIX_SPEC_ARCHIVE_URL: `${server.url}/matrix-org/matrix-spec` },
    });
    expect(existsSync(join(project, '.cache', 'matrix-spec', VERSION, 'data', 'api', 'client-server', 'rooms.yaml'))).toBe(true);
    expect(server.requests).toHaveLength(2);
  }, 60_000);

  it('leaves the real project untouched', () => {
    const now = new Map([...snapshot('spec'), ...snapshot('generated')]);
    expect([...now.keys()]).toEqual([...realSpecAndGenerated.keys()]);
    for (const [name, text] of realSpecAndGenerated) expect(now.get(name) === text, name).toBe(true);
  });
});
