/**
 * The main entry runs in browsers, Deno and Bun: nothing it reaches may import
 * a Node module or touch Node globals. Node-only code lives behind `matrix-fluent/node`.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../spec/resolve.js';
import { bundleForBrowser } from '../support/browser-bundle.js';

/** Every project file the module at `entry` reaches through relative imports (type-only ones included). */
function reachable(entry: string): Map<string, string> {
  const seen = new Map<string, string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    const text = readFileSync(file, 'utf8');
    seen.set(file, text);
    for (const match of text.matchAll(/(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'/g)) {
      visit(resolve(dirname(file), match[1]!.replace(/\.js$/, '.ts')));
    }
  };
  visit(entry);
  return seen;
}

describe('the main entry', () => {
  const files = reachable(join(PROJECT_ROOT, 'src', 'index.ts'));

  it('reaches the gateway, the transport and the sync loop', () => {
    const names = [...files.keys()].map((f) => f.slice(PROJECT_ROOT.length));
    expect(names).toEqual(expect.arrayContaining(['src/gateway/proxy.ts', 'src/transport/http-transport.ts', 'src/sync/loop.ts', 'src/appservice/appservice.ts', 'generated/routes.ts']));
  });

  it('imports no Node module and uses no Node global', () => {
    const offenders: string[] = [];
    for (const [file, text] of files) {
      const code = text.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      if (/from\s+'node:|require\(|\bprocess\.|\bBuffer\b|__dirname/.test(code)) offenders.push(file.slice(PROJECT_ROOT.length));
    }
    expect(offenders).toEqual([]);
  });
});

describe('the node entry', () => {
  it('adds the file stores, the appservice listener, the registration loader and the undici engine to the main entry', async () => {
    const node = await import('../../src/node.js');
    const main = await import('../../src/index.js');
    expect(typeof node.FileStore).toBe('function');
    expect(typeof node.FileAppserviceStore).toBe('function');
    expect(typeof node.listenAppservice).toBe('function');
    expect(typeof node.loadRegistration).toBe('function');
    expect(typeof node.createUndiciEngine).toBe('function');
    expect(Object.keys(node).sort()).toEqual(
      [...Object.keys(main), 'FileStore', 'FileAppserviceStore', 'listenAppservice', 'loadRegistration', 'createUndiciEngine'].sort(),
    );
  });

  it('the node condition of the main entry exports exactly what the main entry exports', async () => {
    const nodeMain = await import('../../src/index-node.js');
    const main = await import('../../src/index.js');
    expect(Object.keys(nodeMain).sort()).toEqual(Object.keys(main).sort());
  });
});

describe('a browser bundle of the main entry', () => {
  it('holds ky and the fetch engine but never undici', async () => {
    const { text, inputs } = await bundleForBrowser('src/index.ts');
    expect(inputs.some((path) => path.includes('node_modules/ky/'))).toBe(true);
    expect(inputs.some((path) => path.endsWith('src/transport/engines/fetch-engine.ts'))).toBe(true);
    expect(inputs.filter((path) => /undici/.test(path))).toEqual([]);
    // undici's own error codes would show if any of its code slipped in.
    expect(text).not.toMatch(/UND_ERR_/);
  }, 60_000);
});
