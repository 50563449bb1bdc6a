/**
 * Open answers: JSON Schema allows fields a schema does not list unless it
 * says `additionalProperties: false`, and servers send such fields (newer spec
 * versions, unstable features, implementation extras). openapi-typescript
 * closes an object without `additionalProperties`, so the object schemas of
 * every success answer are marked open here: their listed fields keep their
 * types, and any other is readable as `unknown`. Request bodies stay closed,
 * so a misspelled field of a body still fails to compile.
 */
import { isObject, type Json, type JsonObject } from './load.js';
import type { SpecOperation } from './model.js';

/** Marks every inline object schema under `node` open, unless it says otherwise; references are not followed. */
export function openObjects(node: Json): void {
  if (Array.isArray(node)) return node.forEach(openObjects);
  if (!isObject(node)) return;
  const isObjectSchema = node.type === 'object' || isObject(node.properties);
  if (isObjectSchema && node.additionalProperties === undefined && node.patternProperties === undefined && node.$ref === undefined) {
    node.additionalProperties = true;
  }
  for (const [key, value] of Object.entries(node)) if (key !== 'example' && key !== 'examples') openObjects(value);
}

/** The operations with their success answers opened (copies of what changes; the input is left alone). */
export function withOpenResponses(operations: readonly SpecOperation[]): SpecOperation[] {
  return operations.map((op) => {
    const responses = op.operation.responses;
    if (!isObject(responses)) return op;
    const opened: JsonObject = structuredClone(responses);
    for (const [status, response] of Object.entries(opened)) {
      if (!/^2\d\d$/.test(status) || !isObject(response) || !isObject(response.content)) continue;
      const json = response.content['application/json'];
      if (isObject(json) && json.schema !== undefined) openObjects(json.schema);
    }
    return { ...op, operation: { ...op.operation, responses: opened } };
  });
}
