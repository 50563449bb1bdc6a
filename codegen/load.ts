/**
 * Reads the spec's YAML documents and bundles their `$ref`s.
 *
 * A reference to another file becomes a named component schema
 * (`#/components/schemas/<name>`), so shared definitions stay one type; a
 * reference inside a file (`#/components/...`) is inlined.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { isScalar, parseDocument, visit } from 'yaml';
import { cleanDocumentProse } from './jsdoc.js';

/** A JSON-like value as read from YAML. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
/** A JSON object. */
export type JsonObject = { [key: string]: Json };

/** One API document of the spec tree, its references bundled. */
export interface ApiDocument {
  /** Path relative to `data/api`, e.g. `client-server/banning.yaml`. */
  file: string;
  /** `servers[0].variables.basePath.default`. */
  basePath: string;
  doc: JsonObject;
}

/** Every API document of an area plus the schemas their file references named. */
export interface LoadedArea {
  documents: ApiDocument[];
  /** Component schemas hoisted from referenced files, by name. */
  schemas: Record<string, Json>;
}

export function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const COMPONENT_PREFIX = '#/components/schemas/';

/** The `$ref` of the component schema `name` (escaped as a JSON Pointer segment: `~` as `~0`, `/` as `~1`). */
export function componentRef(name: string): string {
  return COMPONENT_PREFIX + name.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** The component schema name a `$ref` points at; undefined for a reference elsewhere. */
export function componentName(ref: string): string | undefined {
  if (!ref.startsWith(COMPONENT_PREFIX)) return undefined;
  return ref.slice(COMPONENT_PREFIX.length).replace(/~1/g, '/').replace(/~0/g, '~');
}

function readYaml(file: string): Json {
  const document = parseDocument(readFileSync(file, 'utf8'));
  // `x-addedInMatrixVersion: 1.10` is an unquoted number in places: keep the
  // text as written, or 1.10 would read as 1.1.
  visit(document, {
    Pair(_, pair) {
      if (isScalar(pair.key) && String(pair.key.value).startsWith('x-') && isScalar(pair.value)
        && typeof pair.value.value === 'number' && pair.value.source !== undefined) {
        pair.value.value = pair.value.source;
      }
    },
  });
  const json = document.toJS() as Json;
  cleanDocumentProse(json); // the site's shortcodes become plain words, once for every emitter
  return json;
}

function pointer(root: Json, fragment: string): Json {
  let node: Json = root;
  for (const raw of fragment.replace(/^\//, '').split('/')) {
    if (raw === '') continue;
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) node = node[Number(key)] as Json;
    else if (isObject(node)) node = node[key] as Json;
    else node = undefined as unknown as Json;
    if (node === undefined) throw new Error(`unresolved JSON pointer #${fragment}`);
  }
  return node;
}

/** Bundles references for all the documents of one folder of `data/api`. */
export class Bundler {
  private readonly cache = new Map<string, Json>();
  /** Referenced file (absolute) → schema name. */
  private readonly names = new Map<string, string>();
  readonly schemas: Record<string, Json> = {};
  private readonly dataDir: string;

  constructor(dataDir: string) {
    this.dataDir = dataDir;
  }

  read(file: string): Json {
    let doc = this.cache.get(file);
    if (doc === undefined) {
      doc = readYaml(file);
      this.cache.set(file, doc);
    }
    return doc;
  }

  /** A readable, unique, stable component name for a referenced file. */
  private nameFor(file: string): string {
    const known = this.names.get(file);
    if (known) return known;
    const rel = relative(this.dataDir, file).split(sep).join('/').replace(/\.yaml$/, '');
    // api/client-server/definitions/client_event -> client_event;
    // event-schemas/schema/core-event-schema/room_event -> core-event-schema/room_event
    const short = rel
      .replace(/^api\/client-server\/definitions\//, '')
      .replace(/^api\/application-service\/definitions\//, 'appservice/')
      .replace(/^api\/identity\/definitions\//, 'identity/')
      .replace(/^api\/client-server\//, '')
      .replace(/^event-schemas\/schema\//, 'events/')
      .replace(/^schemas\//, '');
    const taken = new Set(this.names.values());
    let name = short;
    for (let n = 2; taken.has(name); n++) name = `${short}_${n}`;
    this.names.set(file, name);
    return name;
  }

  /**
   * Returns a copy of `node` (found in `file`, under the root document `root`)
   * with file references hoisted and local references inlined.
   */
  bundle(node: Json, file: string, root: Json, stack: string[] = [], isPropertyMap = false): Json {
    if (Array.isArray(node)) return node.map((item) => this.bundle(item, file, root, stack));
    if (!isObject(node)) return node;
    const ref = node.$ref;
    if (typeof ref === 'string') {
      const [target = '', fragment = ''] = ref.split('#');
      if (target === '') {
        const key = `${file}#${fragment}`;
        if (stack.includes(key)) throw new Error(`reference cycle through ${key}`);
        const siblings = Object.fromEntries(Object.entries(node).filter(([k]) => k !== '$ref'));
        const resolved = this.bundle(pointer(root, fragment), file, root, [...stack, key]);
        return isObject(resolved) ? { ...resolved, ...siblings } : resolved;
      }
      const targetFile = resolve(dirname(file), target);
      const targetRoot = this.read(targetFile);
      if (fragment) {
        // A part of another file (security schemes and the like): inline it.
        return this.bundle(pointer(targetRoot, fragment), targetFile, targetRoot, stack);
      }
      const name = this.nameFor(targetFile);
      if (!(name in this.schemas)) {
        this.schemas[name] = {}; // reserve first: files may refer to each other
        this.schemas[name] = this.bundle(targetRoot, targetFile, targetRoot, stack);
      }
      const siblings = Object.fromEntries(Object.entries(node).filter(([k]) => k !== '$ref'));
      const refNode: JsonObject = { $ref: componentRef(name) };
      return Object.keys(siblings).length > 0 ? { allOf: [refNode], ...siblings } : refNode;
    }
    const out: JsonObject = {};
    for (const [key, value] of Object.entries(node)) {
      // Examples are documentation only, and some point at files outside the API tree.
      if (!isPropertyMap && (key === 'example' || key === 'examples')) continue;
      out[key] = this.bundle(value, file, root, stack, key === 'properties' && !isPropertyMap);
    }
    return out;
  }
}

/** Loads and bundles every document of `data/api/<area>` (sorted by file name). */
export function loadArea(specDir: string, area: 'client-server' | 'application-service', bundler?: Bundler): LoadedArea {
  const dataDir = join(specDir, 'data');
  const folder = join(dataDir, 'api', area);
  const b = bundler ?? new Bundler(dataDir);
  const documents: ApiDocument[] = [];
  for (const name of readdirSync(folder).filter((n) => n.endsWith('.yaml')).sort()) {
    const file = join(folder, name);
    const raw = b.read(file);
    if (!isObject(raw) || !isObject(raw.paths)) continue;
    const servers = raw.servers;
    const first = Array.isArray(servers) ? servers[0] : undefined;
    const variables = isObject(first) && isObject(first.variables) ? first.variables : undefined;
    const basePathVar = variables && isObject(variables.basePath) ? variables.basePath.default : undefined;
    if (typeof basePathVar !== 'string') throw new Error(`${area}/${name}: no servers[0].variables.basePath.default`);
    const doc = b.bundle(raw, file, raw) as JsonObject;
    documents.push({ file: `${area}/${basename(file)}`, basePath: basePathVar, doc });
  }
  return { documents, schemas: b.schemas };
}
