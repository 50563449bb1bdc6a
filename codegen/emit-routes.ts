/**
 * Emits `generated/routes.ts`: the runtime route table, one row per operation.
 */
import { buildTree, effectiveVerbs, type RouteEntry, type TreeNode } from './routes.js';

const SHAPE = `/**
 * How a route is described at run time: only what the gateway and the transport
 * read. What only documents a route (summary, operationId, the version that added
 * it, deprecation, rate limiting) is in the JSDoc of the chain interfaces
 * (chains.ts) and in the operation types (client-server.ts, appservice.ts).
 */
export interface RouteInfo {
  /** HTTP method. */
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Full path template. */
  readonly path: string;
  /** Path parameter names, in template order. */
  readonly params: readonly string[];
  /** Whether the operation takes an access token. */
  readonly auth: 'required' | 'optional' | 'none';
  /** The request body: none, JSON, or bytes. */
  readonly body: 'none' | 'json' | 'binary';
  /** Whether the operation takes query parameters. */
  readonly query: boolean;
  /** Query parameters whose object values are sent exploded (\`?key=value\` per key), the spec's form style; other objects go as JSON text. */
  readonly explode?: readonly string[];
  /** The success response: none (a redirect), JSON, or bytes. */
  readonly response: 'none' | 'json' | 'binary';
  /** What a JSON success answer must be: an object with required fields (an empty body is invalid), an array, or an object that may be empty (read as \`{}\`). */
  readonly answer: 'object' | 'array' | 'object-or-empty';
  /** Repeating the call is harmless (GET, PUT, DELETE, and the POSTs of codegen/overrides.ts). */
  readonly safe: boolean;
  /** A trailing path parameter the client fills itself when the chain leaves it out. */
  readonly autoParam: string | null;
  /** For authenticated media: the legacy route used on servers without it. */
  readonly fallback: string | null;
}
`;

/**
 * The runtime row of a route: what `generated/routes.ts` holds for it, the
 * fields some file of src/ reads at run time and no other.
 */
export function routeRow(e: RouteEntry) {
  return {
    method: e.method, path: e.path, params: e.params, auth: e.auth, body: e.body, query: e.query,
    response: e.response, answer: e.answer, safe: e.safe, autoParam: e.autoParam, fallback: e.fallback,
    ...(e.explode.length > 0 ? { explode: e.explode } : {}),
  };
}

/**
 * Runtime data as a `JSON.parse` of a template literal: engines parse JSON text
 * much faster than an object literal of the same size, which is most of what
 * importing a large table costs. The text keeps one row per line, so a spec bump
 * still shows as a readable diff. Fails on text a template literal would change.
 */
export function jsonData(json: string): string {
  if (/[`\\]|\$\{/.test(json)) throw new Error('runtime data holds a backtick, a backslash or ${: it cannot be emitted as a template literal');
  return `JSON.parse(\`${json}\`)`;
}

/** The source text of `generated/routes.ts` (without the header). */
export function emitRoutes(entries: readonly RouteEntry[]): string {
  const keys = entries.map((e) => `  | ${JSON.stringify(e.route)}`).join('\n');
  const rows = entries.map((e) => `  ${JSON.stringify(e.route)}: ${JSON.stringify(routeRow(e))}`).join(',\n');
  return `${SHAPE}
/** Every route of the spec, by route key. */
export type RouteKey =
${keys};

/** The route table: the single source of truth at run time. */
export const ROUTES: { readonly [R in RouteKey]: RouteInfo } = ${jsonData(`{\n${rows}\n}`)};
`;
}

/** The source text of \`generated/operations.ts\`: operation types by route key. */
export function emitOperations(entries: readonly RouteEntry[]): string {
  const lines = entries.map((e) => {
    const module = e.area === 'application-service' ? 'AppservicePaths' : 'ClientServerPaths';
    return `  ${JSON.stringify(e.route)}: ${module}[${JSON.stringify(e.path)}][${JSON.stringify(e.method.toLowerCase())}];`;
  });
  return `import type { paths as ClientServerPaths } from './client-server.js';
import type { paths as AppservicePaths } from './appservice.js';

/** The openapi-typescript operation type of every route, by route key. */
export interface Operations {
${lines.join('\n')}
}
`;
}

/** A chain tree node as runtime data (see `ChainNode` in generated/tree.ts). */
export interface ChainData {
  v?: Record<string, string>;
  l?: Record<string, ChainData>;
  p?: ChainData;
  n?: string;
}

function chainData(node: TreeNode): ChainData {
  const out: ChainData = {};
  if (node.paramNames.size > 0) out.n = [...node.paramNames].sort()[0]!;
  const verbs = [...effectiveVerbs(node)].sort(([a], [b]) => (a < b ? -1 : 1));
  if (verbs.length > 0) out.v = Object.fromEntries(verbs.map(([m, { entry }]) => [m, entry.route]));
  const literals = [...node.literals].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (literals.length > 0) out.l = Object.fromEntries(literals.map(([segment, child]) => [segment, chainData(child)]));
  if (node.param) out.p = chainData(node.param);
  return out;
}

/** The chain trees as runtime data. */
export function chainTrees(entries: readonly RouteEntry[]): { api: ChainData; media: ChainData; wellKnown: ChainData } {
  return {
    api: chainData(buildTree(entries, 'api')),
    media: chainData(buildTree(entries, 'media')),
    wellKnown: chainData(buildTree(entries, 'wellKnown')),
  };
}

/**
 * The chain trees as compact JSON: one line per top-level segment of each root,
 * so that a spec bump shows as a diff of the segments it touched.
 */
function compactTrees(trees: Record<string, ChainData>): string {
  const roots = Object.entries(trees).map(([name, root]) => {
    const fields = Object.entries(root).map(([key, value]) => {
      if (key !== 'l') return `${JSON.stringify(key)}:${JSON.stringify(value)}`;
      const segments = Object.entries(value as Record<string, ChainData>).map(([segment, child]) => `    ${JSON.stringify(segment)}:${JSON.stringify(child)}`);
      return `"l":{\n${segments.join(',\n')}\n  }`;
    });
    return `  ${JSON.stringify(name)}:{${fields.join(',')}}`;
  });
  return `{\n${roots.join(',\n')}\n}`;
}

/** The source text of `generated/tree.ts`: the chain trees the gateway walks. */
export function emitTree(entries: readonly RouteEntry[]): string {
  const trees = chainTrees(entries);
  return `import type { RouteKey } from './routes.js';

/**
 * A node of a chain tree: \`v\` the verbs answering here (a trailing-slash child's
 * and an auto-filled parameter's included), \`l\` the literal children, \`p\` the
 * parameter child and \`n\` the name of the parameter that leads here.
 */
export interface ChainNode {
  readonly v?: { readonly GET?: RouteKey; readonly POST?: RouteKey; readonly PUT?: RouteKey; readonly DELETE?: RouteKey };
  readonly l?: { readonly [segment: string]: ChainNode };
  readonly p?: ChainNode;
  readonly n?: string;
}

/** The chain trees of \`client.api\`, \`client.media\` and \`client.wellKnown\`. */
export const CHAIN_TREES: { readonly api: ChainNode; readonly media: ChainNode; readonly wellKnown: ChainNode } = ${jsonData(compactTrees({ ...trees }))};
`;
}
