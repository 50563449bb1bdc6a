/**
 * Merges the per-file OpenAPI documents into one list of operations:
 * base paths prefixed, the trailing-space overload keys trimmed and merged,
 * path-level parameters pushed down to each operation.
 */
import { isObject, type ApiDocument, type Json, type JsonObject } from './load.js';
import { OPERATION_PATCHES } from './overrides.js';
import { CodegenError } from './errors.js';

/** The HTTP methods the spec uses. */
export const METHODS = ['get', 'put', 'post', 'delete'] as const;
/** HTTP methods OpenAPI allows in a path item that the generator and the runtime do not handle. */
export const UNHANDLED_METHODS = ['head', 'options', 'patch', 'trace', 'query'] as const;
/** One of {@link METHODS}. */
export type Method = (typeof METHODS)[number];

/** One operation of the merged spec. */
export interface SpecOperation {
  method: Method;
  /** Full path template: base path + path key. */
  path: string;
  /** `"POST /_matrix/client/v3/rooms/{roomId}/ban"`. */
  route: string;
  /** The document(s) it comes from. */
  files: string[];
  /** The operation object, parameters pushed down; overloads merged. */
  operation: JsonObject;
  /** operationIds of the overloads merged into this one, when any. */
  mergedFrom: string[];
}

function parameterKey(param: Json): string {
  return isObject(param) ? `${String(param.in)}:${String(param.name)}` : JSON.stringify(param);
}

/** Path-level parameters go to each operation; an operation's own win. */
function pushDownParameters(pathItem: JsonObject, operation: JsonObject): JsonObject {
  const shared = Array.isArray(pathItem.parameters) ? pathItem.parameters : [];
  const own = Array.isArray(operation.parameters) ? operation.parameters : [];
  const ownKeys = new Set(own.map(parameterKey));
  const parameters = [...shared.filter((p) => !ownKeys.has(parameterKey(p))), ...own];
  return parameters.length > 0 ? { ...operation, parameters } : operation;
}

function jsonSchemaOf(body: Json | undefined): Json | undefined {
  if (!isObject(body) || !isObject(body.content)) return undefined;
  const json = body.content['application/json'];
  return isObject(json) ? json.schema : undefined;
}

/** Two overloads of one method and path become one operation with union inputs. */
function mergeOverloads(a: JsonObject, b: JsonObject): JsonObject {
  const paramsA = Array.isArray(a.parameters) ? a.parameters : [];
  const paramsB = Array.isArray(b.parameters) ? b.parameters : [];
  const byKey = new Map<string, JsonObject>();
  const inA = new Set(paramsA.map(parameterKey));
  const inB = new Set(paramsB.map(parameterKey));
  for (const p of [...paramsA, ...paramsB]) {
    if (!isObject(p)) continue;
    const key = parameterKey(p);
    if (byKey.has(key)) continue;
    // A parameter only one overload has cannot be required by the union.
    const both = inA.has(key) && inB.has(key);
    byKey.set(key, both || p.in === 'path' ? p : { ...p, required: false });
  }
  const merged: JsonObject = {
    ...a,
    description: [a.description, b.description].filter((d) => typeof d === 'string').join('\n\n'),
    parameters: [...byKey.values()],
  };
  const schemaA = jsonSchemaOf(a.requestBody);
  const schemaB = jsonSchemaOf(b.requestBody);
  if (schemaA !== undefined && schemaB !== undefined) {
    const required = isObject(a.requestBody) && isObject(b.requestBody)
      && a.requestBody.required === true && b.requestBody.required === true;
    merged.requestBody = { required, content: { 'application/json': { schema: { oneOf: [schemaA, schemaB] } } } };
  } else if (schemaA === undefined && schemaB !== undefined) {
    merged.requestBody = b.requestBody as Json;
  }
  const responses: JsonObject = { ...(isObject(a.responses) ? a.responses : {}) };
  for (const [status, response] of Object.entries(isObject(b.responses) ? b.responses : {})) {
    const existing = responses[status];
    const sa = isObject(existing) ? jsonSchemaOf(existing) : undefined;
    const sb = jsonSchemaOf(response);
    if (existing === undefined) responses[status] = response;
    else if (sa !== undefined && sb !== undefined && JSON.stringify(sa) !== JSON.stringify(sb) && isObject(existing)) {
      responses[status] = { ...existing, content: { 'application/json': { schema: { oneOf: [sa, sb] } } } };
    }
  }
  merged.responses = responses;
  if (a.deprecated === true && b.deprecated !== true) delete merged.deprecated;
  return merged;
}

/** Every operation of the given documents, sorted by path then method. */
export function collectOperations(documents: readonly ApiDocument[]): SpecOperation[] {
  const byRoute = new Map<string, SpecOperation>();
  const overloadKeys = new Set<string>();
  for (const { file, basePath, doc } of documents) {
    const paths = isObject(doc.paths) ? doc.paths : {};
    for (const [rawKey, pathItem] of Object.entries(paths)) {
      if (!isObject(pathItem)) continue;
      const key = rawKey.trimEnd();
      const fakeOverload = key !== rawKey;
      const path = `${basePath}${key}`;
      for (const method of UNHANDLED_METHODS) {
        if (method in pathItem) {
          throw new CodegenError(`${file}: ${method.toUpperCase()} ${path} uses a method the generator does not handle; add it to METHODS`, 'codegen/model.ts');
        }
      }
      for (const method of METHODS) {
        const raw = pathItem[method];
        if (!isObject(raw)) continue;
        const operation = pushDownParameters(pathItem, raw);
        const route = `${method.toUpperCase()} ${path}`;
        const existing = byRoute.get(route);
        if (existing === undefined) {
          byRoute.set(route, { method, path, route, files: [file], operation, mergedFrom: [] });
          if (fakeOverload) overloadKeys.add(route);
          continue;
        }
        if (!fakeOverload && !overloadKeys.has(route)) {
          throw new CodegenError(`${route} is defined twice (${existing.files.join(', ')} and ${file}) and is not a known overload`, 'codegen/model.ts');
        }
        // Keep the operation of the untrimmed key first, so its name and summary lead.
        const [first, second] = fakeOverload ? [existing.operation, operation] : [operation, existing.operation];
        existing.operation = mergeOverloads(first, second);
        existing.mergedFrom = [first.operationId, second.operationId].map(String);
        existing.files = [...new Set([...existing.files, file])].sort();
      }
    }
  }
  for (const [route, patch] of Object.entries(OPERATION_PATCHES)) {
    const op = byRoute.get(route);
    // A patch belongs to one API area: apply it where its route is.
    if (op) patch.apply((op.operation = structuredClone(op.operation)));
  }
  return [...byRoute.values()].sort((x, y) =>
    x.path < y.path ? -1 : x.path > y.path ? 1 : METHODS.indexOf(x.method) - METHODS.indexOf(y.method));
}
