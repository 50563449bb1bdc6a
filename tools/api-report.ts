/**
 * The public API report: every name the package's entries export, each with its
 * declaration as the emitted `.d.ts` states it (comments left out), sorted, in one
 * Markdown file kept in the repository (`etc/matrix-fluent.api.md`). A test compares
 * it with what the sources declare now, so a change of the public surface shows in
 * review as a diff of that file.
 *
 *   npm run api:report           rewrites the report from the sources
 *   npm run api:report -- --check  exits 1 (printing a diff summary) when it differs
 *
 * Declarations that live in `generated/` are listed by name only: the generator and
 * its drift check govern them, and their full text would bury the hand-written surface.
 * Not shipped; the same module also answers which exports lack a JSDoc summary or an
 * `@example` (the documentation check of `test/package/public-surface.test.ts`).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';
import { PROJECT_ROOT } from '../spec/resolve.js';

/** The package's public entries: the name an app imports, and its source. */
export const PUBLIC_ENTRIES = [
  { name: 'matrix-fluent', source: 'src/index.ts' },
  { name: 'matrix-fluent/node', source: 'src/node.ts' },
] as const;

/** Where the report is kept. */
export const REPORT_PATH = join(PROJECT_ROOT, 'etc', 'matrix-fluent.api.md');

/** Where the declarations are emitted to be read back (git-ignored). */
const DTS_DIR = join(PROJECT_ROOT, '.tmp', 'api-report');

/** One exported name of an entry. */
export interface PublicExport {
  entry: string;
  name: string;
  /** The declarations as the `.d.ts` states them, comments left out; empty for generated ones. */
  text: string[];
  /** The file that declares it, relative to the project root (`src/client.ts`). */
  file: string;
  kind: string;
  /** Whether the declarations carry a prose summary and an `@example`. */
  summary: boolean;
  example: boolean;
}

/** Emits the `.d.ts` of the public entries and everything they reach into {@link DTS_DIR}. */
function emitDeclarations(): void {
  const parsed = ts.getParsedCommandLineOfConfigFile(join(PROJECT_ROOT, 'tsconfig.build.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  });
  if (parsed === undefined) throw new Error('tsconfig.build.json could not be read');
  rmSync(DTS_DIR, { recursive: true, force: true });
  const options: ts.CompilerOptions = {
    ...parsed.options,
    noEmit: false,
    declaration: true,
    emitDeclarationOnly: true,
    removeComments: false,
    outDir: DTS_DIR,
    rootDir: PROJECT_ROOT,
  };
  const program = ts.createProgram(PUBLIC_ENTRIES.map((e) => join(PROJECT_ROOT, e.source)), options);
  const result = program.emit(undefined, (fileName, text) => {
    mkdirSync(dirname(fileName), { recursive: true });
    writeFileSync(fileName, text);
  }, undefined, true);
  const errors = result.diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length > 0) {
    throw new Error(`declaration emit failed:\n${errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')).join('\n')}`);
  }
}

const KINDS: [ts.SyntaxKind, string][] = [
  [ts.SyntaxKind.ClassDeclaration, 'class'],
  [ts.SyntaxKind.InterfaceDeclaration, 'interface'],
  [ts.SyntaxKind.TypeAliasDeclaration, 'type'],
  [ts.SyntaxKind.FunctionDeclaration, 'function'],
  [ts.SyntaxKind.VariableDeclaration, 'const'],
  [ts.SyntaxKind.EnumDeclaration, 'enum'],
  [ts.SyntaxKind.ModuleDeclaration, 'namespace'],
];

function kindOf(node: ts.Node): string {
  return KINDS.find(([kind]) => kind === node.kind)?.[1] ?? ts.SyntaxKind[node.kind];
}

const printer = ts.createPrinter({ removeComments: true, newLine: ts.NewLineKind.LineFeed });

/** A declaration as the report shows it: no `export`/`declare`, no comments, 2-space indents. */
function render(node: ts.Declaration): string {
  const file = node.getSourceFile();
  let text: string;
  if (ts.isVariableDeclaration(node)) {
    const list = node.parent;
    const keyword = ts.isVariableDeclarationList(list) && (list.flags & ts.NodeFlags.Const) !== 0 ? 'const' : 'let';
    text = `${keyword} ${printer.printNode(ts.EmitHint.Unspecified, node, file)};`;
  } else {
    text = printer.printNode(ts.EmitHint.Unspecified, node, file);
  }
  return text
    .replace(/^export (declare )?(default )?/, '')
    .replace(/^declare /, '')
    .replace(/^( {4})+/gm, (indent) => ' '.repeat(indent.length / 2));
}

/** Whether a symbol's documentation has a prose summary, and an `@example`. */
function documentation(symbol: ts.Symbol, checker: ts.TypeChecker): { summary: boolean; example: boolean } {
  const summary = ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim().length > 0;
  const example = symbol.getJsDocTags(checker).some((tag) => tag.name === 'example');
  return { summary, example };
}

/**
 * Every export of the public entries, read from freshly emitted declarations.
 *
 * @example
 * ```ts
 * const undocumented = collectPublicExports().filter((e) => !e.example);
 * ```
 */
export function collectPublicExports(): PublicExport[] {
  emitDeclarations();
  const roots = PUBLIC_ENTRIES.map((e) => join(DTS_DIR, e.source.replace(/\.ts$/, '.d.ts')));
  const program = ts.createProgram(roots, { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, skipLibCheck: true, noEmit: true, types: ['node'] });
  const checker = program.getTypeChecker();
  const out: PublicExport[] = [];
  PUBLIC_ENTRIES.forEach((entry, i) => {
    const source = program.getSourceFile(roots[i]!);
    const moduleSymbol = source && checker.getSymbolAtLocation(source);
    if (moduleSymbol === undefined) throw new Error(`no module symbol for ${entry.source}`);
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const declarations = symbol.declarations ?? [];
      const first = declarations[0];
      if (first === undefined) throw new Error(`${entry.name}: '${exported.name}' has no declaration`);
      const file = relative(DTS_DIR, first.getSourceFile().fileName).replace(/\.d\.ts$/, '.ts');
      const generated = file.startsWith('generated/');
      out.push({
        entry: entry.name,
        name: exported.name,
        text: generated ? [] : declarations.map(render),
        file,
        kind: kindOf(first),
        ...documentation(symbol, checker),
      });
    }
  });
  return out;
}

/**
 * The report's text: per entry, its exports sorted by name (the node entry lists only
 * what it adds to the main one).
 *
 * @example
 * ```ts
 * writeFileSync(REPORT_PATH, formatReport(collectPublicExports()));
 * ```
 */
export function formatReport(exports: readonly PublicExport[]): string {
  const lines = [
    '# API report of matrix-fluent',
    '',
    'Generated by `npm run api:report` from the sources; do not edit. CI fails when it differs from',
    'what the entries export, so a change of the public surface shows here as a diff.',
    'Declarations from `generated/` are listed by name: the generator and its drift check govern them.',
    '',
  ];
  const main = new Set(exports.filter((e) => e.entry === PUBLIC_ENTRIES[0].name).map((e) => e.name));
  for (const entry of PUBLIC_ENTRIES) {
    const own = exports
      .filter((e) => e.entry === entry.name && (entry === PUBLIC_ENTRIES[0] || !main.has(e.name)))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    lines.push(`## ${entry.name}`, '');
    if (entry !== PUBLIC_ENTRIES[0]) lines.push(`Everything of \`${PUBLIC_ENTRIES[0].name}\`, and:`, '');
    lines.push('```ts');
    for (const e of own) {
      if (e.text.length === 0) lines.push(`${e.kind} ${e.name}; // ${e.file}`, '');
      else for (const text of e.text) lines.push(text, '');
    }
    if (lines[lines.length - 1] === '') lines.pop();
    lines.push('```', '');
  }
  return lines.join('\n');
}

/** The first lines where two texts differ, for a message. */
function firstDifferences(expected: string, actual: string, max = 20): string[] {
  const a = expected.split('\n');
  const b = actual.split('\n');
  const out: string[] = [];
  const removed = a.filter((line) => !b.includes(line));
  const added = b.filter((line) => !a.includes(line));
  for (const line of removed.slice(0, max)) out.push(`- ${line}`);
  for (const line of added.slice(0, max)) out.push(`+ ${line}`);
  return out;
}

/**
 * Compares the kept report with the sources: `undefined` when equal, else a message.
 *
 * @example
 * ```ts
 * const problem = checkReport(formatReport(collectPublicExports()));
 * ```
 */
export function checkReport(current: string): string | undefined {
  let kept = '';
  try {
    kept = readFileSync(REPORT_PATH, 'utf8');
  } catch {
    return `${relative(PROJECT_ROOT, REPORT_PATH)} is missing: run \`npm run api:report\``;
  }
  if (kept === current) return undefined;
  return [
    `The public API differs from ${relative(PROJECT_ROOT, REPORT_PATH)}. If the change is meant, run \`npm run api:report\` and commit the file.`,
    ...firstDifferences(kept, current),
  ].join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const report = formatReport(collectPublicExports());
  if (process.argv.includes('--check')) {
    const problem = checkReport(report);
    if (problem !== undefined) {
      console.error(problem);
      process.exit(1);
    }
    console.log(`${relative(PROJECT_ROOT, REPORT_PATH)} matches the sources`);
  } else {
    mkdirSync(dirname(REPORT_PATH), { recursive: true });
    writeFileSync(REPORT_PATH, report);
    console.log(`wrote ${relative(PROJECT_ROOT, REPORT_PATH)}`);
  }
}
