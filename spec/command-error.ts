/**
 * Errors the project's commands (spec:fetch, spec:bump, generate) print without
 * a stack trace, because their message says all there is to say.
 */

/**
 * An error whose message says it all: a command prints it without a stack trace.
 *
 * @example
 * throw new CommandError('refusing to generate: the tree is not the v1.19 spec');
 */
export class CommandError extends Error {
  override readonly name: string = 'CommandError';

  constructor(message: string) {
    super(message);
  }
}

/**
 * What a command prints for an error: the message alone for a
 * {@link CommandError}; the stack for anything unexpected.
 *
 * @example
 * main().catch((error: unknown) => { console.error(errorReport(error)); process.exit(1); });
 */
export function errorReport(error: unknown): string {
  if (error instanceof CommandError) return `${error.name}: ${error.message}`;
  return error instanceof Error ? error.stack ?? error.message : String(error);
}
