/**
 * Events in API answers, typed by their `type`: the Client-Server types and the
 * event types share one namespace. The shared event schema of the API
 * (`ClientEventWithoutRoomID`, which `ClientEvent` extends) is emitted as
 * `TypedEvent<shape>`: a union with one member per event type the spec
 * defines (its `content` the spec's content type) and one for types outside
 * the `m.` namespace (an open content), discriminated by `type`. The schema's
 * own fields (`event_id`, `unsigned` with its bundled relations, …) stay as
 * the spec has them, in the `shape` component.
 */
import ts from 'typescript';
import { isObject, type Json } from './load.js';

/** The shared schemas emitted as typed event unions. */
export const TYPED_EVENT_SCHEMAS: readonly string[] = ['client_event_without_room_id'];

/** The component that keeps a typed schema's own fields. */
function shapeName(schema: string): string {
  return `${schema}$shape`;
}

/** The schemas with the shape component of each typed schema added beside it. */
export function withEventShapes(schemas: Record<string, Json>): Record<string, Json> {
  const out = { ...schemas };
  for (const name of TYPED_EVENT_SCHEMAS) {
    const schema = out[name];
    if (schema === undefined) throw new Error(`codegen/typed-events.ts types the schema ${name}, which the spec no longer has`);
    out[shapeName(name)] = schema;
  }
  return out;
}

/** `components["schemas"][name]` as a type node. */
function componentTypeNode(name: string): ts.TypeNode {
  const { factory } = ts;
  const schemas = factory.createIndexedAccessTypeNode(
    factory.createTypeReferenceNode('components'),
    factory.createLiteralTypeNode(factory.createStringLiteral('schemas')),
  );
  return factory.createIndexedAccessTypeNode(schemas, factory.createLiteralTypeNode(factory.createStringLiteral(name)));
}

/** The openapi-typescript transform: a typed schema becomes `TypedEvent<its shape>`. */
export function typedEventTransform(path: string | undefined): ts.TypeNode | undefined {
  const match = path === undefined ? null : /^#\/components\/schemas\/(.+)$/.exec(path);
  if (!match || !TYPED_EVENT_SCHEMAS.includes(match[1]!)) return undefined;
  return ts.factory.createTypeReferenceNode('TypedEvent', [componentTypeNode(shapeName(match[1]!))]);
}

/** The import the Client-Server types need for {@link typedEventTransform}. */
export const TYPED_EVENT_IMPORT = `import type { TypedEvent } from "./events.js";\n`;

/** First characters of a namespaced event type other than `m` (ASCII). */
const NOT_M = [...'abcdefghijklnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-'];
/** Second characters after an `m` other than `.`. */
const NOT_DOT = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-'];

/** The text added to `generated/events.ts`: the custom event type names and `TypedEvent`. */
export function typedEventText(): string {
  const chars = (list: readonly string[]): string => list.map((c) => JSON.stringify(c)).join(' | ');
  return `
/**
 * An event type outside the spec's reserved \`m.\` namespace (\`com.example.foo\`,
 * \`org.matrix.msc1234.bar\`), written in ASCII: a template type that no type the
 * spec defines matches, so comparing \`event.type\` with a known type narrows
 * the event to that type.
 */
export type CustomEventType = \`\${${chars(NOT_M)}}\${string}\` | \`m\${${chars(NOT_DOT)}}\${string}\`;

/**
 * An event as the API answers it, discriminated by \`type\`: for each event type
 * the spec defines, \`content\` is that type's content; for a custom type
 * (\`CustomEventType\`) it is an open object. \`Shape\` holds the other fields.
 * An \`m.\` type the spec does not define (one newer than the spec this was
 * generated from) is not in the union.
 */
export type TypedEvent<Shape extends { type: string; content: unknown }> =
    | { [T in KnownEventType]: Omit<Shape, "type" | "content"> & { type: T; content: EventContentMap[T] } }[KnownEventType]
    | (Omit<Shape, "type" | "content"> & { type: CustomEventType; content: { [key: string]: unknown } });
`;
}

/** What {@link variantBase} reads of an event schema. */
interface SchemaWithContent {
  content: Json;
}

/**
 * The discriminating content key of an event type with variant schemas
 * (`msgtype` for `m.room.message`, `method` for `m.key.verification.start`):
 * the key that each variant fixes to one value. Undefined when there is none.
 */
export function variantKey(variants: readonly SchemaWithContent[]): string | undefined {
  if (variants.length === 0) return undefined;
  const fixed = (content: Json): string[] => {
    if (!isObject(content) || !isObject(content.properties)) return [];
    return Object.entries(content.properties)
      .filter(([, p]) => isObject(p) && Array.isArray(p.enum) && p.enum.length === 1)
      .map(([k]) => k);
  };
  const [first, ...rest] = variants.map((v) => fixed(v.content));
  return first?.find((key) => rest.every((keys) => keys.includes(key)));
}

/**
 * The union member of the base schema of an event type with variants: the
 * variants cover the spec's values of the discriminating key, so the base
 * stands for values outside the `m.` namespace only (`com.example.custom`),
 * and a misspelled `m.text` does not fall back to it.
 */
export function variantBase(baseType: string, key: string | undefined): string {
  return key === undefined ? baseType : `(Omit<${baseType}, ${JSON.stringify(key)}> & { ${JSON.stringify(key)}: CustomEventType })`;
}
