/**
 * The errors codegen raises for a spec it cannot turn into the SDK as it is:
 * each says what is wrong and names the file where the fix goes, and the
 * command prints it as one line, without a stack trace.
 */
import { CommandError } from '../spec/command-error.js';

export { CommandError, errorReport } from '../spec/command-error.js';

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
    super(`${problem.replace(/\s*\n\s*/g, ' ')} (fix in ${fixIn})`);
    this.fixIn = fixIn;
  }
}
