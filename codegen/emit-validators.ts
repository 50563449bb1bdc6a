/**
 * Generates `generated/validators.ts`: the checks of every event type the spec
 * defines, as a data table (no code, no schema library at run time) that the
 * opt-in `matrix-fluent/validation` entry runs.
 *
 * How: the content schema of each event schema file (as {@link readEventSchemas}
 * bundles it for the types) and the envelopes of `core-event-schema/` (event,
 * room event, state event, with and without `room_id` as `/sync` sends them) are
 * compiled by {@link CheckTable} into interned check nodes. An event type with
 * variant files (`m.room.message$m.text`, …) gets a discriminated node: the
 * variant for its value of the discriminating key, the base schema for any
 * other value. The content of a room event that is not state also gets the
 * relation, replacement and mention keys of {@link CONTENT_EXTRAS}, as its type does.
 * What an event schema says of the event's own keys beyond the envelope
 * (`state_key` patterns, `redacts`, a presence's `sender`) becomes a third node.
 */
import { join } from 'node:path';
import { Bundler, isObject, type Json, type JsonObject } from './load.js';
import type { EventKind, EventSchemaInfo, EventSchemas } from './emit-events.js';
import { variantKey } from './typed-events.js';
import { CONTENT_EXTRAS, contentExtraName, withContentExtras } from './overrides.js';
import { CheckTable, type CheckNode } from './compile-checks.js';

/**
 * Formats the validators add to {@link CONTENT_EXTRAS} (which carry none, being
 * written for the types): the event a relation or a reply points at is an event id.
 */
const EXTRA_FORMATS: Readonly<Record<string, (schema: JsonObject) => void>> = {
  'm.relates_to': (schema) => {
    const properties = schema.properties as JsonObject;
    (properties.event_id as JsonObject).format = 'mx-event-id';
    ((properties['m.in_reply_to'] as JsonObject).properties as JsonObject).event_id = { type: 'string', format: 'mx-event-id' };
  },
};

/**
 * Where the validators accept more than an event schema says, because the spec's
 * own prose or what servers really send is wider (under `drop`, a false finding
 * loses a membership or keeps a room in a space): patched into copies of the
 * content schemas, by event type or by shared component. Codegen fails when one
 * no longer finds what it patches.
 */
const CONTENT_TOLERANCES: Readonly<Record<string, { readonly reason: string; readonly apply: (schema: JsonObject) => void }>> = {
  'm.room.member': {
    reason: 'Synapse sends `"avatar_url": null` in the membership of a user without an avatar (`displayname` is nullable in the spec already).',
    apply: (schema) => nullable(schema, 'avatar_url'),
  },
  'm.room.canonical_alias': {
    reason: 'The spec: "If [alias is] not present, null, or empty the room should be considered to have no canonical alias."',
    apply(schema) {
      const alias = property(schema, 'alias');
      (schema.properties as JsonObject).alias = { anyOf: [alias, { type: 'null' }, { type: 'string', enum: [''] }] };
    },
  },
  'm.room.name': {
    reason: 'The spec: "an `m.room.name` event with an absent, null, or empty `name` field" means no room name; it is how a name is removed.',
    apply: (schema) => optionalNullable(schema, 'name'),
  },
  'm.room.topic': {
    reason: 'The spec: "If the `topic` property is absent, null, or empty then the topic is unset."',
    apply: (schema) => optionalNullable(schema, 'topic'),
  },
  'm.space.child': {
    reason: 'The spec: "When [via is] not present or invalid, the child room is not considered to be part of the space"; `{}` is how a child is removed.',
    apply: (schema) => unchecked(schema, 'via'),
  },
  'm.space.parent': {
    reason: 'The spec: "When [via is] not present or invalid, the room is not considered to be part of the parent space".',
    apply: (schema) => unchecked(schema, 'via'),
  },
  'm.room.power_levels': {
    reason: 'Rooms of versions 1 to 9 may hold power levels as strings of integers ("50"); only version 10 made integers a rule.',
    apply(schema) {
      if (integerStrings(schema) === 0) throw new Error('m.room.power_levels has no integer left');
    },
  },
  'events/core-event-schema/call_event': {
    reason: 'The spec: `version` "was an integer in the previous spec version and implementations must accept an integer 0"; those calls have no `party_id`.',
    apply(schema) {
      widen(schema, 'version', 'integer');
      if (!Array.isArray(schema.required) || !schema.required.includes('party_id')) throw new Error('call_event does not require party_id any more');
      schema.required = schema.required.filter((key) => key !== 'party_id');
    },
  },
};

function property(schema: JsonObject, key: string): JsonObject {
  const value = isObject(schema.properties) ? schema.properties[key] : undefined;
  if (!isObject(value)) throw new Error(`codegen/emit-validators.ts: a tolerance finds no property ${key} any more`);
  return value;
}

/** Adds `type` to the JSON types of property `key`. */
function widen(schema: JsonObject, key: string, type: string): void {
  const target = property(schema, key);
  if (typeof target.type !== 'string') throw new Error(`codegen/emit-validators.ts: ${key} has no single type any more`);
  target.type = [target.type, type];
}

/** Makes property `key` nullable. */
function nullable(schema: JsonObject, key: string): void {
  widen(schema, key, 'null');
}

/** Makes property `key` nullable and not required. */
function optionalNullable(schema: JsonObject, key: string): void {
  nullable(schema, key);
  if (!Array.isArray(schema.required) || !schema.required.includes(key)) throw new Error(`codegen/emit-validators.ts: ${key} is not required any more`);
  schema.required = schema.required.filter((k) => k !== key);
}

/** Leaves property `key` unchecked: neither required nor typed. */
function unchecked(schema: JsonObject, key: string): void {
  property(schema, key);
  delete (schema.properties as JsonObject)[key];
  if (Array.isArray(schema.required)) schema.required = schema.required.filter((k) => k !== key);
}

/** Lets every integer in `schema` be a string of an integer too; answers how many it changed. */
function integerStrings(schema: Json): number {
  if (Array.isArray(schema)) return schema.reduce((sum: number, item) => sum + integerStrings(item), 0);
  if (!isObject(schema)) return 0;
  let changed = 0;
  if (schema.type === 'integer') {
    schema.type = ['integer', 'string'];
    schema.pattern = '^[+-]?[0-9]+$';
    changed++;
  }
  for (const [key, value] of Object.entries(schema)) if (key !== 'example' && key !== 'examples') changed += integerStrings(value);
  return changed;
}

/** A copy of `schema` with the tolerance of `name`, if any, applied. */
function tolerated(name: string, schema: Json): Json {
  const tolerance = Object.hasOwn(CONTENT_TOLERANCES, name) ? CONTENT_TOLERANCES[name] : undefined;
  if (tolerance === undefined) return schema;
  if (!isObject(schema)) throw new Error(`codegen/emit-validators.ts: ${name} is not a schema object any more`);
  const copy = structuredClone(schema);
  tolerance.apply(copy);
  return copy;
}

/**
 * The event's own keys an event schema file declares beside the core schema it
 * extends (in itself and its inline `allOf` members): `state_key`, `redacts`,
 * `sender`, `unsigned`; not `type` and `content`, which the envelope and the
 * content node check.
 */
function ownKeys(raw: JsonObject): JsonObject | undefined {
  const properties: JsonObject = {};
  const required = new Set<string>();
  const visit = (node: JsonObject): void => {
    if (Array.isArray(node.allOf)) for (const m of node.allOf) if (isObject(m) && m.$ref === undefined) visit(m);
    if (isObject(node.properties)) {
      for (const [key, value] of Object.entries(node.properties)) if (key !== 'type' && key !== 'content' && !(key in properties)) properties[key] = value;
    }
    if (Array.isArray(node.required)) for (const key of node.required) if (typeof key === 'string' && key !== 'type' && key !== 'content') required.add(key);
  };
  visit(raw);
  if (Object.keys(properties).length === 0 && required.size === 0) return undefined;
  return { type: 'object', properties, ...(required.size > 0 ? { required: [...required].sort() } : {}) };
}

/** The envelope schemas, by the name the runtime uses. */
const ENVELOPES: Readonly<Record<string, string>> = {
  event: 'event.yaml',
  room: 'room_event.yaml',
  state: 'state_event.yaml',
  syncRoom: 'sync_room_event.yaml',
  syncState: 'sync_state_event.yaml',
};

function byName(a: EventSchemaInfo, b: EventSchemaInfo): number {
  const av = a.name.includes('$') ? 1 : 0;
  const bv = b.name.includes('$') ? 1 : 0;
  return av - bv || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/** The content schemas' components: the bundled files and the content extras (with their formats). */
function contentComponents(schemas: Record<string, Json>): Record<string, Json> {
  const components: Record<string, Json> = {};
  for (const [name, schema] of Object.entries(schemas)) components[name] = tolerated(name, schema);
  for (const [key, schema] of Object.entries(CONTENT_EXTRAS)) {
    const copy = structuredClone(schema);
    EXTRA_FORMATS[key]?.(copy);
    components[contentExtraName(key)] = copy;
  }
  return components;
}

/** The value a variant fixes its discriminating key to. */
function variantValue(variant: EventSchemaInfo, key: string): string {
  const content = variant.content;
  const property = isObject(content) && isObject(content.properties) ? content.properties[key] : undefined;
  const value = isObject(property) && Array.isArray(property.enum) ? property.enum[0] : undefined;
  if (typeof value !== 'string') throw new Error(`codegen/emit-validators.ts: the variant ${variant.name} fixes no string value of ${key}`);
  return value;
}

/** The text of `generated/validators.ts` (without the header), and its counts. */
export function emitValidators(specDir: string, { events, schemas }: EventSchemas): { text: string; types: number; nodes: number } {
  const names = new Set([...events.map((e) => e.name), ...Object.keys(schemas)]);
  for (const name of Object.keys(CONTENT_TOLERANCES)) if (!names.has(name)) throw new Error(`codegen/emit-validators.ts: no event schema ${name} to tolerate any more`);
  const components = contentComponents(schemas);
  const table = new CheckTable();

  const envelopes: Record<string, number> = {};
  const dataDir = join(specDir, 'data');
  const schemaDir = join(dataDir, 'event-schemas', 'schema');
  const coreDir = join(schemaDir, 'core-event-schema');
  const coreBundler = new Bundler(dataDir);
  for (const [name, file] of Object.entries(ENVELOPES)) {
    const path = join(coreDir, file);
    const raw = coreBundler.read(path);
    envelopes[name] = table.compile(coreBundler.bundle(raw, path, raw), coreBundler.schemas, 'core');
  }

  const byType = new Map<string, EventSchemaInfo[]>();
  for (const e of events) for (const t of e.types) byType.set(t, [...(byType.get(t) ?? []), e]);
  const rows: string[] = [];
  const compileContent = (e: EventSchemaInfo): number => {
    const content = tolerated(e.name, e.content);
    return table.compile(e.kind === 'room' && isObject(content) ? withContentExtras(content) : content, components, 'content');
  };
  for (const type of [...byType.keys()].sort()) {
    const list = byType.get(type)!.sort(byName);
    const base = list[0]!;
    const kind: EventKind = list.some((s) => s.kind === 'state') ? 'state' : list.some((s) => s.kind === 'room') ? 'room' : 'other';
    const variants = list.filter((s) => s.name.includes('$'));
    let index = compileContent(base);
    const key = variantKey(variants);
    if (key !== undefined) {
      const map: Record<string, number> = {};
      for (const v of variants) map[variantValue(v, key)] = compileContent(v);
      const sorted = Object.fromEntries(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
      index = table.intern({ ...table.nodes[index]!, d: [key, sorted] });
    }
    const path = join(schemaDir, `${base.name}.yaml`);
    const raw = coreBundler.read(path);
    const own = isObject(raw) ? ownKeys(raw) : undefined;
    const top = own === undefined ? '' : `, ${table.compile(coreBundler.bundle(own, path, raw), coreBundler.schemas, 'core')}`;
    rows.push(`    ${JSON.stringify(type)}: [${JSON.stringify(kind)}, ${index}${top}],`);
  }

  const lines: string[] = [];
  lines.push(
    '/**',
    ' * One check of the event validation table (plain data: `matrix-fluent/validation` runs it).',
    ' * Nodes refer to each other by their index in {@link EVENT_CHECK_NODES}.',
    ' */',
    'export interface CheckNode {',
    '    /** Accepted JSON types, one letter each: `o`bject, `a`rray, `s`tring, `i`nteger, `n`umber, `b`oolean, `z` null. */',
    '    readonly t?: string;',
    '    /** A string format of the spec\'s `data/string-formats.yaml` (`mx-user-id`, `mx-room-id`, …). */',
    '    readonly f?: string;',
    '    /** A regular expression (source) a string must match. */',
    '    readonly x?: string;',
    '    /** The allowed values. */',
    '    readonly e?: readonly (string | number | boolean | null)[];',
    '    /** Required keys. */',
    '    readonly r?: readonly string[];',
    '    /** Properties: key → node. */',
    '    readonly p?: { readonly [key: string]: number };',
    '    /** Pattern properties: [key pattern, node]. */',
    '    readonly pp?: readonly (readonly [string, number])[];',
    '    /** The node of the values of the other properties. */',
    '    readonly ap?: number;',
    '    /** The node of array items. */',
    '    readonly i?: number;',
    '    /** Nodes the value must all pass. */',
    '    readonly all?: readonly number[];',
    '    /** Nodes of which the value must pass at least one. */',
    '    readonly any?: readonly number[];',
    '    /** A discriminated choice: when `value[key]` is a key of the map, that node replaces this one. */',
    '    readonly d?: readonly [string, { readonly [value: string]: number }];',
    '}',
    '',
    '/** How an event type is sent: a state event, a room event, or another event (account data, to-device, ephemeral). */',
    'export type CheckedEventKind = "state" | "room" | "other";',
    '',
    `/** The check nodes of every event type the spec defines (${table.nodes.length} nodes). */`,
    'export const EVENT_CHECK_NODES: readonly CheckNode[] = [',
  );
  table.nodes.forEach((node: CheckNode, i) => lines.push(`    /* ${i} */ ${JSON.stringify(node)},`));
  lines.push('];', '');
  lines.push(
    '/** The envelope node of each event shape: `sync…` are the shapes of `/sync`, without `room_id`. */',
    `export const EVENT_ENVELOPE_CHECKS = ${JSON.stringify(envelopes)} as const;`,
    '',
    '/**',
    ' * Each event type the spec defines: how it is sent, the node of its content, and the node of the',
    ' * event\'s own keys its schema adds to the envelope (`state_key` patterns, `redacts`, …), if any.',
    ' */',
    'export const EVENT_CONTENT_CHECKS: { readonly [type: string]: readonly [CheckedEventKind, number, number?] } = Object.freeze({',
    ...rows,
    '});',
    '',
  );
  return { text: lines.join('\n'), types: rows.length, nodes: table.nodes.length };
}
