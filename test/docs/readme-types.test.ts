/**
 * The README's TypeScript examples compile against the public types, as written
 * (the e2e project runs them against Synapse). Free variables are declared with
 * the types an app would have.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../spec/resolve.js';

const FREE: Record<string, string> = {
  baseUrl: 'string',
  accessToken: 'string',
  roomId: 'string',
  bytes: 'Uint8Array',
  asToken: 'string',
  prefix: 'string',
  serverName: 'string',
  // Only the matrix-fluent/node examples use it (the runnable ones build their own).
  registration: "import('%ENTRY%').AppserviceRegistration",
};

describe('the README examples', () => {
  it('type-check against the public API', { timeout: 120_000 }, () => {
    const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
    const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((c) => /from 'matrix-fluent(\/node|\/validation)?'/.test(c));
    expect(blocks.length).toBeGreaterThanOrEqual(6);
    const dir = join(PROJECT_ROOT, '.tmp', 'readme-types');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const entry = relative(dir, join(PROJECT_ROOT, 'src', 'index.js')).split('\\').join('/');
    const nodeEntry = relative(dir, join(PROJECT_ROOT, 'src', 'node.js')).split('\\').join('/');
    const validationEntry = relative(dir, join(PROJECT_ROOT, 'src', 'validation', 'index.js')).split('\\').join('/');
    const files = blocks.map((code, i) => {
      const declared = Object.entries(FREE).filter(([name]) => !new RegExp(`(const|let)\\s+(\\{[^}]*\\b)?${name}\\b`).test(code));
      const file = join(dir, `example-${i + 1}.ts`);
      writeFileSync(file, [
        ...declared.map(([name, type]) => `declare const ${name}: ${type.replace('%ENTRY%', entry)};`),
        code.replace(/from 'matrix-fluent'/g, `from '${entry}'`).replace(/from 'matrix-fluent\/node'/g, `from '${nodeEntry}'`).replace(/from 'matrix-fluent\/validation'/g, `from '${validationEntry}'`),
        'export {};',
      ].join('\n'));
      return file;
    });
    const config = ts.getParsedCommandLineOfConfigFile(join(PROJECT_ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
    const program = ts.createProgram(files, { ...config!.options, noEmit: true });
    const problems = files.flatMap((file) =>
      ts.getPreEmitDiagnostics(program, program.getSourceFile(file)).map((d) => {
        const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
        return `${relative(dir, d.file?.fileName ?? file)}:${where ? where.line + 1 : '?'} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      }),
    );
    expect(problems).toEqual([]);
  });
});
