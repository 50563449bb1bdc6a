/**
 * Where a bump's tree comes from, and what is known of its commit: a commit's
 * archive from the archive host (a loopback server stands in for it), or a
 * local folder, a git checkout or not.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { archiveBase, archiveUrl, DEFAULT_ARCHIVE_BASE, downloadCommitTree, tarCommitId } from '../../spec/archive.js';
import { getTree } from '../../spec/source.js';
import { SPEC_FOLDERS } from '../../spec/pin.js';
import { startServer, type TestServer } from '../transport/http-test-server.js';

const OTHER = '0123456789abcdef0123456789abcdef01234567';

/** A folder with every part of a spec tree the project reads, one small file in each. */
function fakeTree(dir: string): void {
  for (const folder of SPEC_FOLDERS) {
    if (folder.endsWith('.yaml')) {
      mkdirSync(dirname(join(dir, folder)), { recursive: true });
      writeFileSync(join(dir, folder), 'type: object\n');
    } else {
      mkdirSync(join(dir, folder), { recursive: true });
      writeFileSync(join(dir, folder, 'a.yaml'), 'openapi: 3.1.0\n');
    }
  }
  writeFileSync(join(dir, 'LICENSE'), 'Apache-2.0\n');
}

describe('the tree of a spec bump', () => {
  let work: string;
  let checkout: string;
  let plain: string;
  let commit: string;
  let archive: Buffer;
  let server: TestServer;

  const git = (dir: string, ...args: string[]): string =>
    execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.org', ...args], { cwd: dir, encoding: 'utf8' }).trim();

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'spec-source-'));
    checkout = join(work, 'checkout');
    fakeTree(checkout);
    git(checkout, 'init', '-q');
    git(checkout, 'add', '-A');
    git(checkout, 'commit', '-qm', 'a tree');
    commit = git(checkout, 'rev-parse', 'HEAD');
    archive = execFileSync('git', ['archive', '--format=tar.gz', `--prefix=matrix-spec-${commit}/`, commit], { cwd: checkout });
    plain = join(work, 'plain');
    fakeTree(plain);
    server = await startServer((req, res) => {
      const body = req.url === `/tar.gz/${commit}` || req.url === `/tar.gz/${OTHER}` ? archive : Buffer.alloc(0);
      res.writeHead(body.length > 0 ? 200 : 404, { 'content-length': body.length });
      res.end(body);
    });
  });

  afterAll(async () => {
    await server.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('asks the archive host for the commit at a base URL that MATRIX_SPEC_ARCHIVE_URL can change', () => {
    expect(archiveBase({})).toBe(DEFAULT_ARCHIVE_BASE);
    expect(archiveUrl(commit, DEFAULT_ARCHIVE_BASE)).toBe(`https://codeload.github.com/matrix-org/matrix-spec/tar.gz/${commit}`);
    expect(archiveBase({ MATRIX_SPEC_ARCHIVE_URL: 'http://127.0.0.1:1/x/' })).toBe('http://127.0.0.1:1/x/');
    expect(archiveUrl(commit, 'http://127.0.0.1:1/x/')).toBe(`http://127.0.0.1:1/x/tar.gz/${commit}`);
  });

  it('reads the commit an archive of git names in its header', () => {
    expect(tarCommitId(gunzipSync(archive))).toBe(commit);
    expect(tarCommitId(new Uint8Array(2048))).toBeUndefined();
  });

  it('downloads and unpacks the archive of a commit, which names that commit', async () => {
    const into = mkdtempSync(join(work, 'download-'));
    const dir = await downloadCommitTree(commit, into, server.url);
    expect(readFileSync(join(dir, 'LICENSE'), 'utf8')).toBe('Apache-2.0\n');
    expect(readFileSync(join(dir, 'data', 'api', 'client-server', 'a.yaml'), 'utf8')).toBe('openapi: 3.1.0\n');
    expect(server.requests.at(-1)?.url).toBe(`/tar.gz/${commit}`);
  });

  it('refuses an archive that is of another commit than the one asked for', async () => {
    const into = mkdtempSync(join(work, 'download-'));
    await expect(downloadCommitTree(OTHER, into, server.url)).rejects.toThrow(`is of commit ${commit}, not ${OTHER}`);
  });

  it('fails with the status and the URL when the host has no archive of the commit', async () => {
    const missing = 'ffffffffffffffffffffffffffffffffffffffff';
    const into = mkdtempSync(join(work, 'download-'));
    await expect(downloadCommitTree(missing, into, server.url)).rejects.toThrow(`download failed: HTTP 404 for ${server.url}/tar.gz/${missing}`);
  });

  it('takes the commit of --commit alone from the archive, which was checked to name it', async () => {
    process.env.MATRIX_SPEC_ARCHIVE_URL = server.url;
    try {
      const source = await getTree(mkdtempSync(join(work, 'get-')), undefined, commit);
      expect(source.commit).toBe(commit);
      expect(source.provenance).toBe(`archive ${server.url}/tar.gz/${commit}, which names the commit`);
    } finally {
      delete process.env.MATRIX_SPEC_ARCHIVE_URL;
    }
  });

  it('takes the commit of a --from git checkout from its HEAD', async () => {
    const source = await getTree(work, checkout, undefined);
    expect(source).toMatchObject({ dir: checkout, commit, provenance: `${checkout}, a clean git checkout of the commit` });
    expect((await getTree(work, checkout, commit)).commit).toBe(commit);
  });

  it('refuses a --from checkout of another commit than --commit', async () => {
    await expect(getTree(work, checkout, OTHER)).rejects.toThrow(`${checkout} is a checkout of ${commit}, not of --commit ${OTHER}`);
  });

  it('refuses a --from checkout whose spec files were changed since its commit', async () => {
    const file = join(checkout, 'data', 'api', 'client-server', 'a.yaml');
    writeFileSync(file, 'openapi: 3.1.1\n');
    try {
      await expect(getTree(work, checkout, undefined)).rejects.toThrow(/has local changes to the spec files, so it is not the tree of [0-9a-f]{40}: data\/api\/client-server\/a\.yaml/);
    } finally {
      git(checkout, 'checkout', '--', '.');
    }
  });

  it('asks for --commit with a --from folder that is not a git checkout, and says it took the commit as given', async () => {
    await expect(getTree(work, plain, undefined)).rejects.toThrow(/is not a git checkout, so its commit is unknown: add --commit <sha>/);
    const source = await getTree(work, plain, OTHER);
    expect(source.commit).toBe(OTHER);
    expect(source.provenance).toContain('the commit is taken as given, not checked');
  });

  it('refuses a --from folder that lacks a part of the spec tree, and a --commit that is not a full commit id', async () => {
    await expect(getTree(work, work, OTHER)).rejects.toThrow(`${work} is not a spec tree: it does not hold data/api/client-server, data/api/application-service`);
    await expect(getTree(work, plain, 'b9c3d5e')).rejects.toThrow('--commit b9c3d5e is not a full commit id');
  });
});
