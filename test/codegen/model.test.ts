import { describe, expect, it } from 'vitest';
import { collectOperations } from '../../codegen/model.js';
import { buildRouteTable, buildTree, effectiveVerbs } from '../../codegen/routes.js';
import type { ApiDocument, JsonObject } from '../../codegen/load.js';

function doc(file: string, basePath: string, paths: JsonObject): ApiDocument {
  return { file, basePath, doc: { openapi: '3.1.0', paths } };
}

const ok = { 200: { description: 'ok', content: { 'application/json': { schema: { type: 'object' } } } } };

describe('collectOperations', () => {
  it('prefixes the base path and pushes path-level parameters down, the operation\'s own winning', () => {
    const [op] = collectOperations([doc('a.yaml', '/_matrix/client/v3', {
      '/rooms/{roomId}/x': {
        parameters: [{ in: 'path', name: 'roomId', required: true, description: 'shared' }, { in: 'query', name: 'q' }],
        get: { operationId: 'x', parameters: [{ in: 'query', name: 'q', description: 'own' }], responses: ok },
      },
    })]);
    expect(op!.route).toBe('GET /_matrix/client/v3/rooms/{roomId}/x');
    expect(op!.operation.parameters).toEqual([
      { in: 'path', name: 'roomId', required: true, description: 'shared' },
      { in: 'query', name: 'q', description: 'own' },
    ]);
  });

  it('trims a trailing-space overload key and merges it into one operation with a union body', () => {
    const body = (prop: string) => ({ required: true, content: { 'application/json': { schema: { type: 'object', properties: { [prop]: { type: 'string' } } } } } });
    const ops = collectOperations([
      doc('a.yaml', '/v3', { '/invite': { post: { operationId: 'byUser', requestBody: body('user_id'), responses: ok } } }),
      doc('b.yaml', '/v3', { '/invite ': { post: { operationId: 'by3pid', requestBody: body('address'), responses: ok } } }),
    ]);
    expect(ops).toHaveLength(1);
    expect(ops[0]!.mergedFrom).toEqual(['byUser', 'by3pid']);
    const schema = (ops[0]!.operation.requestBody as any).content['application/json'].schema;
    expect(schema.oneOf.map((s: any) => Object.keys(s.properties)[0])).toEqual(['user_id', 'address']);
  });

  it('makes a query parameter of only one overload optional', () => {
    const ops = collectOperations([
      doc('a.yaml', '/v3', { '/events': { get: { operationId: 'a', parameters: [{ in: 'query', name: 'from' }], responses: ok } } }),
      doc('b.yaml', '/v3', { '/events ': { get: { operationId: 'b', parameters: [{ in: 'query', name: 'room_id', required: true }], responses: ok } } }),
    ]);
    expect(ops[0]!.operation.parameters).toEqual([{ in: 'query', name: 'from', required: false }, { in: 'query', name: 'room_id', required: false }]);
  });

  it('fails loudly when two files define the same operation without an overload key', () => {
    const item = { get: { operationId: 'x', responses: ok } };
    expect(() => collectOperations([doc('a.yaml', '/v3', { '/x': item }), doc('b.yaml', '/v3', { '/x': item })]))
      .toThrow(/GET \/v3\/x is defined twice/);
  });
});

describe('buildRouteTable', () => {
  it('fails loudly when two versions hold the same chain', () => {
    const ops = collectOperations([
      doc('a.yaml', '/_matrix/client/v3', { '/x': { get: { operationId: 'a', responses: ok } } }),
      doc('b.yaml', '/_matrix/client/v1', { '/x': { get: { operationId: 'b', responses: ok } } }),
    ]);
    expect(() => buildRouteTable(ops, 'client-server')).toThrow(/two routes answer GET api\.x/);
  });

  it('offers a trailing-slash route and an auto-filled txnId route on the parent node', () => {
    const routes = buildRouteTable(collectOperations([doc('a.yaml', '/_matrix/client/v3', {
      '/pushrules/': { get: { operationId: 'rules', responses: ok } },
      '/rooms/{roomId}/send/{eventType}/{txnId}': { put: { operationId: 'send', responses: ok } },
    })]), 'client-server');
    const tree = buildTree(routes, 'api');
    expect([...effectiveVerbs(tree.literals.get('pushrules')!)].map(([m, v]) => [m, v.via])).toEqual([['GET', 'slash']]);
    const send = tree.literals.get('rooms')!.param!.literals.get('send')!.param!;
    expect([...effectiveVerbs(send)].map(([m, v]) => [m, v.via, v.entry.autoParam])).toEqual([['PUT', 'auto', 'txnId']]);
  });

  it('folds a legacy media route under its authenticated twin as the fallback', () => {
    const routes = buildRouteTable(collectOperations([
      doc('a.yaml', '/_matrix/client/v1', { '/media/config': { get: { operationId: 'new', responses: ok } } }),
      doc('b.yaml', '/_matrix', { '/media/v3/config': { get: { operationId: 'old', deprecated: true, responses: ok } } }),
    ]), 'client-server');
    const authed = routes.find((r) => r.operationId === 'new')!;
    expect(authed.fallback).toBe('GET /_matrix/media/v3/config');
    expect(authed.chains).toEqual({ api: 'media/config', media: 'config' });
    expect(routes.find((r) => r.operationId === 'old')!.chains).toEqual({});
  });

  it('rejects a literal segment that clashes with a verb of the same node', () => {
    const routes = buildRouteTable(collectOperations([doc('a.yaml', '/_matrix/client/v3', {
      '/x': { delete: { operationId: 'a', responses: ok } },
      '/x/delete': { post: { operationId: 'b', responses: ok } },
    })]), 'client-server');
    expect(() => effectiveVerbs(buildTree(routes, 'api').literals.get('x')!)).toThrow(/clashes with the verb/);
  });
});
