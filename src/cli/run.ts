/**
 * The `matrix-fluent` command: `appservice register` writes a new registration,
 * `appservice validate` checks an existing one. Exit codes: 0 done, 1 failed,
 * 2 a usage error. Tokens are written to the file, never printed.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadRegistration } from '../appservice/load-registration.js';
import { InvalidRegistrationError } from '../appservice/registration-check.js';
import { generateRegistration } from '../appservice/registration.js';
import { registrationToYaml } from '../appservice/registration-yaml.js';
import { FileExistsError, writePrivateFile } from './write-private-file.js';

/**
 * Where the command writes, and its working directory.
 *
 * @example
 * ```ts
 * const io: CliIo = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t), cwd: process.cwd() };
 * ```
 */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  cwd: string;
}

/**
 * Exit codes of the command.
 *
 * @example
 * ```ts
 * if ((await runCli(argv, io)) === EXIT.usage) console.error('see --help');
 * ```
 */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

const MAIN_HELP = `Usage: matrix-fluent <command>

Commands:
  appservice register   write a new application service registration (YAML)
  appservice validate   check a registration file as a homeserver loads it

Run 'matrix-fluent appservice register --help' for its options.
`;

const REGISTER_HELP = `Usage: matrix-fluent appservice register --id <id> --url <url|null> --server-name <name> --user-prefix <prefix> [options]

Writes a new registration with fresh random tokens (mode 0600: it holds them).
The user namespace claims @<prefix>…:<server-name> exclusively.

Options:
  --id <id>               the application service's unique id
  --url <url|null>        where the homeserver pushes to, or null for none
  --server-name <name>    the homeserver's server_name, e.g. example.org
  --user-prefix <prefix>  localpart prefix of the users it claims, e.g. _irc_
  --sender <localpart>    its own user's localpart (default: a random bot_…)
  --alias-prefix <prefix> alias localpart prefix it claims, e.g. _irc_
  -o, --output <file>     where to write (default: registration.yaml)
  --force                 replace the file if it exists
  -h, --help              show this help
`;

const VALIDATE_HELP = `Usage: matrix-fluent appservice validate <file>

Checks a registration file (YAML or JSON) as a homeserver loads it, and prints
every problem and warning. Exit code 1 when the homeserver would refuse it.
`;

class UsageError extends Error {}

async function register(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      id: { type: 'string' },
      url: { type: 'string' },
      'server-name': { type: 'string' },
      'user-prefix': { type: 'string' },
      sender: { type: 'string' },
      'alias-prefix': { type: 'string' },
      output: { type: 'string', short: 'o' },
      force: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout(REGISTER_HELP);
    return EXIT.ok;
  }
  const missing = (['id', 'url', 'server-name', 'user-prefix'] as const).filter((name) => values[name] === undefined);
  if (missing.length > 0) throw new UsageError(`missing ${missing.map((name) => `--${name}`).join(', ')}`);
  let registration;
  try {
    registration = generateRegistration({
      id: values.id!,
      url: values.url === 'null' ? null : values.url!,
      serverName: values['server-name']!,
      userPrefix: values['user-prefix'],
      senderLocalpart: values.sender,
      aliasPrefix: values['alias-prefix'],
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message.replace(/^(\w+)/, (name) => `--${flagOf(name)}`) : String(error));
  }
  const path = resolve(io.cwd, values.output ?? 'registration.yaml');
  await writePrivateFile(path, registrationToYaml(registration), { overwrite: values.force === true });
  const users = registration.namespaces.users?.map((n) => n.regex).join(', ') ?? '';
  io.stdout(
    `Wrote the registration of '${registration.id}' to ${path} (mode 0600: it holds the tokens).\n` +
      `  sender: @${registration.sender_localpart}:${values['server-name']}\n` +
      `  users:  ${users}\n` +
      `Add the file to app_service_config_files in the homeserver's config, restart it, and load the same\n` +
      `file in the application service (loadRegistration from matrix-fluent/node).\n`,
  );
  return EXIT.ok;
}

/** The command-line flag of a generateRegistration option named in an error. */
function flagOf(option: string): string {
  const flags: Record<string, string> = { id: 'id', url: 'url', serverName: 'server-name', userPrefix: 'user-prefix', senderLocalpart: 'sender', aliasPrefix: 'alias-prefix' };
  return flags[option] ?? option;
}

async function validate(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({ args, strict: true, allowPositionals: true, options: { help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    io.stdout(VALIDATE_HELP);
    return EXIT.ok;
  }
  if (positionals.length !== 1) throw new UsageError('give exactly one registration file');
  const path = resolve(io.cwd, positionals[0]!);
  try {
    const { registration, warnings } = await loadRegistration(path);
    for (const warning of warnings) io.stderr(`warning: ${warning}\n`);
    io.stdout(`${path}: the registration of '${registration.id}' is valid${warnings.length > 0 ? `, with ${warnings.length} warning(s)` : ''}.\n`);
    return EXIT.ok;
  } catch (error) {
    if (!(error instanceof InvalidRegistrationError)) throw error;
    for (const warning of error.warnings) io.stderr(`warning: ${warning}\n`);
    io.stderr(`${error.message}\n`);
    return EXIT.failed;
  }
}

/**
 * Runs the command with its arguments (without `node` and the script) and
 * resolves to the exit code.
 *
 * @example
 * ```ts
 * const code = await runCli(['appservice', 'register', '--id', 'irc', '--url', 'null', '--server-name', 'example.org', '--user-prefix', '_irc_'],
 *   { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t), cwd: process.cwd() });
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [group, command, ...rest] = argv;
  try {
    if (group === undefined || group === '--help' || group === '-h' || (group === 'appservice' && (command === undefined || command === '--help' || command === '-h'))) {
      if (group === undefined) {
        io.stderr(MAIN_HELP);
        return EXIT.usage;
      }
      io.stdout(MAIN_HELP);
      return EXIT.ok;
    }
    if (group !== 'appservice') throw new UsageError(`unknown command '${group}'`);
    if (command === 'register') return await register(rest, io);
    if (command === 'validate') return await validate(rest, io);
    throw new UsageError(`unknown command 'appservice ${command}'`);
  } catch (error) {
    // parseArgs reports unknown and malformed options with codes ERR_PARSE_ARGS_*.
    const code = (error as { code?: unknown }).code;
    if (error instanceof UsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))) {
      io.stderr(`matrix-fluent: ${(error as Error).message}\nRun 'matrix-fluent appservice ${command === 'validate' ? 'validate' : 'register'} --help' for usage.\n`);
      return EXIT.usage;
    }
    if (error instanceof FileExistsError) {
      io.stderr(`matrix-fluent: ${error.message}\n`);
      return EXIT.failed;
    }
    io.stderr(`matrix-fluent: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.failed;
  }
}
