/**
 * Downloads the tree of one commit of matrix-org/matrix-spec as a tar.gz
 * archive (GitHub's codeload service serves one for any commit, released or
 * not) and checks that the archive is of that commit.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { CommandError } from './command-error.js';

/** Where commit archives come from unless `MATRIX_SPEC_ARCHIVE_URL` says otherwise. */
export const DEFAULT_ARCHIVE_BASE = 'https://codeload.github.com/matrix-org/matrix-spec';

/**
 * The base URL of the archive host: `MATRIX_SPEC_ARCHIVE_URL`, else codeload.
 *
 * @example
 * archiveBase(); // 'https://codeload.github.com/matrix-org/matrix-spec'
 */
export function archiveBase(env: NodeJS.ProcessEnv = process.env): string {
  return env.MATRIX_SPEC_ARCHIVE_URL || DEFAULT_ARCHIVE_BASE;
}

/**
 * The URL of the tar.gz archive of one commit.
 *
 * @example
 * archiveUrl('b9c3d5ed3b0b46b2b025b4a427119036bc9ed71a');
 * // 'https://codeload.github.com/matrix-org/matrix-spec/tar.gz/b9c3d5ed3b0b46b2b025b4a427119036bc9ed71a'
 */
export function archiveUrl(commit: string, base: string = archiveBase()): string {
  return `${base.replace(/\/+$/, '')}/tar.gz/${commit}`;
}

/**
 * The commit id a `git archive` tarball names in its pax global header (the
 * `comment` record, what `git get-tar-commit-id` reads), or undefined.
 *
 * @example
 * tarCommitId(gunzipSync(bytes)); // 'b9c3d5ed…' for an archive of that commit
 */
export function tarCommitId(tar: Uint8Array): string | undefined {
  if (tar.length < 1024) return undefined;
  const text = (from: number, length: number): string => Buffer.from(tar.subarray(from, from + length)).toString('latin1');
  if (text(156, 1) !== 'g') return undefined; // not a pax global header
  const size = Number.parseInt(text(124, 12).replace(/\0.*$/s, '').trim(), 8);
  if (!Number.isFinite(size) || size <= 0 || 512 + size > tar.length) return undefined;
  const records = text(512, size);
  const match = /(?:^|\n)\d+ comment=([0-9a-f]{40})\n/.exec(records);
  return match?.[1];
}

/**
 * Downloads the archive of `commit` into `into`, checks that it is the archive
 * of that commit, unpacks it and returns the folder of the tree.
 *
 * @example
 * const tree = await downloadCommitTree('b9c3d5ed3b0b46b2b025b4a427119036bc9ed71a', workDir);
 */
export async function downloadCommitTree(commit: string, into: string, base: string = archiveBase()): Promise<string> {
  const url = archiveUrl(commit, base);
  console.error(`downloading ${url}`);
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new CommandError(`download failed: ${url}: ${error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)}`);
  }
  if (!response.ok) throw new CommandError(`download failed: HTTP ${response.status} for ${url}`);
  const tar = gunzipSync(new Uint8Array(await response.arrayBuffer()));
  const named = tarCommitId(tar);
  if (named !== commit) {
    throw new CommandError(`the archive from ${url} is of commit ${named ?? '(none named)'}, not ${commit}`);
  }
  const archive = join(into, 'spec.tar');
  writeFileSync(archive, tar);
  const unpacked = join(into, 'unpacked');
  mkdirSync(unpacked);
  execFileSync('tar', ['-xf', archive, '-C', unpacked]);
  const top = readdirSync(unpacked, { withFileTypes: true }).filter((entry) => entry.isDirectory());
  if (top.length !== 1) throw new CommandError(`the archive from ${url} does not hold one top folder`);
  return join(unpacked, top[0]!.name);
}
