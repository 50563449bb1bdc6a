/**
 * Generates `generated/events.ts`: the content type of every event type the
 * spec's event schemas define (`data/event-schemas/schema/*.yaml`), an
 * `EventContentMap` from event type to content type, and which types are state
 * events.
 *
 * How: each schema file's `properties.content` (also found in inline `allOf`
 * members) becomes one component schema of a synthetic OpenAPI document, named
 * after the file (`m.room.message`, `m.room.message$m.text`); file references
 * are hoisted by the same {@link Bundler} as the API documents, and
 * openapi-typescript turns the document into types. A type with variant files
 * (`m.room.message$m.text`, …) gets the union of its variants and the base
 * schema. The kind (state, room, other) comes from the core schema the file
 * extends (`core-event-schema/state_event.yaml`, `room_event.yaml`, `event.yaml`).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Bundler, isObject, type Json, type JsonObject } from './load.js';
import { generateTypes } from './emit-types.js';
import { variantBase, variantKey } from './typed-events.js';
import { CONTENT_EXTRAS, contentExtraName, withContentExtras } from './overrides.js';

/** How an event type is sent. */
export type EventKind = 'state' | 'room' | 'other';

/** One event schema file, as the emitter reads it. */
export interface EventSchemaInfo {
  /** Schema name: the file name without `.yaml`, e.g. `m.room.message$m.text`. */
  name: string;
  /** The event types it describes (`properties.type.enum`). */
  types: string[];
  kind: EventKind;
  title: string | undefined;
  description: string | undefined;
  /** The bundled content schema. */
  content: Json;
}

/** The `properties`, `allOf` refs and titles of a schema node and its inline `allOf` members. */
function flatten(node: JsonObject): { properties: JsonObject; refs: string[]; title?: string; description?: string } {
  const properties: JsonObject = {};
  const refs: string[] = [];
  let title: string | undefined;
  let description: string | undefined;
  const visit = (n: JsonObject): void => {
    if (typeof n.title === 'string') title ??= n.title;
    if (typeof n.description === 'string') description ??= n.description;
    if (typeof n.$ref === 'string') refs.push(n.$ref);
    if (Array.isArray(n.allOf)) for (const m of n.allOf) if (isObject(m)) visit(m);
    if (isObject(n.properties)) for (const [k, v] of Object.entries(n.properties)) if (!(k in properties)) properties[k] = v;
  };
  visit(node);
  return { properties, refs, ...(title !== undefined ? { title } : {}), ...(description !== undefined ? { description } : {}) };
}

function kindOf(refs: readonly string[]): EventKind {
  if (refs.some((r) => r.endsWith('state_event.yaml'))) return 'state';
  if (refs.some((r) => r.endsWith('room_event.yaml'))) return 'room';
  return 'other';
}

/** The event schemas of a spec tree, as {@link readEventSchemas} reads them. */
export interface EventSchemas {
  events: EventSchemaInfo[];
  schemas: Record<string, Json>;
}

/** Reads every event schema file of the spec tree (sorted by name). */
export function readEventSchemas(specDir: string): EventSchemas {
  const dataDir = join(specDir, 'data');
  const folder = join(dataDir, 'event-schemas', 'schema');
  const bundler = new Bundler(dataDir);
  const events: EventSchemaInfo[] = [];
  for (const file of readdirSync(folder).filter((n) => n.endsWith('.yaml')).sort()) {
    const path = join(folder, file);
    const raw = bundler.read(path);
    if (!isObject(raw)) continue;
    const flat = flatten(raw);
    const typeSchema = flat.properties.type;
    const declared = isObject(typeSchema) && Array.isArray(typeSchema.enum)
      ? typeSchema.enum.filter((t): t is string => typeof t === 'string')
      : [];
    // A schema that extends the event schema without declaring its `type` (m.invite_permission_config)
    // is named after its type, as every event schema file is.
    const types = declared.length === 0 && flat.refs.some((r) => r.startsWith('core-event-schema/')) && !file.includes('$')
      ? [file.replace(/\.yaml$/, '')]
      : declared;
    if (types.length === 0) continue;
    const rawContent = flat.properties.content;
    const content = rawContent === undefined ? { type: 'object' } : bundler.bundle(rawContent, path, raw);
    events.push({
      name: file.replace(/\.yaml$/, ''),
      types,
      kind: kindOf(flat.refs),
      title: flat.title,
      description: flat.description,
      content,
    });
  }
  return { events, schemas: bundler.schemas };
}

function firstSentence(text: string | undefined): string {
  if (text === undefined) return '';
  const line = text.replace(/\s+/g, ' ').trim();
  const end = line.search(/\.(\s|$)/);
  return (end >= 0 ? line.slice(0, end + 1) : line).replace(/\*\//g, '*\\/');
}

/** The text of `generated/events.ts` (without the header). */
export async function emitEvents({ events, schemas }: EventSchemas): Promise<{ text: string; count: number }> {
  const componentSchemas: JsonObject = {};
  for (const name of Object.keys(schemas).sort()) componentSchemas[name] = schemas[name]!;
  for (const [key, schema] of Object.entries(CONTENT_EXTRAS)) componentSchemas[contentExtraName(key)] = schema;
  // Relations, replacements and mentions may be in the content of any room event that is not state (codegen/overrides.ts).
  for (const e of events) componentSchemas[`content/${e.name}`] = e.kind !== 'room' || !isObject(e.content) ? e.content : withContentExtras(e.content);
  const document: JsonObject = {
    openapi: '3.1.0',
    info: { title: 'Matrix event contents', version: '1' },
    paths: {},
    components: { schemas: componentSchemas },
  };
  const types = await generateTypes(document);

  // Event type -> the schemas describing it (base first, then variants by name).
  const byType = new Map<string, EventSchemaInfo[]>();
  for (const e of events) {
    for (const t of e.types) {
      const list = byType.get(t) ?? [];
      list.push(e);
      byType.set(t, list);
    }
  }
  const sortedTypes = [...byType.keys()].sort();
  const kinds = new Map<string, EventKind>();
  const lines: string[] = [];
  lines.push('/** The content of every event type the spec defines, by event type. */');
  lines.push('export interface EventContentMap {');
  for (const t of sortedTypes) {
    const schemasOf = byType.get(t)!.sort((a, b) => {
      const av = a.name.includes('$') ? 1 : 0;
      const bv = b.name.includes('$') ? 1 : 0;
      return av - bv || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    });
    const base = schemasOf[0]!;
    kinds.set(t, schemasOf.some((s) => s.kind === 'state') ? 'state' : schemasOf.some((s) => s.kind === 'room') ? 'room' : 'other');
    const doc = [base.title, firstSentence(base.description)].filter((s) => s !== undefined && s !== '').join(': ');
    if (doc !== '') lines.push(`    /** ${doc.replace(/\*\//g, '*\\/')} */`);
    const ref = (s: EventSchemaInfo): string => `components["schemas"][${JSON.stringify(`content/${s.name}`)}]`;
    const variants = schemasOf.filter((s) => s.name.includes('$'));
    // With variants, the base schema only stands for values of the variant key outside `m.` (codegen/typed-events.ts).
    const union = [variantBase(ref(base), variantKey(variants)), ...variants.map(ref)].join(' | ');
    lines.push(`    ${JSON.stringify(t)}: ${union};`);
  }
  lines.push('}', '');
  lines.push('/** An event type the spec defines. */');
  lines.push('export type KnownEventType = keyof EventContentMap;', '');
  const state = sortedTypes.filter((t) => kinds.get(t) === 'state');
  const room = sortedTypes.filter((t) => kinds.get(t) === 'room');
  lines.push('/** The event types the spec defines as room events that are not state (timeline messages and the like). */');
  lines.push(`export type RoomEventType = ${room.map((t) => JSON.stringify(t)).join(' | ')};`, '');
  lines.push('/** The event types the spec defines as state events (they carry a `state_key`). */');
  lines.push(`export type StateEventType = ${state.map((t) => JSON.stringify(t)).join(' | ')};`, '');
  lines.push('/** The event types the spec defines as state events, at run time. */');
  lines.push(`export const STATE_EVENT_TYPES: ReadonlySet<string> = new Set<string>([${state.map((t) => JSON.stringify(t)).join(', ')}]);`, '');
  lines.push('/** How each known event type is sent: `state` (state event), `room` (room event), `other` (account data, to-device, ephemeral, presence). */');
  lines.push('export const EVENT_KINDS: Readonly<Record<KnownEventType, \'state\' | \'room\' | \'other\'>> = Object.freeze({');
  for (const t of sortedTypes) lines.push(`    ${JSON.stringify(t)}: ${JSON.stringify(kinds.get(t))},`);
  lines.push('});', '');
  return { text: types + '\n' + lines.join('\n'), count: sortedTypes.length };
}
