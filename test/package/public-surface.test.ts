/**
 * The public surface is settled: the API report kept in the repository is what the
 * entries export, every export is documented with a summary and an example, and the
 * internals and test seams stay out of it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as main from '../../src/index.js';
import { checkReport, collectPublicExports, formatReport, type PublicExport } from '../../tools/api-report.js';

let exports: PublicExport[] = [];
const declared = (name: string): string => exports.find((e) => e.name === name)?.text.join('\n') ?? '';

beforeAll(() => {
  exports = collectPublicExports();
}, 180_000);

describe('the API report', () => {
  it('etc/matrix-fluent.api.md matches what the entries export (npm run api:report updates it)', () => {
    expect(checkReport(formatReport(exports))).toBeUndefined();
  });

  it('lists both entries, the node entry with only what it adds', () => {
    const report = formatReport(exports);
    expect(report).toMatch(/^## matrix-fluent\n/m);
    expect(report).toMatch(/^## matrix-fluent\/node\n\nEverything of `matrix-fluent`, and:/m);
    expect(report).toContain('function createClient(options: ClientOptions): MatrixClient;');
    expect(report).toMatch(/^class FileStore implements SyncStore \{/m);
  });

  it('names a change of the surface when the kept report differs', () => {
    const changed = formatReport(exports.filter((e) => e.name !== 'createClient'));
    expect(checkReport(changed)).toMatch(/^The public API differs from etc\/matrix-fluent\.api\.md\. If the change is meant, run `npm run api:report`[\s\S]*^- function createClient\(/m);
  });
});

describe('every public export', () => {
  it('has a JSDoc summary and an @example (generated ones: a summary)', () => {
    const missing = exports
      .filter((e) => !e.summary || (!e.example && !e.file.startsWith('generated/')))
      .map((e) => `${e.entry} ${e.name} (${e.file}): ${e.summary ? '' : 'no summary '}${e.example ? '' : 'no @example'}`.trim());
    expect([...new Set(missing)]).toEqual([]);
  });
});

describe('internals and test seams', () => {
  it('are not exported: readablePath, isErrorNamed, SyncClock', () => {
    const names = new Set(exports.map((e) => e.name));
    for (const name of ['readablePath', 'isErrorNamed', 'SyncClock', 'TransportSeams', 'SyncSeams', 'AppserviceSeams', 'seamsOf']) {
      expect(names.has(name), name).toBe(false);
    }
    expect('readablePath' in main).toBe(false);
    expect('isErrorNamed' in main).toBe(false);
  });

  it('the options name no random, sleep, clock or now seam', () => {
    expect(declared('TransportOptions')).not.toMatch(/\b(random|sleep)\?:/);
    expect(declared('SyncOptions')).not.toMatch(/\b(random|sleep|clock)\?:/);
    expect(declared('AppserviceOptions')).not.toMatch(/\b(sleep|now)\?:/);
    expect(declared('DEFAULT_TRANSPORT_OPTIONS')).not.toMatch(/\b(random|sleep):/);
    expect(Object.keys(main.DEFAULT_TRANSPORT_OPTIONS)).not.toContain('random');
    expect(Object.keys(main.DEFAULT_TRANSPORT_OPTIONS)).not.toContain('sleep');
  });

  it('SyncLoop has no report() method', () => {
    expect(declared('SyncLoop')).not.toMatch(/\breport\(/);
    expect('report' in main.SyncLoop.prototype).toBe(false);
  });
});

describe('SyncStalledError', () => {
  it('is a MatrixSdkError from src/errors, recognised by its guards', () => {
    const error = new main.SyncStalledError(35_000);
    expect(error).toBeInstanceOf(main.MatrixSdkError);
    expect(main.isMatrixSdkError(error)).toBe(true);
    expect(main.isSyncStalledError(error)).toBe(true);
    expect(main.isSyncStalledError(new Error('x'))).toBe(false);
    expect(error.afterMs).toBe(35_000);
    expect(exports.find((e) => e.name === 'SyncStalledError')?.file).toBe('src/errors/sync-stalled-error.ts');
  });
});
