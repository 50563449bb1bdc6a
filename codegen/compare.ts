/**
 * What changed between two spec trees, operation by operation: the operations
 * added and removed, and for each one in both, its params, body and response
 * shapes (prose and examples left out, references resolved).
 */
import { join } from 'node:path';
import { Bundler, componentName, isObject, loadArea, type Json, type JsonObject } from './load.js';
import { collectOperations, type SpecOperation } from './model.js';

/** One operation's change between two trees. */
export interface OperationChange {
  readonly kind: 'added' | 'removed' | 'changed';
  /** `"GET /_matrix/client/v3/profile/{userId}"`. */
  readonly route: string;
  /** For a changed operation: one line per difference, e.g. `response 200 .avatar_url.format: (none) → "mx-mxc-uri"`. */
  readonly details: readonly string[];
}

/** Keys that only document a schema: a change to them is not a change of shape. */
const PROSE = new Set(['description', 'summary', 'title', 'example', 'examples']);

/** The operations of both API areas of a tree, with their component schemas. */
function readTree(specDir: string): { operations: Map<string, SpecOperation>; schemas: Record<string, Json> } {
  const dataDir = join(specDir, 'data');
  const bundler = new Bundler(dataDir);
  const operations = new Map<string, SpecOperation>();
  for (const area of ['client-server', 'application-service'] as const) {
    for (const op of collectOperations(loadArea(specDir, area, bundler).documents)) operations.set(op.route, op);
  }
  return { operations, schemas: bundler.schemas };
}

/** A schema with component references inlined (a reference back into itself stays a name) and prose left out. */
function shape(node: Json | undefined, schemas: Record<string, Json>, stack: readonly string[] = []): Json | undefined {
  if (node === undefined) return undefined;
  if (Array.isArray(node)) return node.map((item) => shape(item, schemas, stack) ?? null);
  if (!isObject(node)) return node;
  const name = typeof node.$ref === 'string' ? componentName(node.$ref) : undefined;
  if (name !== undefined) {
    if (stack.includes(name)) return { $ref: name };
    return shape(schemas[name], schemas, [...stack, name]);
  }
  const out: JsonObject = {};
  for (const key of Object.keys(node).sort()) {
    if (PROSE.has(key) || key.startsWith('x-')) continue;
    const value = shape(node[key], schemas, stack);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** `content.application/json.schema.properties.a.items.properties.b` as `.a[].b`; a parameter's `schema.format` as `.format`. */
function readablePath(full: readonly string[]): string {
  let path = full;
  let out = '';
  if (path[0] === 'content' && path.length >= 3 && path[2] === 'schema') {
    if (path[1] !== 'application/json') out += ` (${path[1]})`;
    path = path.slice(3);
  } else if (path[0] === 'schema') {
    path = path.slice(1);
  }
  for (let i = 0; i < path.length; i++) {
    const key = path[i]!;
    if (key === 'properties' && i + 1 < path.length) out += `.${path[++i]}`;
    else if (key === 'items') out += '[]';
    else if (/^\d+$/.test(key)) out += `[${key}]`;
    else out += `.${key}`;
  }
  return out === '' ? '' : ` ${out.trimStart()}`;
}

function show(value: Json | undefined): string {
  if (value === undefined) return '(none)';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** The differences between two shapes, one line each, at the deepest place they differ. */
function differences(where: string, before: Json | undefined, after: Json | undefined, path: string[] = []): string[] {
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) => differences(where, before[key], after[key], [...path, key]));
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length && before.some((item) => isObject(item))) {
    return before.flatMap((item, index) => differences(where, item, after[index], [...path, String(index)]));
  }
  return [`${where}${readablePath(path)}: ${show(before)} → ${show(after)}`];
}

function parameters(op: SpecOperation): Map<string, JsonObject> {
  const out = new Map<string, JsonObject>();
  for (const p of Array.isArray(op.operation.parameters) ? op.operation.parameters : []) {
    if (isObject(p)) out.set(`${String(p.in)} parameter ${String(p.name)}`, p);
  }
  return out;
}

function authOf(op: SpecOperation): string {
  const security = op.operation.security;
  if (!Array.isArray(security) || security.length === 0) return 'none';
  return security.some((s) => isObject(s) && Object.keys(s).length === 0) ? 'optional' : 'required';
}

/** The differences of one operation present in both trees. */
function operationDifferences(a: SpecOperation, sa: Record<string, Json>, b: SpecOperation, sb: Record<string, Json>): string[] {
  const out: string[] = [];
  if (authOf(a) !== authOf(b)) out.push(`auth: ${authOf(a)} → ${authOf(b)}`);
  const pa = parameters(a);
  const pb = parameters(b);
  for (const key of [...new Set([...pa.keys(), ...pb.keys()])].sort()) {
    const before = pa.get(key);
    const after = pb.get(key);
    if (before === undefined) out.push(`${key} added${after?.required === true ? ' (required)' : ''}`);
    else if (after === undefined) out.push(`${key} removed`);
    else out.push(...differences(key, shape(before, sa), shape(after, sb)));
  }
  out.push(...differences('body', shape(a.operation.requestBody, sa), shape(b.operation.requestBody, sb)));
  const ra = isObject(a.operation.responses) ? a.operation.responses : {};
  const rb = isObject(b.operation.responses) ? b.operation.responses : {};
  for (const status of [...new Set([...Object.keys(ra), ...Object.keys(rb)])].sort()) {
    if (!(status in ra)) out.push(`response ${status} added`);
    else if (!(status in rb)) out.push(`response ${status} removed`);
    else out.push(...differences(`response ${status}`, shape(ra[status], sa), shape(rb[status], sb)));
  }
  return out;
}

/**
 * The operations added, removed and changed from the tree at `beforeDir` to the
 * one at `afterDir`, sorted by route.
 *
 * @example
 * for (const change of compareSpecTrees('.cache/matrix-spec/v1.18', '.cache/matrix-spec/v1.19')) console.log(change.kind, change.route);
 */
export function compareSpecTrees(beforeDir: string, afterDir: string): OperationChange[] {
  const before = readTree(beforeDir);
  const after = readTree(afterDir);
  const routes = [...new Set([...before.operations.keys(), ...after.operations.keys()])].sort();
  const changes: OperationChange[] = [];
  for (const route of routes) {
    const a = before.operations.get(route);
    const b = after.operations.get(route);
    if (a === undefined) changes.push({ kind: 'added', route, details: [] });
    else if (b === undefined) changes.push({ kind: 'removed', route, details: [] });
    else {
      const details = operationDifferences(a, before.schemas, b, after.schemas);
      if (details.length > 0) changes.push({ kind: 'changed', route, details });
    }
  }
  return changes;
}

/**
 * The changes as summary text: counts, then one line per operation added or
 * removed and one per difference of a changed one (at most `perOperation`).
 *
 * @example
 * console.log(formatChanges(compareSpecTrees(before, after)));
 */
export function formatChanges(changes: readonly OperationChange[], perOperation = 12): string {
  const count = (kind: OperationChange['kind']): number => changes.filter((c) => c.kind === kind).length;
  const lines = [`operations: ${count('added')} added, ${count('removed')} removed, ${count('changed')} changed`];
  for (const c of changes) {
    lines.push(`  ${c.kind === 'added' ? '+' : c.kind === 'removed' ? '-' : '~'} ${c.route}`);
    for (const d of c.details.slice(0, perOperation)) lines.push(`      ${d}`);
    if (c.details.length > perOperation) lines.push(`      … and ${c.details.length - perOperation} more`);
  }
  return lines.join('\n');
}
