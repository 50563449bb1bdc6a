/**
 * Emits `generated/routes.ts`: the runtime route table, one row per operation.
 */
import { buildTree, effectiveVerbs, type RouteEntry, type TreeNode } from './routes.js';

const SHAPE = `/** How a route is described at run time. */
export interface RouteInfo {
  /** HTTP method. */
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Full path template. */
  readonly path: string;
  /** The spec's operationId. */
  readonly operationId: string;
  /** Path parameter names, in template order. */
  readonly params: readonly string[];
  /** The version segment of the path (\`v3\`, \`v1\`), or null. */
  readonly version: string | null;
  /** Whether the operation takes an access token. */
  readonly auth: 'required' | 'optional' | 'none';
  /** The request body: none, JSON, or bytes. */
  readonly body: 'none' | 'json' | 'binary';
  /** Whether the request body is required. */
  readonly bodyRequired: boolean;
  /** Whether the operation takes query parameters. */
  readonly query: boolean;
  /** The success response: none (a redirect), JSON, or bytes. */
  readonly response: 'none' | 'json' | 'binary';
  /** The spec declares a 429 answer. Any call may be rate limited all the same. */
  readonly rateLimited: boolean;
  /** Deprecated in the spec. */
  readonly deprecated: boolean;
  /** The Matrix version that added it, when the spec says. */
  readonly since: string | null;
  /** Repeating the call is harmless (GET, PUT, DELETE, and the POSTs of codegen/overrides.ts). */
  readonly safe: boolean;
  /** A trailing path parameter the client fills itself when the chain leaves it out. */
  readonly autoParam: string | null;
  /** For authenticated media: the legacy route used on servers without it. */
  readonly fallback: string | null;
}
`;

/** The runtime row of a route: what `generated/routes.ts` holds for it. */
export function routeRow(e: RouteEntry) {
  return {
    method: e.method, path: e.path, operationId: e.operationId, params: e.params, version: e.version,
    auth: e.auth, body: e.body, bodyRequired: e.bodyRequired, query: e.query, response: e.response, rateLimited: e.rateLimited,
    deprecated: e.deprecated, since: e.since, safe: e.safe, autoParam: e.autoParam, fallback: e.fallback,
  };
}

/** The source text of `generated/routes.ts` (without the header). */
export function emitRoutes(entries: readonly RouteEntry[]): string {
  const keys = entries.map((e) => `  | ${JSON.stringify(e.route)}`).join('\n');
  const rows = entries.map((e) => `  ${JSON.stringify(e.route)}: ${JSON.stringify(routeRow(e))},`).join('\n');
  return `${SHAPE}
/** Every route of the spec, by route key. */
export type RouteKey =
${keys};

/** The route table: the single source of truth at run time. */
export const ROUTES: { readonly [R in RouteKey]: RouteInfo } = {
${rows}
};
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
export const CHAIN_TREES: { readonly api: ChainNode; readonly media: ChainNode; readonly wellKnown: ChainNode } = ${JSON.stringify(trees, null, 2)};
`;
}
