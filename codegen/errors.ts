/**
 * The errors codegen raises for a spec it cannot turn into the SDK as it is:
 * each says what is wrong and names the file where the fix goes, and the
 * command prints it as one line, without a stack trace.
 */

/**
 * An error whose message says it all, on one line: a command prints it without
 * a stack trace.
 *
 * @example
 * throw new CommandError('refusing to generate: the tree is not the v1.19 spec');
 */
export class CommandError extends Error {
  override readonly name: string = 'CommandError';

  constructor(message: string) {
    super(message.replace(/\s*\n\s*/g, ' '));
  }
}

/**
 * A spec the generator cannot handle as it stands (an ambiguous chain, an
 * unhandled method, a stale override), with the file where the fix goes.
 *
 * @example
 * throw new CodegenError('two routes answer GET api.x: GET /v1/x and GET /v3/x', 'codegen/routes.ts');
 */
export class CodegenError extends CommandError {
  override readonly name: string = 'CodegenError';
  /** The file where the fix goes, relative to the project root. */
  readonly fixIn: string;

  constructor(problem: string, fixIn: string) {
    super(`${problem} (fix in ${fixIn})`);
    this.fixIn = fixIn;
  }
}

/**
 * What a command prints for an error: the message alone, on one line, for a
 * {@link CommandError}; the stack for anything unexpected.
 *
 * @example
 * console.error(errorReport(error));
 */
export function errorReport(error: unknown): string {
  if (error instanceof CommandError) return `${error.name}: ${error.message}`;
  return error instanceof Error ? error.stack ?? error.message : String(error);
}
