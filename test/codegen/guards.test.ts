import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { collectOperations } from '../../codegen/model.js';
import { buildRouteTable } from '../../codegen/routes.js';
import { CodegenError, errorReport } from '../../codegen/errors.js';
import { CommandError } from '../../spec/command-error.js';
import { KNOWN_SPECS, PINNED_SPEC } from '../../spec/pin.js';
import { PROJECT_ROOT, findSpecDir } from '../../spec/resolve.js';
import { readSpecOps } from '../contract/read-spec.js';
import type { JsonObject } from '../../codegen/load.js';

const run = promisify(execFile);
const ok = { 200: { description: 'ok', content: { 'application/json': { schema: { type: 'object' } } } } };

function ops(paths: JsonObject, basePath = '/_matrix/client/v3') {
  return collectOperations([{ file: 'client-server/a.yaml', basePath, doc: { openapi: '3.1.0', paths } }]);
}

describe('the guards of codegen and the contract reader', () => {
  it.each(['patch', 'head', 'options', 'trace'])('codegen refuses an operation with the method %s, naming the file where it is handled', (method) => {
    const error = (() => {
      try {
        ops({ '/x': { get: { operationId: 'a', responses: ok }, [method]: { operationId: 'b', responses: ok } } });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(CodegenError);
    expect((error as CodegenError).message).toBe(`client-server/a.yaml: ${method.toUpperCase()} /_matrix/client/v3/x uses a method the generator does not handle; add it to METHODS (fix in codegen/model.ts)`);
  });

  it('the contract reader refuses an operation with a method it does not drive', () => {
    const dir = mkdtempSync(join(tmpdir(), 'read-spec-'));
    try {
      mkdirSync(join(dir, 'data', 'api', 'client-server'), { recursive: true });
      writeFileSync(join(dir, 'data', 'api', 'client-server', 'a.yaml'), [
        'openapi: 3.1.0',
        'servers: [{ url: "{protocol}://{hostname}{basePath}", variables: { basePath: { default: /_matrix/client/v3 } } }]',
        'paths:',
        '  /x:',
        '    patch: { operationId: b, responses: {} }',
      ].join('\n'));
      expect(() => readSpecOps(dir, 'client-server')).toThrow('client-server/a.yaml: PATCH /_matrix/client/v3/x is a method the contract test does not handle');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an ambiguous chain names the file where the fix goes, on one line', () => {
    const merged = [
      ...ops({ '/x': { get: { operationId: 'a', responses: ok } } }, '/_matrix/client/v1'),
      ...ops({ '/x': { get: { operationId: 'b', responses: ok } } }, '/_matrix/client/v3'),
    ];
    expect(() => buildRouteTable(merged, 'client-server')).toThrow(CodegenError);
    expect(() => buildRouteTable(merged, 'client-server')).toThrow(/^two routes answer GET api\.x: .* \(fix in codegen\/routes\.ts\)$/);
  });

  it('a command prints a known error as its message alone, and anything else with its stack', () => {
    expect(errorReport(new CodegenError('a\n  b', 'codegen/routes.ts'))).toBe('CodegenError: a b (fix in codegen/routes.ts)');
    expect(errorReport(new CommandError('no tree'))).toBe('CommandError: no tree');
    expect(errorReport(new Error('bug'))).toMatch(/^Error: bug\n\s+at /);
  });

  const other = KNOWN_SPECS.find((p) => p.version !== PINNED_SPEC.version && findSpecDir(p.version) !== undefined);
  it.skipIf(other === undefined)('generate refuses to stamp another version\'s tree as the pinned one, in one line without a stack', { timeout: 60_000 }, async () => {
    const out = mkdtempSync(join(tmpdir(), 'generate-'));
    try {
      const failed = await run('npx', ['tsx', 'codegen/main.ts', '--out', out], {
        cwd: PROJECT_ROOT,
        env: { ...process.env, MATRIX_SPEC_DIR: findSpecDir(other!.version) },
      }).then(() => undefined, (error: { code: number; stderr: string }) => error);
      expect(failed?.code).toBe(1);
      const lines = failed!.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^CommandError: refusing to generate: the tree .* is not the ${PINNED_SPEC.version} spec of spec/manifest/${PINNED_SPEC.version}\\.sha256 \\(checksum mismatch `));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
