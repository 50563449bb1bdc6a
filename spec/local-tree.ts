/**
 * What can be said about the commit of a local spec tree: when the folder is a
 * git checkout of it, its HEAD, provided the files the project reads are as
 * that commit has them.
 */
import { execFileSync } from 'node:child_process';
import { SPEC_FOLDERS } from './pin.js';
import { CommandError } from './command-error.js';

/** The commit a local tree was checked against, or why it could not be. */
export type TreeCommit =
  | { readonly verified: true; readonly commit: string }
  | { readonly verified: false; readonly reason: string };

function gitRaw(dir: string, args: readonly string[]): string {
  return execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
}

function git(dir: string, args: readonly string[]): string {
  return gitRaw(dir, args).trim();
}

/**
 * The commit of the tree at `dir`: its HEAD when `dir` is the top of a git
 * checkout whose spec files have no local change; otherwise why not.
 *
 * @example
 * const found = treeCommit('../matrix-spec'); // { verified: true, commit: '…' } for a clean checkout
 */
export function treeCommit(dir: string): TreeCommit {
  let top: string;
  try {
    top = git(dir, ['rev-parse', '--show-toplevel']);
  } catch {
    return { verified: false, reason: `${dir} is not a git checkout` };
  }
  const here = git(dir, ['rev-parse', '--show-prefix']);
  if (here !== '') return { verified: false, reason: `${dir} is a subfolder of the git checkout ${top}, not its top` };
  const commit = git(dir, ['rev-parse', 'HEAD']);
  // `XY path` entries, NUL-separated: the status letters are two columns wide, a space included.
  const files = gitRaw(dir, ['status', '--porcelain', '-z', '--untracked-files=all', '--', ...SPEC_FOLDERS, 'LICENSE'])
    .split('\0').filter((entry) => entry.length > 3).map((entry) => entry.slice(3));
  if (files.length > 0) {
    throw new CommandError(`${dir} has local changes to the spec files, so it is not the tree of ${commit}: ${files.slice(0, 5).join(', ')}${files.length > 5 ? ', …' : ''}`);
  }
  return { verified: true, commit };
}
