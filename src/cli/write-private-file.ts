/**
 * Writing a file that holds secrets: readable by its owner only, complete or
 * absent (written to a temporary file, synced, then put in place), and never
 * over an existing file unless asked to.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, link, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { syncDirectory } from '../node-fs.js';

/**
 * The file exists and overwriting was not asked for.
 *
 * @example
 * ```ts
 * try { await writePrivateFile(path, text, { overwrite: false }); }
 * catch (error) { if (error instanceof FileExistsError) console.error(error.message); }
 * ```
 */
export class FileExistsError extends Error {
  override name = 'FileExistsError';
}

/**
 * Writes `text` to `path` with mode 0600, atomically and durably: when it
 * resolves, the whole file is on disk. Without `overwrite`, an existing file is
 * left alone and a {@link FileExistsError} thrown.
 *
 * @example
 * ```ts
 * await writePrivateFile('registration.yaml', registrationToYaml(registration), { overwrite: false });
 * ```
 */
export async function writePrivateFile(path: string, text: string, options: { overwrite: boolean }): Promise<void> {
  const directory = dirname(path);
  const temporary = join(directory, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temporary, 'wx', 0o600);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  await handle.close();
  try {
    if (options.overwrite) {
      await rename(temporary, path);
    } else {
      // link() fails when the target exists, so a file created meanwhile is never replaced.
      await link(temporary, path).catch(async (error: unknown) => {
        const code = (error as { code?: unknown }).code;
        if (code === 'EEXIST') throw new FileExistsError(`${path} exists; pass --force to replace it`);
        // File systems without hard links: an exclusive copy keeps the same guarantee.
        if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV') throw error;
        await copyFile(temporary, path, constants.COPYFILE_EXCL).catch((copyError: unknown) => {
          if ((copyError as { code?: unknown }).code === 'EEXIST') throw new FileExistsError(`${path} exists; pass --force to replace it`);
          throw copyError;
        });
      });
      await unlink(temporary);
    }
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  // Some platforms cannot open or sync a directory; the rename itself still happened.
  await syncDirectory(directory).catch(() => undefined);
}
