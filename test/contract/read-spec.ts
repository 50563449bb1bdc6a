/**
 * An independent reading of the spec tree for the contract test: it shares no
 * code with codegen/, so a generator bug cannot hide behind itself.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/** One operation as the spec states it. */
export interface SpecOp {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  area: 'client-server' | 'application-service';
  deprecated: boolean;
  body: 'none' | 'json' | 'binary';
}

/** The HTTP methods OpenAPI allows besides the four the spec uses. */
const OTHER_METHODS = ['head', 'options', 'patch', 'trace', 'query'];

/** Every operation of an area, overload keys (trailing spaces) trimmed and merged; fails on any other method. */
export function readSpecOps(specDir: string, area: SpecOp['area']): SpecOp[] {
  const folder = join(specDir, 'data', 'api', area);
  const ops = new Map<string, SpecOp>();
  for (const name of readdirSync(folder).filter((n) => n.endsWith('.yaml'))) {
    const doc = parse(readFileSync(join(folder, name), 'utf8')) as {
      servers?: { variables?: { basePath?: { default?: string } } }[];
      paths?: Record<string, Record<string, { deprecated?: boolean; requestBody?: { $ref?: string; content?: Record<string, unknown> } }>>;
    };
    const local = (ref: string): { content?: Record<string, unknown> } =>
      ref.slice(2).split('/').reduce<any>((node, key) => node?.[key], doc) ?? {};
    const base = doc.servers?.[0]?.variables?.basePath?.default ?? '';
    for (const [key, item] of Object.entries(doc.paths ?? {})) {
      // A method this reader does not drive would drop its operation silently: fail instead.
      const unhandled = Object.keys(item).filter((k) => OTHER_METHODS.includes(k.toLowerCase()));
      if (unhandled.length > 0) {
        throw new Error(`${area}/${name}: ${unhandled.map((m) => m.toUpperCase()).join(', ')} ${base}${key.trim()} is a method the contract test does not handle (test/contract/read-spec.ts)`);
      }
      for (const method of ['get', 'put', 'post', 'delete']) {
        const op = item[method];
        if (!op) continue;
        const path = base + key.trim();
        const requestBody = op.requestBody?.$ref?.startsWith('#/') ? local(op.requestBody.$ref) : op.requestBody;
        const types = Object.keys(requestBody?.content ?? {});
        const upper = method.toUpperCase() as SpecOp['method'];
        const existing = ops.get(`${upper} ${path}`);
        ops.set(`${upper} ${path}`, {
          method: upper,
          path,
          area,
          deprecated: (existing?.deprecated ?? true) && op.deprecated === true,
          body: types.length === 0 ? existing?.body ?? 'none' : types.includes('application/json') ? 'json' : 'binary',
        });
      }
    }
  }
  return [...ops.values()];
}

/** How the client reaches a path: the tree and the chain segments below its root. */
export function chainsFor(path: string): { tree: 'api' | 'media' | 'wellKnown'; segments: string[] }[] {
  const out: { tree: 'api' | 'media' | 'wellKnown'; segments: string[] }[] = [];
  let m = /^\/_matrix\/client\/(?:v\d+\/)?(.*)$/.exec(path);
  if (m) {
    out.push({ tree: 'api', segments: m[1]!.split('/') });
    const media = /^media\/(.*)$/.exec(m[1]!);
    if (media && /^\/_matrix\/client\/v\d+\//.test(path)) out.push({ tree: 'media', segments: media[1]!.split('/') });
  }
  if ((m = /^\/_matrix\/media\/v\d+\/(.*)$/.exec(path))) out.push({ tree: 'media', segments: m[1]!.split('/') });
  if ((m = /^\/\.well-known\/(.*)$/.exec(path))) out.push({ tree: 'wellKnown', segments: m[1]!.split('/') });
  return out;
}
