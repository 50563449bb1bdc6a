/**
 * Compiles a bundled JSON schema into the check nodes of `generated/validators.ts`:
 * plain data (no code), one node per distinct schema, nodes referring to each
 * other by index. What a node checks: the JSON types, an enum, a Matrix string
 * format, a pattern, the required keys, the properties, the pattern properties,
 * the other properties' schema, the items, `allOf` (every one) and
 * `oneOf`/`anyOf` (at least one).
 *
 * Left out on purpose: `additionalProperties: false` (Matrix content is open:
 * a key the spec does not list is never an error), numeric bounds and lengths
 * (the spec states few and servers differ), `oneOf` exclusivity (at least one
 * member must match, not exactly one).
 */
import { componentName, isObject, type Json, type JsonObject } from './load.js';

/** One check node, as emitted (short keys: the table is shipped). */
export interface CheckNode {
  /** Accepted JSON types, one letter each: `o`bject, `a`rray, `s`tring, `i`nteger, `n`umber, `b`oolean, `z` null. */
  t?: string;
  /** A Matrix string format of `data/string-formats.yaml` (`mx-user-id`, …). */
  f?: string;
  /** A pattern (ECMAScript regular expression source) strings must match. */
  x?: string;
  /** The allowed values. */
  e?: (string | number | boolean | null)[];
  /** Required keys. */
  r?: string[];
  /** Properties: key → node. */
  p?: Record<string, number>;
  /** Pattern properties: [key pattern, node]. */
  pp?: [string, number][];
  /** The schema of the other properties' values. */
  ap?: number;
  /** The schema of array items. */
  i?: number;
  /** Nodes the value must all pass. */
  all?: number[];
  /** Nodes of which the value must pass at least one. */
  any?: number[];
  /** A discriminated choice: when `value[key]` is one of the map's keys, that node replaces this one. */
  d?: [string, Record<string, number>];
}

/** The formats the runtime checks (those of `data/string-formats.yaml` that say something checkable). */
export const CHECKED_FORMATS: ReadonlySet<string> = new Set([
  'mx-user-id', 'mx-room-id', 'mx-event-id', 'mx-room-alias', 'mx-server-name', 'mx-mxc-uri',
  'mx-unpadded-base64', 'mx-urlsafe-unpadded-base64', 'uri',
]);

const TYPE_LETTERS: Readonly<Record<string, string>> = {
  object: 'o', array: 'a', string: 's', integer: 'i', number: 'n', boolean: 'b', null: 'z',
};

/** Interns compiled nodes: equal nodes share one index, so the table stays small. */
export class CheckTable {
  readonly nodes: CheckNode[] = [];
  readonly #byText = new Map<string, number>();
  /** Component name (namespaced by its schema set) → node index, for references and cycles. */
  readonly #byRef = new Map<string, number>();
  /** References being compiled, with the placeholder made when one refers back to itself. */
  readonly #open = new Map<string, number | undefined>();
  /** Placeholder nodes: empty while their schema compiles, never to be dropped as empty. */
  readonly #placeholders = new Set<number>();

  /** Adds a node (or finds the equal one) and answers its index. */
  intern(node: CheckNode): number {
    const text = JSON.stringify(node);
    const known = this.#byText.get(text);
    if (known !== undefined) return known;
    this.nodes.push(node);
    this.#byText.set(text, this.nodes.length - 1);
    return this.nodes.length - 1;
  }

  /**
   * Compiles `schema`, whose `#/components/schemas/<name>` references resolve in
   * `components` (named `set` in the table, so two bundles never share a name).
   */
  compile(schema: Json, components: Record<string, Json>, set: string): number {
    if (!isObject(schema)) return this.intern({});
    const name = typeof schema.$ref === 'string' ? componentName(schema.$ref) : undefined;
    if (name !== undefined) {
      const key = `${set}:${name}`;
      const known = this.#byRef.get(key);
      if (known !== undefined) return known;
      if (this.#open.has(key)) {
        // A schema that refers to itself (unsigned → redacted_because → …): a placeholder, filled below.
        let placeholder = this.#open.get(key);
        if (placeholder === undefined) {
          this.nodes.push({});
          placeholder = this.nodes.length - 1;
          this.#open.set(key, placeholder);
          this.#placeholders.add(placeholder);
        }
        return placeholder;
      }
      const target = components[name];
      if (target === undefined) throw new Error(`codegen/compile-checks.ts: unresolved reference ${schema.$ref}`);
      this.#open.set(key, undefined);
      const index = this.compile(target, components, set);
      const placeholder = this.#open.get(key);
      this.#open.delete(key);
      if (placeholder !== undefined) this.nodes[placeholder] = this.nodes[index]!;
      this.#byRef.set(key, index);
      return index;
    }
    const node = this.#node(schema, components, set);
    // An `allOf` of one schema, with nothing beside it, is that schema.
    const keys = Object.keys(node);
    if (keys.length === 1 && node.all !== undefined && node.all.length === 1) return node.all[0]!;
    return this.intern(node);
  }

  #empty(index: number): boolean {
    return !this.#placeholders.has(index) && isEmpty(this.nodes[index]!);
  }

  #node(schema: JsonObject, components: Record<string, Json>, set: string): CheckNode {
    const node: CheckNode = {};
    const types = typeof schema.type === 'string' ? [schema.type] : Array.isArray(schema.type) ? schema.type.filter((t): t is string => typeof t === 'string') : [];
    const letters = types.map((t) => TYPE_LETTERS[t]).filter((l): l is string => l !== undefined).sort().join('');
    if (letters !== '') node.t = letters;
    if (typeof schema.format === 'string' && CHECKED_FORMATS.has(schema.format)) node.f = schema.format;
    if (typeof schema.pattern === 'string') node.x = checkedPattern(schema.pattern);
    const values = Array.isArray(schema.enum) ? schema.enum : 'const' in schema ? [schema.const!] : undefined;
    if (values !== undefined) node.e = values.filter((v): v is string | number | boolean | null => v === null || typeof v !== 'object');
    if (Array.isArray(schema.required)) {
      const required = schema.required.filter((k): k is string => typeof k === 'string');
      if (required.length > 0) node.r = [...new Set(required)];
    }
    if (isObject(schema.properties)) {
      const p: Record<string, number> = {};
      for (const key of Object.keys(schema.properties).sort()) {
        if (key === '__proto__') throw new Error('codegen/compile-checks.ts: a schema names the property __proto__');
        const index = this.compile(schema.properties[key]!, components, set);
        if (!this.#empty(index)) p[key] = index;
      }
      if (Object.keys(p).length > 0) node.p = p;
    }
    if (isObject(schema.patternProperties)) {
      const pp: [string, number][] = [];
      for (const key of Object.keys(schema.patternProperties).sort()) {
        const index = this.compile(schema.patternProperties[key]!, components, set);
        if (!this.#empty(index)) pp.push([checkedPattern(key), index]);
      }
      if (pp.length > 0) node.pp = pp;
    }
    if (isObject(schema.additionalProperties)) {
      const index = this.compile(schema.additionalProperties, components, set);
      if (!this.#empty(index)) node.ap = index;
    }
    if (isObject(schema.items)) {
      const index = this.compile(schema.items, components, set);
      if (!this.#empty(index)) node.i = index;
    }
    if (Array.isArray(schema.allOf)) {
      const all = schema.allOf.map((m) => this.compile(m, components, set)).filter((i) => !this.#empty(i));
      if (all.length > 0) node.all = all;
    }
    const choice = Array.isArray(schema.oneOf) ? schema.oneOf : Array.isArray(schema.anyOf) ? schema.anyOf : undefined;
    if (choice !== undefined) {
      const any = choice.map((m) => this.compile(m, components, set));
      // A member that accepts anything makes the choice accept anything.
      if (!any.some((i) => this.#empty(i))) node.any = any;
    }
    return node;
  }
}

/** Whether a node checks nothing. */
export function isEmpty(node: CheckNode): boolean {
  return Object.keys(node).length === 0;
}

/** A pattern the runtime can compile; codegen fails on one it cannot. */
function checkedPattern(source: string): string {
  try {
    new RegExp(source, 'u');
  } catch (error) {
    throw new Error(`codegen/compile-checks.ts: the spec pattern ${JSON.stringify(source)} is not a valid regular expression: ${String(error)}`);
  }
  return source;
}
