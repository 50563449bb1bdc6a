/**
 * Emits the fluent chain interfaces: one interface per tree node, whose members
 * point at the operation call types by route string.
 */
import { Project, type InterfaceDeclarationStructure, type OptionalKind, StructureKind, type PropertySignatureStructure, type CallSignatureDeclarationStructure } from 'ts-morph';
import { buildTree, effectiveVerbs, type RouteEntry, type TreeName, type TreeNode } from './routes.js';
import { CodegenError } from './errors.js';
import { specLink } from './jsdoc.js';
import { checkEventTypedParams, EVENT_TYPED_PRELUDE, eventParamSet, isEventTyped } from './event-chains.js';

const ROOT_NAMES: Record<Exclude<TreeName, 'appservice'>, string> = {
  api: 'ApiChain',
  media: 'MediaChain',
  wellKnown: 'WellKnownChain',
};

function escapeDoc(text: string): string {
  return text.replace(/\*\//g, '*\\/').trim();
}

function firstParagraph(text: string): string {
  const paragraph = text.split(/\n\s*\n/)[0] ?? '';
  return paragraph.replace(/\s*\n\s*/g, ' ').trim();
}

function verbDoc(entry: RouteEntry, via: 'self' | 'slash' | 'auto'): string {
  const lines = [escapeDoc(entry.summary || entry.operationId)];
  const description = firstParagraph(entry.description);
  if (description && description !== entry.summary) lines.push('', escapeDoc(description));
  lines.push('', `Route: \`${entry.route}\` (operationId \`${entry.operationId}\`).`);
  const notes: string[] = [];
  if (entry.auth === 'required') notes.push('Requires an access token.');
  if (entry.auth === 'optional') notes.push('An access token is optional.');
  if (entry.rateLimited) notes.push('Rate limited.');
  if (via === 'slash') notes.push('The path ends with a slash, which is significant.');
  if (via === 'auto') notes.push(`The \`${entry.autoParam}\` is generated and reused on every retry when left out.`);
  if (entry.fallback) notes.push(`Falls back to \`${entry.fallback}\` on servers without authenticated media.`);
  if (notes.length) lines.push(notes.join(' '));
  lines.push('', `@see ${specLink(entry)}`);
  if (entry.since) lines.push(`@since Matrix ${entry.since}`);
  if (entry.deprecated) lines.push('@deprecated Deprecated in the spec.');
  return lines.join('\n');
}

function sanitize(segment: string): string {
  if (segment === '') return '$slash';
  if (/^\{.+\}$/.test(segment)) return '$';
  return segment.replace(/[^A-Za-z0-9_]/g, '$');
}

function interfaceName(tree: Exclude<TreeName, 'appservice'>, node: TreeNode): string {
  if (node.segments.length === 0) return ROOT_NAMES[tree];
  const prefix = tree === 'wellKnown' ? 'WellKnown' : tree === 'media' ? 'Media' : 'Api';
  return `${prefix}_${node.segments.map(sanitize).join('_')}`;
}

function propertyName(segment: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(segment) ? segment : `'${segment}'`;
}

function paramName(node: TreeNode): string {
  return [...node.paramNames].sort()[0] ?? 'param';
}

/** The type arguments of a node's interface: `<C>`, or `<C, E>` at and below an event-typed parameter. */
function typeArgs(node: TreeNode): string {
  return isEventTyped(node) ? '<C, E>' : '<C>';
}

/** Interfaces of one tree, root first, then in path order. */
function treeInterfaces(tree: Exclude<TreeName, 'appservice'>, root: TreeNode): OptionalKind<InterfaceDeclarationStructure>[] {
  const out: OptionalKind<InterfaceDeclarationStructure>[] = [];
  const names = new Map<string, string>();
  const visit = (node: TreeNode): void => {
    const name = interfaceName(tree, node);
    const where = node.segments.join('/');
    const clash = names.get(name);
    if (clash !== undefined && clash !== where) throw new CodegenError(`interface name ${name} is used by ${clash} and ${where}`, 'codegen/emit-chains.ts');
    names.set(name, where);
    const properties: OptionalKind<PropertySignatureStructure>[] = [];
    for (const [verb, { entry, via }] of [...effectiveVerbs(node)].sort(([a], [b]) => (a < b ? -1 : 1))) {
      properties.push({
        name: verb.toLowerCase(),
        isReadonly: true,
        type: isEventTyped(node) ? `EventTyped<C, '${entry.route}', E>` : `C['${entry.route}']`,
        docs: [verbDoc(entry, via)],
      });
    }
    for (const [segment, child] of [...node.literals].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      properties.push({
        name: propertyName(segment),
        isReadonly: true,
        type: `${interfaceName(tree, child)}${typeArgs(child)}`,
        docs: [segment === '' ? `\`${where}/\`: the path with its trailing slash.` : `\`${[...node.segments, segment].join('/')}\``],
      });
    }
    const callSignatures: OptionalKind<CallSignatureDeclarationStructure>[] = [];
    const paramChain: TreeNode[] = [];
    for (let p = node.param; p; p = p.param) paramChain.push(p);
    if (paramChain[0]?.paramNames.has('serverName') && paramChain[1]?.paramNames.has('mediaId')) {
      // Media routes also take the content URI whole: download('mxc://server/id').
      callSignatures.push({
        parameters: [{ name: 'contentUri', type: '`mxc://${string}`' }],
        returnType: `${interfaceName(tree, paramChain[1])}${typeArgs(paramChain[1])}`,
        docs: ['Binds `{serverName}/{mediaId}` from an `mxc://` content URI.'],
      });
    }
    paramChain.forEach((target, depth) => {
      const bound = paramChain.slice(0, depth + 1);
      const params = bound.map((p) => {
        const set = eventParamSet(p);
        return { name: paramName(p), type: set === undefined ? 'string' : `EventTypeArg<E, ${set}>` };
      });
      // The call that binds an event type is generic in it; below it, the node's own E is in scope.
      const bindsEventType = !isEventTyped(node) && bound.some((p) => eventParamSet(p) !== undefined);
      callSignatures.push({
        ...(bindsEventType ? { typeParameters: [{ name: 'E', constraint: 'string' }] } : {}),
        parameters: params,
        returnType: `${interfaceName(tree, target)}${typeArgs(target)}`,
        docs: [`Binds \`${params.map((p) => `{${p.name}}`).join('/')}\`; every value is percent-encoded.`],
      });
    });
    out.push({
      kind: StructureKind.Interface,
      name,
      isExported: true,
      typeParameters: isEventTyped(node)
        ? [{ name: 'C', constraint: 'CallMap' }, { name: 'E', constraint: 'string', default: 'string' }]
        : [{ name: 'C', constraint: 'CallMap' }],
      docs: [node.segments.length === 0 ? `The \`${tree}\` chain root.` : `Chain node \`${where}\`.`],
      properties,
      callSignatures,
    });
    for (const [, child] of [...node.literals].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) visit(child);
    if (node.param) visit(node.param);
  };
  visit(root);
  return out;
}

/** The source text of `generated/chains.ts` (without the header). */
export function emitChains(entries: readonly RouteEntry[]): string {
  const project = new Project({ useInMemoryFileSystem: true });
  const file = project.createSourceFile('chains.ts', '');
  file.addImportDeclaration({ isTypeOnly: true, namedImports: ['RouteKey'], moduleSpecifier: './routes.js' });
  file.addImportDeclaration({ isTypeOnly: true, namedImports: ['KnownEventType', 'StateEventType'], moduleSpecifier: './events.js' });
  file.addTypeAlias({
    name: 'CallMap',
    isExported: true,
    type: '{ readonly [R in RouteKey]: unknown }',
    docs: ['What each route is called with: the runtime fills this map with the call signature of each operation.'],
  });
  file.addStatements(EVENT_TYPED_PRELUDE);
  checkEventTypedParams(buildTree(entries, 'api'));
  for (const tree of ['api', 'media', 'wellKnown'] as const) {
    file.addInterfaces(treeInterfaces(tree, buildTree(entries, tree)));
  }
  return file.getFullText();
}
