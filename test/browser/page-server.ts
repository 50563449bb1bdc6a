/**
 * Serves the Chromium suite's page on its own loopback origin: an HTML page whose
 * import map resolves `matrix-fluent` the way a browser does (the package's
 * `exports`, without the `node` condition) to the built dist/, and each bare
 * module the built entry reaches to its package's browser build in node_modules.
 * The built files are served as they are; only test/browser/page.ts is transpiled.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { transform } from 'esbuild';
import { PROJECT_ROOT } from '../../spec/resolve.js';
import { startServer, type TestServer } from '../transport/http-test-server.js';

const BROWSER_CONDITIONS: ReadonlySet<string> = new Set(['browser', 'import', 'default']);

type ExportsTarget = string | null | readonly ExportsTarget[] | { [key: string]: ExportsTarget };

/** The file an `exports` entry gives a browser (Node's rules: the first matching condition wins). */
function pickTarget(target: ExportsTarget): string | undefined {
  if (target === null) return undefined;
  if (typeof target === 'string') return target;
  if (Array.isArray(target)) {
    for (const item of target as readonly ExportsTarget[]) {
      const picked = pickTarget(item);
      if (picked !== undefined) return picked;
    }
    return undefined;
  }
  for (const [key, value] of Object.entries(target as { [key: string]: ExportsTarget })) {
    if (BROWSER_CONDITIONS.has(key)) {
      const picked = pickTarget(value);
      if (picked !== undefined) return picked;
    }
  }
  return undefined;
}

/** The URL path of a package's main entry as a browser resolves it. */
function browserEntry(packageDir: string): string {
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { exports?: ExportsTarget; module?: string; main?: string };
  let target: string | undefined;
  if (manifest.exports !== undefined) {
    const exportsField = manifest.exports;
    const root = typeof exportsField === 'object' && exportsField !== null && !Array.isArray(exportsField) && '.' in exportsField ? exportsField['.'] : exportsField;
    target = pickTarget(root ?? null);
  }
  target ??= manifest.module ?? manifest.main;
  if (target === undefined) throw new Error(`no browser entry in ${packageDir}/package.json`);
  return `/${relative(PROJECT_ROOT, realpathSync(resolve(packageDir, target))).split(sep).join('/')}`;
}

/** The bare specifiers (other packages) a built module reaches, following relative imports. */
export function bareImports(entry: string): Set<string> {
  const bare = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const code = readFileSync(file, 'utf8');
    for (const match of code.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["']([^"']+)["']/g)) {
      const specifier = match[1]!;
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier));
      else bare.add(specifier);
    }
  };
  visit(entry);
  return bare;
}

/** The import map of the page: `matrix-fluent` and every package its built entry reaches. */
export function importMap(): { imports: Record<string, string>; entry: string } {
  const entry = browserEntry(PROJECT_ROOT);
  const imports: Record<string, string> = { 'matrix-fluent': entry };
  for (const specifier of bareImports(join(PROJECT_ROOT, entry))) {
    if (specifier.startsWith('node:')) throw new Error(`the built main entry imports ${specifier}, which no browser has`);
    imports[specifier] = browserEntry(join(PROJECT_ROOT, 'node_modules', specifier));
  }
  return { imports, entry };
}

function page(imports: Record<string, string>): string {
  return `<!doctype html>
<meta charset="utf-8">
<title>matrix-fluent in Chromium</title>
<script type="importmap">${JSON.stringify({ imports })}</script>
<script type="module">
  import * as fluent from 'matrix-fluent';
  import { scenarios } from '/page.js';
  window.fluentPage = scenarios(fluent);
</script>
`;
}

/**
 * Starts the page's server on a loopback port of its own (another origin than the
 * homeserver's). Serves `/`, `/page.js`, and JavaScript under dist/ and node_modules/.
 */
export async function startPageServer(): Promise<TestServer & { imports: Record<string, string> }> {
  const { imports } = importMap();
  const html = page(imports);
  const pageJs = (await transform(readFileSync(join(PROJECT_ROOT, 'test', 'browser', 'page.ts'), 'utf8'), { loader: 'ts', format: 'esm', target: 'es2022' })).code;
  const server = await startServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://page').pathname);
    const send = (status: number, type: string, body: string | Buffer): void => {
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
      res.end(body);
    };
    if (path === '/') return send(200, 'text/html; charset=utf-8', html);
    if (path === '/page.js') return send(200, 'text/javascript; charset=utf-8', pageJs);
    const file = resolve(PROJECT_ROOT, `.${path}`);
    const inside = ['dist', 'node_modules'].some((dir) => file.startsWith(join(PROJECT_ROOT, dir) + sep));
    if (!inside || !/\.m?js$/.test(file)) return send(404, 'text/plain', 'not here');
    try {
      return send(200, 'text/javascript; charset=utf-8', readFileSync(file));
    } catch {
      return send(404, 'text/plain', 'not found');
    }
  });
  return { ...server, imports };
}
