/**
 * Gets the tree a spec bump moves to, and what is known of its commit: from the
 * commit's archive (which names the commit it is of), or from a local folder
 * (checked against the commit when it is a git checkout).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isCommitId } from './known.js';
import { SPEC_FOLDERS } from './pin.js';
import { archiveBase, archiveUrl, downloadCommitTree } from './archive.js';
import { treeCommit } from './local-tree.js';
import { CommandError } from './command-error.js';

/** Throws unless the folder holds every part of a spec tree the project reads. */
function checkSpecTree(dir: string): void {
  const missing = [...SPEC_FOLDERS, 'LICENSE'].filter((folder) => !existsSync(join(dir, folder)));
  if (missing.length > 0) throw new CommandError(`${dir} is not a spec tree: it does not hold ${missing.join(', ')}`);
}

/** Where the tree comes from and what is known of its commit. */
export interface Source {
  dir: string;
  commit: string;
  /** How the commit was checked, or why it could not be. */
  provenance: string;
}

/**
 * The tree of `--from` or of `--commit`: with `--from` only, a git checkout's
 * HEAD is the commit; with both, they must agree; a folder that is not a git
 * checkout takes the commit as given, and says so.
 *
 * @example
 * const { dir, commit, provenance } = await getTree(workDir, undefined, 'b9c3d5ed3b0b46b2b025b4a427119036bc9ed71a');
 */
export async function getTree(work: string, from: string | undefined, commitArg: string | undefined): Promise<Source> {
  if (commitArg !== undefined && !isCommitId(commitArg)) throw new CommandError(`--commit ${commitArg} is not a full commit id (40 hex digits)`);
  if (from === undefined) {
    if (commitArg === undefined) throw new CommandError('give --from <dir> or --commit <sha>');
    const dir = await downloadCommitTree(commitArg, work);
    checkSpecTree(dir);
    return { dir, commit: commitArg, provenance: `archive ${archiveUrl(commitArg, archiveBase())}, which names the commit` };
  }
  // npm runs scripts from the project root: a relative folder is relative to where npm was called.
  const dir = resolve(process.env.INIT_CWD ?? process.cwd(), from);
  checkSpecTree(dir);
  const found = treeCommit(dir);
  if (found.verified) {
    if (commitArg !== undefined && commitArg !== found.commit) {
      throw new CommandError(`${dir} is a checkout of ${found.commit}, not of --commit ${commitArg}`);
    }
    return { dir, commit: found.commit, provenance: `${dir}, a clean git checkout of the commit` };
  }
  if (commitArg === undefined) {
    throw new CommandError(`${found.reason}, so its commit is unknown: add --commit <sha> (the commit of matrix-org/matrix-spec it was taken from)`);
  }
  return { dir, commit: commitArg, provenance: `${dir}; the commit is taken as given, not checked (${found.reason})` };
}

