/**
 * Turns the merged operations into the runtime route table and the chain trees.
 */
import { componentName, isObject, type Json, type JsonObject } from './load.js';
import type { Method, SpecOperation } from './model.js';
import { GENERATED_PARAMS, SAFE_POSTS } from './overrides.js';
import { CodegenError } from './errors.js';
import { explodedQueryParams } from './query-style.js';

/** The chain trees a client exposes, and the appservice tree the receiver uses. */
export const TREES = ['api', 'media', 'wellKnown', 'appservice'] as const;
/** One of {@link TREES}. */
export type TreeName = (typeof TREES)[number];

/** One row of the runtime route table. */
export interface RouteEntry {
  route: string;
  method: Uppercase<Method>;
  path: string;
  operationId: string;
  params: string[];
  version: string | null;
  auth: 'required' | 'optional' | 'none';
  body: 'none' | 'json' | 'binary';
  bodyRequired: boolean;
  /** Whether the operation takes query parameters. */
  query: boolean;
  /** Query parameters whose object values are sent exploded, one parameter per key (codegen/query-style.ts). */
  explode: string[];
  response: 'json' | 'binary' | 'none';
  /** What a JSON success answer must be: an object with required fields, an array, or an object that may be empty. */
  answer: 'object' | 'array' | 'object-or-empty';
  rateLimited: boolean;
  deprecated: boolean;
  since: string | null;
  safe: boolean;
  /** A trailing parameter the client can fill itself. */
  autoParam: string | null;
  /** The chain of this route in each tree that holds it, e.g. `{ api: 'rooms/{roomId}/ban' }`. */
  chains: Partial<Record<TreeName, string>>;
  /** For an authenticated media route: the legacy route to use on servers without it. */
  fallback: string | null;
  /** For the docs: summary, description and the spec area. */
  summary: string;
  description: string;
  area: 'client-server' | 'application-service';
}

function contentTypes(node: Json | undefined): string[] {
  return isObject(node) && isObject(node.content) ? Object.keys(node.content) : [];
}

function authOf(operation: JsonObject): RouteEntry['auth'] {
  const security = operation.security;
  if (!Array.isArray(security) || security.length === 0) return 'none';
  return security.some((s) => isObject(s) && Object.keys(s).length === 0) ? 'optional' : 'required';
}

/** The chains of a full path in each tree, before legacy media is folded under its successor. */
function chainsOf(path: string): Partial<Record<TreeName, string>> {
  let m: RegExpExecArray | null;
  if ((m = /^\/_matrix\/client\/v\d+\/media\/(.+)$/.exec(path))) return { api: `media/${m[1]}`, media: m[1]! };
  if ((m = /^\/_matrix\/client\/(?:v\d+\/)?(.+)$/.exec(path))) return { api: m[1]! };
  if ((m = /^\/_matrix\/media\/v\d+\/(.+)$/.exec(path))) return { media: m[1]! };
  if ((m = /^\/\.well-known\/(.+)$/.exec(path))) return { wellKnown: m[1]! };
  if ((m = /^\/_matrix\/app\/v\d+\/(.+)$/.exec(path))) return { appservice: m[1]! };
  throw new CodegenError(`no chain tree holds ${path}: add a rule to chainsOf()`, 'codegen/routes.ts');
}

/** Normalises param names away, so `rooms/{roomId}` and `rooms/{id}` are the same node. */
export function chainShape(chain: string): string {
  return chain.replace(/\{[^}]+\}/g, '{}');
}

/** Builds the route table rows, sorted by route. Fails loudly on an ambiguous chain. */
export function buildRouteTable(operations: readonly SpecOperation[], area: RouteEntry['area'], schemas: JsonObject = {}): RouteEntry[] {
  const entries: RouteEntry[] = operations.map((op) => {
    const { operation, path, method } = op;
    const params = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
    const requestTypes = contentTypes(operation.requestBody);
    const responses = isObject(operation.responses) ? operation.responses : {};
    const success = Object.keys(responses).filter((s) => /^2\d\d$/.test(s)).sort()[0];
    const successTypes = success ? contentTypes(responses[success]) : [];
    const version = /\/(v\d+)(?:\/|$)/.exec(path)?.[1] ?? null;
    const last = params[params.length - 1];
    const since = operation['x-addedInMatrixVersion'];
    return {
      route: op.route,
      method: method.toUpperCase() as Uppercase<Method>,
      path,
      operationId: String(operation.operationId),
      params,
      version,
      auth: authOf(operation),
      body: requestTypes.length === 0 ? 'none' : requestTypes.includes('application/json') ? 'json' : 'binary',
      bodyRequired: isObject(operation.requestBody) && operation.requestBody.required === true,
      query: Array.isArray(operation.parameters) && operation.parameters.some((p) => isObject(p) && p.in === 'query'),
      explode: explodedQueryParams(operation),
      response: successTypes.length === 0 ? 'none' : successTypes.includes('application/json') ? 'json' : 'binary',
      answer: answerOf(success === undefined ? undefined : responses[success], schemas),
      rateLimited: '429' in responses,
      deprecated: operation.deprecated === true,
      since: since === undefined || since === null ? null : String(since),
      safe: method !== 'post' || op.route in SAFE_POSTS,
      autoParam: last !== undefined && path.endsWith(`/{${last}}`) && last in GENERATED_PARAMS ? last : null,
      chains: chainsOf(path),
      fallback: null,
      summary: typeof operation.summary === 'string' ? operation.summary : '',
      description: typeof operation.description === 'string' ? operation.description : '',
      area,
    };
  });
  foldLegacyMedia(entries);
  checkUnambiguous(entries);
  return entries.sort((a, b) => (a.route < b.route ? -1 : a.route > b.route ? 1 : 0));
}

/**
 * What the JSON success answer of an operation must be, from its schema:
 * `'array'` for an array, `'object'` when some member of an object (through
 * `allOf`, or in every branch of a `oneOf`/`anyOf`) is required, else
 * `'object-or-empty'`. `$ref`s are followed through the bundled `schemas`.
 */
export function answerOf(response: Json | undefined, schemas: JsonObject): RouteEntry['answer'] {
  const json = isObject(response) && isObject(response.content) ? response.content['application/json'] : undefined;
  const schema = isObject(json) ? json.schema : undefined;
  if (isObject(resolveRef(schema, schemas)) && resolveRef(schema, schemas)!.type === 'array') return 'array';
  return hasRequired(schema, schemas, 0) ? 'object' : 'object-or-empty';
}

function resolveRef(schema: Json | undefined, schemas: JsonObject): JsonObject | undefined {
  let node = schema;
  for (let hops = 0; hops < 16 && isObject(node) && typeof node.$ref === 'string'; hops++) {
    const name = componentName(node.$ref);
    node = name === undefined ? undefined : schemas[name];
  }
  return isObject(node) ? node : undefined;
}

function hasRequired(schema: Json | undefined, schemas: JsonObject, depth: number): boolean {
  const node = resolveRef(schema, schemas);
  if (node === undefined || depth > 16) return false;
  if (Array.isArray(node.required) && node.required.length > 0) return true;
  if (Array.isArray(node.allOf) && node.allOf.some((part) => hasRequired(part, schemas, depth + 1))) return true;
  for (const key of ['oneOf', 'anyOf'] as const) {
    const branches = node[key];
    if (Array.isArray(branches) && branches.length > 0 && branches.every((part) => hasRequired(part, schemas, depth + 1))) return true;
  }
  return false;
}

/** A legacy media route with an authenticated twin leaves the media tree and becomes its fallback. */
function foldLegacyMedia(entries: RouteEntry[]): void {
  const authed = new Map<string, RouteEntry>();
  for (const e of entries) {
    if (e.chains.media !== undefined && e.chains.api !== undefined) authed.set(`${e.method} ${chainShape(e.chains.media)}`, e);
  }
  for (const e of entries) {
    if (e.chains.media === undefined || e.chains.api !== undefined) continue;
    const twin = authed.get(`${e.method} ${chainShape(e.chains.media)}`);
    if (twin) {
      twin.fallback = e.route;
      delete e.chains.media;
    }
  }
}

function checkUnambiguous(entries: readonly RouteEntry[]): void {
  const seen = new Map<string, string>();
  for (const e of entries) {
    for (const [tree, chain] of Object.entries(e.chains)) {
      const key = `${tree} ${e.method} ${chainShape(chain)}`;
      const other = seen.get(key);
      if (other) {
        throw new CodegenError(`two routes answer ${e.method} ${tree}.${chain}: ${other} and ${e.route}; choose one with a rule in chainsOf()`, 'codegen/routes.ts');
      }
      seen.set(key, e.route);
    }
  }
}

/** A node of a chain tree. */
export interface TreeNode {
  /** Literal children by segment ('' is a trailing slash). */
  literals: Map<string, TreeNode>;
  /** The parameter child, when any. */
  param: TreeNode | undefined;
  /** Names the parameter edge into this node has in the routes below it. */
  paramNames: Set<string>;
  /** Routes answering at this node, by method. */
  verbs: Map<Uppercase<Method>, RouteEntry>;
  /** Segments from the root: literal names, or `{name}` for params. */
  segments: string[];
}

function newNode(segments: string[]): TreeNode {
  return { literals: new Map(), param: undefined, paramNames: new Set(), verbs: new Map(), segments };
}

/** Builds one chain tree from the route table. */
export function buildTree(entries: readonly RouteEntry[], tree: TreeName): TreeNode {
  const root = newNode([]);
  for (const e of entries) {
    const chain = e.chains[tree];
    if (chain === undefined) continue;
    let node = root;
    for (const segment of chain.split('/')) {
      const param = /^\{(.+)\}$/.exec(segment);
      if (param) {
        node.param ??= newNode([...node.segments, `{${param[1]}}`]);
        node = node.param;
        node.paramNames.add(param[1]!);
      } else {
        let child = node.literals.get(segment);
        if (!child) node.literals.set(segment, (child = newNode([...node.segments, segment])));
        node = child;
      }
    }
    node.verbs.set(e.method, e);
  }
  return root;
}

/** The verbs a node offers: its own, a trailing-slash child's, and an auto-filled param child's. */
export function effectiveVerbs(node: TreeNode): Map<Uppercase<Method>, { entry: RouteEntry; via: 'self' | 'slash' | 'auto' }> {
  const out = new Map<Uppercase<Method>, { entry: RouteEntry; via: 'self' | 'slash' | 'auto' }>();
  for (const [m, entry] of node.verbs) out.set(m, { entry, via: 'self' });
  const slash = node.literals.get('');
  for (const [m, entry] of slash?.verbs ?? []) if (!out.has(m)) out.set(m, { entry, via: 'slash' });
  for (const [m, entry] of node.param?.verbs ?? []) {
    if (entry.autoParam !== null && !out.has(m)) out.set(m, { entry, via: 'auto' });
  }
  for (const m of out.keys()) {
    if (node.literals.has(m.toLowerCase())) {
      throw new CodegenError(`${node.segments.join('/')}: the literal segment '${m.toLowerCase()}' clashes with the verb of the same name; give one of them another chain in chainsOf()`, 'codegen/routes.ts');
    }
  }
  return out;
}
