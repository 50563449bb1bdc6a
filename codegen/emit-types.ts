/**
 * Generates the TypeScript types of one API area with openapi-typescript, from
 * the merged operations as one OpenAPI document with full paths.
 */
import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript';
import type { Json, JsonObject } from './load.js';
import type { SpecOperation } from './model.js';

/** Builds the single OpenAPI document openapi-typescript reads. */
export function mergedDocument(title: string, operations: readonly SpecOperation[], schemas: Record<string, Json>): JsonObject {
  const paths: JsonObject = {};
  for (const op of operations) {
    const item = (paths[op.path] ??= {}) as JsonObject;
    item[op.method] = op.operation;
  }
  const sortedSchemas: JsonObject = {};
  for (const name of Object.keys(schemas).sort()) sortedSchemas[name] = schemas[name]!;
  return { openapi: '3.1.0', info: { title, version: '1' }, paths, components: { schemas: sortedSchemas } };
}

/** The types source text for one merged document. */
export async function generateTypes(document: JsonObject): Promise<string> {
  const ast = await openapiTS(document as unknown as OpenAPI3, {
    emptyObjectsUnknown: true,
    silent: true,
    alphabetize: false,
  });
  return astToString(ast);
}
