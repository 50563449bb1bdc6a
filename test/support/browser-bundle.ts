/**
 * Bundles one project module for the browser with esbuild (ESM, not minified, in
 * memory), so a test can read what the bundle holds: its text and the files it took in.
 */
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../spec/resolve.js';

/** A browser bundle held in memory. */
export interface BrowserBundle {
  /** The bundle's code. */
  text: string;
  /** The paths of the files esbuild took in (relative to the project root). */
  inputs: string[];
}

/**
 * Bundles `entry` (a path relative to the project root) for the browser.
 *
 * @example
 * ```ts
 * const { inputs } = await bundleForBrowser('src/index.ts');
 * ```
 */
export async function bundleForBrowser(entry: string): Promise<BrowserBundle> {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [join(PROJECT_ROOT, entry)],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'esm',
    metafile: true,
    logLevel: 'silent',
  });
  return { text: result.outputFiles[0]!.text, inputs: Object.keys(result.metafile.inputs) };
}
