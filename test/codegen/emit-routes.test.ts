import { describe, expect, it } from 'vitest';
import { collectOperations } from '../../codegen/model.js';
import { answerOf, buildRouteTable } from '../../codegen/routes.js';
import { emitRoutes, emitTree, jsonData, routeRow } from '../../codegen/emit-routes.js';
import { ROUTES } from '../../generated/routes.js';
import type { JsonObject } from '../../codegen/load.js';

const ok = { 200: { description: 'ok', content: { 'application/json': { schema: { type: 'object' } } } } };

function routes(paths: JsonObject) {
  return buildRouteTable(collectOperations([{ file: 'a.yaml', basePath: '/_matrix/client/v3', doc: { openapi: '3.1.0', paths } }]), 'client-server');
}

/** The value a generated `JSON.parse(\`...\`)` stands for. */
function parsed(source: string, name: string): unknown {
  const match = new RegExp(`export const ${name}: [^=]+ = JSON\\.parse\\(\`([^\`]*)\`\\);`).exec(source);
  if (!match) throw new Error(`no JSON data for ${name}`);
  return JSON.parse(match[1]!);
}

describe('the runtime route table', () => {
  it('holds only the fields the runtime reads, not the ones that document a route', () => {
    for (const row of Object.values(ROUTES)) {
      // `explode` only on the rows that have exploded query parameters (below).
      expect(Object.keys(row).filter((k) => k !== 'explode').sort()).toEqual(['answer', 'auth', 'autoParam', 'body', 'fallback', 'method', 'params', 'path', 'query', 'response', 'safe']);
    }
    const exploding = Object.entries(ROUTES).filter(([, row]) => row.explode !== undefined).map(([route, row]) => [route, row.explode]);
    expect(exploding).toEqual([
      ['GET /_matrix/app/v1/thirdparty/location/{protocol}', ['fields']],
      ['GET /_matrix/app/v1/thirdparty/user/{protocol}', ['fields']],
      ['GET /_matrix/client/v3/thirdparty/location/{protocol}', ['fields']],
      ['GET /_matrix/client/v3/thirdparty/user/{protocol}', ['fields']],
    ]);
  });

  it('is emitted as JSON text, one row per line, that parses back to the rows', () => {
    const entries = routes({
      '/rooms/{roomId}/ban': { post: { operationId: 'ban', summary: 'Ban', deprecated: true, 'x-addedInMatrixVersion': '1.1', responses: ok } },
      '/rooms/{roomId}/send/{eventType}/{txnId}': { put: { operationId: 'send', responses: ok } },
    });
    const source = emitRoutes(entries);
    expect(parsed(source, 'ROUTES')).toEqual(Object.fromEntries(entries.map((e) => [e.route, routeRow(e)])));
    expect(source).toContain('\n  "POST /_matrix/client/v3/rooms/{roomId}/ban": {"method":"POST",');
    expect(source).not.toMatch(/"(summary|operationId|deprecated|since)"/);
    const tree = parsed(emitTree(entries), 'CHAIN_TREES') as { api: { l: Record<string, unknown> } };
    expect(Object.keys(tree.api.l)).toEqual(['rooms']);
  });

  it.each([
    ['a backtick', '{"a":"`"}'],
    ['a backslash', '{"a":"\\\\n"}'],
    ['a template placeholder', '{"a":"${x}"}'],
  ])('refuses runtime data that holds %s, which a template literal would change', (_name, json) => {
    expect(() => jsonData(json)).toThrow(/cannot be emitted as a template literal/);
  });
});

describe('the answer shape of a route', () => {
  const response = (schema: JsonObject) => ({ description: 'ok', content: { 'application/json': { schema } } });
  const schemas: JsonObject = {
    named: { type: 'object', required: ['user_id'], properties: { user_id: { type: 'string' } } },
    list: { type: 'array', items: { type: 'object' } },
    loose: { type: 'object', properties: { a: { type: 'string' } } },
  };
  it.each([
    ['an object with required members', { type: 'object', required: ['event_id'] }, 'object'],
    ['an object without required members', { type: 'object', properties: {} }, 'object-or-empty'],
    ['a $ref to an object with required members', { $ref: '#/components/schemas/named' }, 'object'],
    ['a $ref to an array', { $ref: '#/components/schemas/list' }, 'array'],
    ['an inline array', { type: 'array', items: {} }, 'array'],
    ['allOf with one part that requires', { allOf: [{ $ref: '#/components/schemas/loose' }, { $ref: '#/components/schemas/named' }] }, 'object'],
    ['oneOf where one branch requires nothing', { oneOf: [{ type: 'object' }, { $ref: '#/components/schemas/named' }] }, 'object-or-empty'],
    ['oneOf where every branch requires', { oneOf: [{ $ref: '#/components/schemas/named' }, { type: 'object', required: ['x'] }] }, 'object'],
  ])('%s is %s', (_name, schema, want) => {
    expect(answerOf(response(schema as JsonObject), schemas)).toBe(want);
  });

  it('is object-or-empty for an answer without JSON (a redirect, bytes)', () => {
    expect(answerOf({ description: 'redirect' }, schemas)).toBe('object-or-empty');
    expect(answerOf(undefined, schemas)).toBe('object-or-empty');
  });

  it('is in the generated table: whoami and sync must be objects, room state an array, leave may be empty', () => {
    expect(ROUTES['GET /_matrix/client/v3/account/whoami'].answer).toBe('object');
    expect(ROUTES['GET /_matrix/client/v3/sync'].answer).toBe('object');
    expect(ROUTES['GET /_matrix/client/v3/rooms/{roomId}/state'].answer).toBe('array');
    expect(ROUTES['POST /_matrix/client/v3/rooms/{roomId}/leave'].answer).toBe('object-or-empty');
  });
});
