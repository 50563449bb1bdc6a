/**
 * The `matrix-fluent appservice` command: writing a registration (mode 0600,
 * never over an existing file without --force, never printing a token), checking
 * one, and the exit codes, in process and through the executable.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXIT, runCli } from '../../src/cli/run.js';
import { parseRegistration } from '../../src/index.js';
import { PROJECT_ROOT } from '../../spec/resolve.js';

const REGISTER = ['appservice', 'register', '--id', 'irc', '--url', 'http://127.0.0.1:9000', '--server-name', 'example.org', '--user-prefix', '_irc_'];

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'matrix-fluent-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { stdout: (t) => void (out += t), stderr: (t) => void (err += t), cwd: dir });
  return { code, out, err };
}

describe('appservice register', () => {
  it('writes a valid registration readable by its owner only, and prints where, not the tokens', async () => {
    const { code, out, err } = await run(...REGISTER, '--sender', 'ircbot', '--alias-prefix', '_irc_', '-o', 'reg.yaml');
    expect({ code, err }).toEqual({ code: EXIT.ok, err: '' });
    const path = join(dir, 'reg.yaml');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const { registration, warnings } = await parseRegistration(readFileSync(path, 'utf8'));
    expect(warnings).toEqual([]);
    expect(registration).toMatchObject({
      id: 'irc',
      url: 'http://127.0.0.1:9000',
      sender_localpart: 'ircbot',
      rate_limited: false,
      receive_ephemeral: true,
      namespaces: { users: [{ regex: '^@_irc_.*:example\\.org$', exclusive: true }], aliases: [{ regex: '^#_irc_.*:example\\.org$', exclusive: true }] },
    });
    expect(out).toContain(path);
    expect(out).not.toContain(registration.as_token);
    expect(out).not.toContain(registration.hs_token);
    expect(readdirSync(dir)).toEqual(['reg.yaml']);
  });

  it('writes registration.yaml by default, and url null when asked', async () => {
    expect((await run(...REGISTER.slice(0, 5), 'null', ...REGISTER.slice(6))).code).toBe(EXIT.ok);
    expect((await parseRegistration(readFileSync(join(dir, 'registration.yaml'), 'utf8'))).registration.url).toBeNull();
  });

  it('refuses to overwrite a file without --force, leaving it as it was', async () => {
    writeFileSync(join(dir, 'registration.yaml'), 'precious');
    const { code, err } = await run(...REGISTER);
    expect(code).toBe(EXIT.failed);
    expect(err).toMatch(/exists; pass --force/);
    expect(readFileSync(join(dir, 'registration.yaml'), 'utf8')).toBe('precious');
    expect(readdirSync(dir)).toEqual(['registration.yaml']);

    expect((await run(...REGISTER, '--force')).code).toBe(EXIT.ok);
    expect(readFileSync(join(dir, 'registration.yaml'), 'utf8')).toMatch(/^id: 'irc'/);
    expect(statSync(join(dir, 'registration.yaml')).mode & 0o777).toBe(0o600);
  });

  it.each([
    ['missing options', ['appservice', 'register', '--id', 'irc'], /missing --url, --server-name, --user-prefix/],
    ['an unknown option', [...REGISTER, '--bogus'], /Unknown option '--bogus'/],
    ['an option without its value', [...REGISTER.slice(0, -1)], /user-prefix/],
    ['a URL that is not one', [...REGISTER.slice(0, 5), 'localhost', ...REGISTER.slice(6)], /--url must be an http\(s\) URL or null/],
    ['a prefix that is no localpart', [...REGISTER.slice(0, -1), '_IRC_'], /--user-prefix '_IRC_' may only hold/],
    ['an unknown command', ['appservice', 'unregister'], /unknown command 'appservice unregister'/],
    ['an unknown group', ['bridge'], /unknown command 'bridge'/],
  ])('exits 2 with a clear message for %s, writing nothing', async (_name, argv, message) => {
    const { code, err, out } = await run(...argv);
    expect(code).toBe(EXIT.usage);
    expect(err).toMatch(message);
    expect(out).toBe('');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('prints its help with exit code 0', async () => {
    const { code, out } = await run('appservice', 'register', '--help');
    expect(code).toBe(EXIT.ok);
    expect(out).toMatch(/--user-prefix <prefix>/);
    expect((await run('--help')).out).toMatch(/appservice register/);
    expect((await run()).code).toBe(EXIT.usage);
  });
});

describe('appservice validate', () => {
  it('accepts a written registration', async () => {
    await run(...REGISTER, '-o', 'reg.yaml');
    const { code, out } = await run('appservice', 'validate', 'reg.yaml');
    expect(code).toBe(EXIT.ok);
    expect(out).toMatch(/the registration of 'irc' is valid\./);
  });

  it('lists every problem and warning with exit code 1, quoting no token', async () => {
    writeFileSync(join(dir, 'bad.yaml'), "id: irc\nas_token: SECRET1\nhs_token: SECRET1\nsender_localpart: 'a b'\n");
    const { code, err } = await run('appservice', 'validate', 'bad.yaml');
    expect(code).toBe(EXIT.failed);
    expect(err).toMatch(/- url: is missing/);
    expect(err).toMatch(/- hs_token: must differ from as_token/);
    expect(err).toMatch(/- sender_localpart: 'a b' holds characters/);
    expect(err).toMatch(/- namespaces: is missing/);
    expect(err).toMatch(/warning: as_token: is short/);
    expect(err).not.toContain('SECRET1');
  });

  it('exits 2 without a file, and 1 for a file that is not there', async () => {
    expect((await run('appservice', 'validate')).code).toBe(EXIT.usage);
    const missing = await run('appservice', 'validate', 'nope.yaml');
    expect(missing.code).toBe(EXIT.failed);
    expect(missing.err).toMatch(/ENOENT/);
  });
});

describe('the matrix-fluent executable', () => {
  const exec = promisify(execFile);
  const main = join(PROJECT_ROOT, 'src', 'cli', 'main.ts');
  // tsx's loader by absolute URL: the command runs in a temporary directory without node_modules.
  const tsx = pathToFileURL(join(PROJECT_ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
  const node = (args: string[]) => exec(process.execPath, ['--import', tsx, main, ...args], { cwd: dir, env: { ...process.env, NODE_OPTIONS: '' } });

  it('starts with a node shebang and is the package bin', () => {
    expect(readFileSync(main, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
    const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(pkg.bin).toEqual({ 'matrix-fluent': './dist/src/cli/main.js' });
  });

  it('writes a registration and exits 0, and exits 2 on a usage error', { timeout: 30_000 }, async () => {
    const ok = await node([...REGISTER, '-o', 'out.yaml']);
    expect(ok.stdout).toContain(join(dir, 'out.yaml'));
    expect(statSync(join(dir, 'out.yaml')).mode & 0o777).toBe(0o600);
    const failure = await node(['appservice', 'register']).catch((error: { code: number; stderr: string }) => error);
    expect(failure).toMatchObject({ code: 2 });
    expect((failure as { stderr: string }).stderr).toMatch(/missing --id, --url/);
  });
});
