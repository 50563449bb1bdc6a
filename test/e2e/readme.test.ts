/**
 * Runs every TypeScript example of the README against the local Synapse, as
 * written: each block becomes a module whose free variables (baseUrl,
 * accessToken, roomId, bytes, asToken, prefix, serverName) the test provides.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { PROJECT_ROOT } from '../../spec/resolve.js';
import { makePng, newUser, synapse } from './helpers.js';

const README = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
const BLOCKS = [...README.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((code) => code.includes("from 'matrix-fluent'"));
const WORK = join(PROJECT_ROOT, '.tmp', 'readme');
const ENTRY = pathToFileURL(join(PROJECT_ROOT, 'src', 'index.ts')).href;
const VALIDATION_ENTRY = pathToFileURL(join(PROJECT_ROOT, 'src', 'validation', 'index.ts')).href;

describe('the README examples', () => {
  it('are there to run', () => {
    expect(BLOCKS.length).toBeGreaterThanOrEqual(6);
  });

  BLOCKS.forEach((code, index) => {
    const title = code.split('\n').find((line) => line.includes('client.') || line.includes('appservice.')) ?? `block ${index + 1}`;
    it(`runs example ${index + 1}: ${title.trim().slice(0, 70)}`, async () => {
      const hs = synapse();
      const user = await newUser();
      const { room_id } = await user.client.api.createRoom.post({ preset: 'private_chat' });
      const scope = {
        baseUrl: hs.baseUrl,
        accessToken: user.accessToken,
        roomId: room_id,
        bytes: makePng(8, 8),
        asToken: hs.asToken,
        prefix: hs.appserviceUserPrefix,
        serverName: hs.serverName,
      };
      (globalThis as Record<string, unknown>).__readmeScope = scope;
      mkdirSync(WORK, { recursive: true });
      const file = join(WORK, `example-${index + 1}-${Date.now()}.ts`);
      expect(code.replace(/'https:\/\/matrix\.example\.org'/g, ''), 'an example may only reach the local server').not.toMatch(/https?:\/\//);
      const declared = Object.keys(scope).filter((name) => !new RegExp(`(const|let)\\s+(\\{[^}]*\\b)?${name}\\b`).test(code));
      writeFileSync(file, [
        `const { ${declared.join(', ')} } = (globalThis as any).__readmeScope;`,
        // The examples name a public server for readability; the test runs them on the local one.
        code.replace(/from 'matrix-fluent'/g, `from '${ENTRY}'`).replace(/from 'matrix-fluent\/validation'/g, `from '${VALIDATION_ENTRY}'`).replace(/'https:\/\/matrix\.example\.org'/g, 'baseUrl'),
        'export {};',
      ].join('\n'));
      const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
      try {
        await import(/* @vite-ignore */ pathToFileURL(file).href);
        expect(log).toHaveBeenCalled();
      } finally {
        log.mockRestore();
      }
    });
  });
});
