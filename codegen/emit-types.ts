/**
 * Generates the TypeScript types of one API area with openapi-typescript, from
 * the merged operations as one OpenAPI document with full paths.
 */
import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript';
import ts from 'typescript';
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

/** `mxc://${string}`: what the spec's `mx-mxc-uri` string format means, as a type. */
function mxcUriType(): ts.TypeNode {
  const { factory } = ts;
  return factory.createTemplateLiteralType(factory.createTemplateHead('mxc://'), [
    factory.createTemplateLiteralTypeSpan(factory.createKeywordTypeNode(ts.SyntaxKind.StringKeyword), factory.createTemplateTail('')),
  ]);
}

/** The types source text for one merged document. */
export async function generateTypes(document: JsonObject, transform?: (path: string | undefined) => ts.TypeNode | undefined): Promise<string> {
  const ast = await openapiTS(document as unknown as OpenAPI3, {
    emptyObjectsUnknown: true,
    silent: true,
    alphabetize: false,
    // Content URIs are typed as such, so an upload's content_uri can go straight to download().
    transform: (schema, options) => transform?.(options.path) ?? (schema.type === 'string' && schema.format === 'mx-mxc-uri' ? mxcUriType() : undefined),
  });
  return astToString(ast);
}
