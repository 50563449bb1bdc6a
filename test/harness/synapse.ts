/**
 * Real-homeserver test harness: installs Synapse from PyPI into a project-local
 * virtualenv and runs throwaway, single-process, SQLite-backed homeservers bound
 * to 127.0.0.1 for end-to-end tests.
 *
 * Only node builtins are used so that it works from vitest's globalSetup, from
 * inside test workers and from plain `tsx` scripts alike.
 *
 * @module
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHmac, generateKeyPairSync, randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The exact matrix-synapse version installed from PyPI (wheel for CPython >= 3.10, abi3). */
export const SYNAPSE_VERSION = '1.163.2';

/** Absolute path of the repository root (two levels above this file). */
export const REPO_ROOT: string = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');

/** Default location of the project-local Synapse virtualenv (git-ignored via `.venv/`). */
export const DEFAULT_VENV_DIR: string = join(REPO_ROOT, '.venv', 'synapse');

/** Application service id written into the registration file. */
export const APPSERVICE_ID = 'matrix-fluent-test';

const MARKER_FILE = '.matrix-fluent-synapse-version';
const MIN_PYTHON: readonly [number, number] = [3, 10];

function log(message: string): void {
  process.stderr.write(`[synapse-harness] ${message}\n`);
}

function randomToken(bytes = 24): string {
  return randomBytes(bytes).toString('hex');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---------------------------------------------------------------------------
// Installation
// ---------------------------------------------------------------------------

/** Options for {@link ensureSynapse}. */
export interface EnsureSynapseOptions {
  /** Python interpreter used to create the virtualenv (default: `$SYNAPSE_PYTHON` or `python3`). */
  pythonBin?: string | undefined;
  /** Virtualenv directory (default: `<repo>/.venv/synapse`). */
  venvDir?: string | undefined;
  /** matrix-synapse version to pin (default: {@link SYNAPSE_VERSION}). */
  version?: string | undefined;
  /** Reinstall even if the marker says the pinned version is present. */
  force?: boolean | undefined;
}

/** Result of {@link ensureSynapse}. */
export interface SynapseInstall {
  /** Absolute path of the virtualenv's python interpreter. */
  python: string;
  /** The installed matrix-synapse version. */
  version: string;
}

function checkHostPython(pythonBin: string): void {
  const probe = spawnSync(
    pythonBin,
    [
      '-c',
      'import sys, json\n' +
        'try:\n import venv, ensurepip\n ok = True\nexcept Exception:\n ok = False\n' +
        'print(json.dumps({"v": list(sys.version_info[:2]), "venv": ok}))',
    ],
    { encoding: 'utf8' },
  );
  if (probe.error || probe.status !== 0) {
    throw new Error(
      `Synapse harness: could not run "${pythonBin}" (${probe.error?.message ?? probe.stderr.trim()}). ` +
        `Install Python >= ${MIN_PYTHON.join('.')} with venv support, e.g. \`apt-get install python3 python3-venv\`, ` +
        'or point $SYNAPSE_PYTHON at a suitable interpreter.',
    );
  }
  const info = JSON.parse(probe.stdout.trim()) as { v: [number, number]; venv: boolean };
  const [major, minor] = info.v;
  if (major < MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor < MIN_PYTHON[1])) {
    throw new Error(
      `Synapse harness: "${pythonBin}" is Python ${major}.${minor}; Synapse needs Python >= ${MIN_PYTHON.join('.')}. ` +
        'Install a newer python3 (e.g. `apt-get install python3 python3-venv` on a recent Debian) or set $SYNAPSE_PYTHON.',
    );
  }
  if (!info.venv) {
    throw new Error(
      `Synapse harness: "${pythonBin}" lacks the venv/ensurepip modules needed to create a virtualenv. ` +
        'Install them, e.g. `apt-get install python3-venv` (Debian/Ubuntu).',
    );
  }
}

function runStreaming(cmd: string, args: readonly string[], label: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    let tail = '';
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      tail = (tail + text).slice(-4000);
      for (const line of text.split('\n')) {
        if (line.trim()) log(`${label}: ${line.trimEnd()}`);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (err) => reject(new Error(`Synapse harness: failed to run ${cmd}: ${err.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`Synapse harness: ${label} failed (code ${code}, signal ${signal}).\n${tail}`));
    });
  });
}

async function withInstallLock<T>(venvDir: string, fn: () => Promise<T>): Promise<T> {
  const lockDir = `${venvDir}.lock`;
  mkdirSync(join(venvDir, '..'), { recursive: true });
  const deadline = Date.now() + 20 * 60_000;
  for (;;) {
    try {
      mkdirSync(lockDir);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let age = 0;
      try {
        age = Date.now() - statSync(lockDir).mtimeMs;
      } catch {
        continue;
      }
      if (age > 15 * 60_000) {
        log(`removing stale install lock ${lockDir}`);
        rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`Synapse harness: timed out waiting for install lock ${lockDir}`);
      await sleep(1000);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

/**
 * Make sure the pinned matrix-synapse is installed in the project-local virtualenv
 * (`<repo>/.venv/synapse`). Idempotent and cached via a marker file holding the pinned
 * version; if the pin changes the virtualenv is rebuilt. Prints progress to stderr.
 *
 * @throws Error with install instructions if Python >= 3.10 with venv/pip is unavailable.
 */
export async function ensureSynapse(options: EnsureSynapseOptions = {}): Promise<SynapseInstall> {
  const venvDir = options.venvDir ?? DEFAULT_VENV_DIR;
  const version = options.version ?? SYNAPSE_VERSION;
  const python = join(venvDir, 'bin', 'python');
  const marker = join(venvDir, MARKER_FILE);
  const installed = (): boolean =>
    !options.force && existsSync(python) && existsSync(marker) && readFileSync(marker, 'utf8').trim() === version;
  if (installed()) return { python, version };

  return withInstallLock(venvDir, async () => {
    if (installed()) return { python, version }; // another process finished meanwhile
    const pythonBin = options.pythonBin ?? process.env['SYNAPSE_PYTHON'] ?? 'python3';
    checkHostPython(pythonBin);
    const started = Date.now();
    if (existsSync(venvDir)) {
      log(`removing outdated virtualenv ${venvDir}`);
      rmSync(venvDir, { recursive: true, force: true });
    }
    log(`creating virtualenv ${venvDir} with ${pythonBin}`);
    await runStreaming(pythonBin, ['-m', 'venv', venvDir], 'venv');
    log(`installing matrix-synapse==${version} from PyPI (this takes a minute)...`);
    await runStreaming(
      python,
      ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '--prefer-binary', `matrix-synapse==${version}`],
      'pip',
    );
    const check = spawnSync(
      python,
      // synapse.__version__ appends git info when the venv sits inside a git checkout.
      ['-c', 'import importlib.metadata as m, synapse; print(m.version("matrix-synapse"))'],
      { encoding: 'utf8' },
    );
    const got = check.stdout.trim();
    if (check.status !== 0 || got !== version) {
      throw new Error(`Synapse harness: installed synapse reports version "${got}" (${check.stderr.trim()}), expected ${version}`);
    }
    writeFileSync(marker, `${version}\n`);
    log(`matrix-synapse ${version} installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return { python, version };
  });
}

// ---------------------------------------------------------------------------
// Admin API helpers usable from anywhere (e.g. inside vitest workers)
// ---------------------------------------------------------------------------

/** Options for {@link registerUser}. */
export interface RegisterUserOptions {
  /** Localpart; a random unique `user_<hex>` by default. */
  localpart?: string | undefined;
  /** Password; random by default. */
  password?: string | undefined;
  /** Make the user a server admin. */
  admin?: boolean | undefined;
  /** Display name to set at registration. */
  displayname?: string | undefined;
}

/** A freshly registered user with a logged-in device. */
export interface RegisteredUser {
  /** Full Matrix user id, e.g. `@user_ab12:localhost`. */
  userId: string;
  /** Access token for the user's new device. */
  accessToken: string;
  /** The device id of that access token. */
  deviceId: string;
  /** The password the user was registered with. */
  password: string;
  /** The localpart of {@link RegisteredUser.userId}. */
  localpart: string;
}

/** Throttling parameters for {@link overrideRatelimit}. */
export interface RatelimitOverride {
  /**
   * Sustained event-send rate. Synapse only accepts a non-negative *integer* here (1 is the
   * tightest real throttle), and 0 means the user is exempt from *all* ratelimiters.
   */
  messagesPerSecond: number;
  /** Burst allowance (non-negative integer). */
  burstCount: number;
}

async function expectJson<T>(res: Response, what: string): Promise<T> {
  const text = await res.text();
  if (!res.ok) throw new Error(`Synapse harness: ${what} failed: HTTP ${res.status} ${text}`);
  return (text ? JSON.parse(text) : {}) as T;
}

/**
 * Register a user through Synapse's shared-secret admin API
 * (`GET`/`POST /_synapse/admin/v1/register`, HMAC-SHA1 over
 * `nonce\0username\0password\0admin|notadmin`). Works from any process given the
 * homeserver's base URL and `registration_shared_secret`.
 */
export async function registerUser(
  baseUrl: string,
  sharedSecret: string,
  options: RegisterUserOptions = {},
): Promise<RegisteredUser> {
  const base = baseUrl.replace(/\/$/, '');
  const localpart = options.localpart ?? `user_${randomToken(6)}`;
  const password = options.password ?? randomToken(12);
  const admin = options.admin ?? false;
  const { nonce } = await expectJson<{ nonce: string }>(
    await fetch(`${base}/_synapse/admin/v1/register`),
    'GET /_synapse/admin/v1/register',
  );
  const mac = createHmac('sha1', sharedSecret)
    .update(`${nonce}\0${localpart}\0${password}\0${admin ? 'admin' : 'notadmin'}`)
    .digest('hex');
  const body: Record<string, unknown> = { nonce, username: localpart, password, admin, mac };
  if (options.displayname !== undefined) body['displayname'] = options.displayname;
  const res = await expectJson<{ user_id: string; access_token: string; device_id: string }>(
    await fetch(`${base}/_synapse/admin/v1/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }),
    `registering ${localpart}`,
  );
  return { userId: res.user_id, accessToken: res.access_token, deviceId: res.device_id, password, localpart };
}

const adminCache = new Map<string, Promise<RegisteredUser>>();

/**
 * Return (registering lazily, once per process and homeserver) a server-admin user.
 */
export function getAdminUser(baseUrl: string, sharedSecret: string): Promise<RegisteredUser> {
  const key = baseUrl.replace(/\/$/, '');
  let admin = adminCache.get(key);
  if (!admin) {
    admin = registerUser(key, sharedSecret, { admin: true, localpart: `admin_${randomToken(6)}` });
    admin.catch(() => adminCache.delete(key));
    adminCache.set(key, admin);
  }
  return admin;
}

/**
 * Set a per-user ratelimit override (`POST /_synapse/admin/v1/users/<userId>/override_ratelimit`)
 * using a lazily registered admin. It governs the user's event sends (rc_message), so a test can
 * throttle one user (e.g. `{ messagesPerSecond: 1, burstCount: 1 }`, then send several events
 * back to back) and meet a real `429 M_LIMIT_EXCEEDED`. Both values must be non-negative
 * integers (Synapse rejects fractions with 400), and `messagesPerSecond: 0` exempts the user
 * from all ratelimiting instead of blocking it.
 */
export async function overrideRatelimit(
  baseUrl: string,
  sharedSecret: string,
  userId: string,
  override: RatelimitOverride,
): Promise<void> {
  for (const [name, value] of Object.entries(override)) {
    if (!Number.isInteger(value) || value < 0) {
      throw new Error(`Synapse harness: override_ratelimit ${name} must be a non-negative integer, got ${value}`);
    }
  }
  const base = baseUrl.replace(/\/$/, '');
  const admin = await getAdminUser(base, sharedSecret);
  await expectJson(
    await fetch(`${base}/_synapse/admin/v1/users/${encodeURIComponent(userId)}/override_ratelimit`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ messages_per_second: override.messagesPerSecond, burst_count: override.burstCount }),
    }),
    `override_ratelimit for ${userId}`,
  );
}

/**
 * Remove a per-user ratelimit override (`DELETE .../override_ratelimit`), restoring the
 * server-wide (very permissive) test defaults.
 */
export async function clearRatelimitOverride(baseUrl: string, sharedSecret: string, userId: string): Promise<void> {
  const base = baseUrl.replace(/\/$/, '');
  const admin = await getAdminUser(base, sharedSecret);
  await expectJson(
    await fetch(`${base}/_synapse/admin/v1/users/${encodeURIComponent(userId)}/override_ratelimit`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${admin.accessToken}` },
    }),
    `clearing override_ratelimit for ${userId}`,
  );
}

// ---------------------------------------------------------------------------
// Running a homeserver
// ---------------------------------------------------------------------------

/** Options for {@link startSynapse}. */
export interface StartSynapseOptions extends EnsureSynapseOptions {
  /**
   * URL Synapse pushes appservice transactions to; `null`/absent disables pushing. A receiver
   * on 127.0.0.1 needs a port chosen before the homeserver starts: take one from {@link freePort}.
   */
  appserviceUrl?: string | null | undefined;
  /**
   * Ask for ephemeral data in transactions: `receive_ephemeral: true` (the stable `ephemeral`
   * key) and `de.sorunome.msc2409.push_ephemeral: true` (the unstable one) in the registration.
   */
  appserviceEphemeral?: boolean | undefined;
  /**
   * Also turn on the unstable transaction extensions: the homeserver's experimental
   * `msc2409_to_device_messages_enabled` (to-device messages) and `msc3202_transaction_extensions`
   * (device lists, one-time-key counts, fallback key types), and `org.matrix.msc3202: true` in the
   * registration. Implies {@link StartSynapseOptions.appserviceEphemeral}.
   */
  appserviceExperimental?: boolean | undefined;
  /** `server_name`; default `localhost`. */
  serverName?: string | undefined;
  /** Port to bind on 127.0.0.1; default: a free one. */
  port?: number | undefined;
  /** Start-up timeout in ms; default 90 000. */
  timeoutMs?: number | undefined;
  /** Python log level for the homeserver log file; default `WARNING`. */
  logLevel?: string | undefined;
  /** Extra top-level homeserver.yaml settings, merged last. */
  extraConfig?: Record<string, unknown> | undefined;
}

/** A running throwaway homeserver. */
export interface SynapseHandle {
  /** e.g. `http://127.0.0.1:38211` (no trailing slash). */
  readonly baseUrl: string;
  /** The homeserver's `server_name`. */
  readonly serverName: string;
  /** The `registration_shared_secret` (for {@link registerUser} from other processes). */
  readonly registrationSharedSecret: string;
  /** The application service's `as_token`. */
  readonly asToken: string;
  /** The application service's `hs_token`. */
  readonly hsToken: string;
  /** Localpart prefix of the appservice's exclusive user namespace, e.g. `fluent_`. */
  readonly appserviceUserPrefix: string;
  /** The appservice sender, e.g. `@fluentbot:localhost`. */
  readonly senderUserId: string;
  /** The application service registration the homeserver loaded (id, url, tokens, namespaces, flags). */
  readonly appserviceRegistration: Readonly<Record<string, unknown>>;
  /** Milliseconds from spawning the process to `/health` answering 200. */
  readonly startupMs: number;
  /** PID of the homeserver process. */
  readonly pid: number;
  /** Temp directory holding config, database, media and logs (removed by stop). */
  readonly dataDir: string;
  /** Path of the homeserver log file. */
  readonly logFile: string;
  /** Register a user via the shared-secret admin API. */
  registerUser(options?: RegisterUserOptions): Promise<RegisteredUser>;
  /** Override one user's event-send ratelimit (lazily registers an admin). */
  overrideRatelimit(userId: string, override: RatelimitOverride): Promise<void>;
  /** Remove one user's ratelimit override. */
  clearRatelimitOverride(userId: string): Promise<void>;
  /** Resident set size of the homeserver process in bytes (from /proc/<pid>/status VmRSS). */
  memoryRssBytes(): Promise<number>;
  /** SIGTERM, wait up to 10 s, SIGKILL; remove the temp dir. Idempotent. */
  stop(): Promise<void>;
}

interface LiveServer {
  child: ChildProcess;
  dir: string;
}

const live = new Set<LiveServer>();
let cleanupInstalled = false;

function cleanupSync(): void {
  for (const server of live) {
    try {
      if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
    } catch {
      /* already gone */
    }
    try {
      rmSync(server.dir, { recursive: true, force: true });
    } catch {
      /* best effort */
    }
  }
  live.clear();
}

function installCleanupHandlers(): void {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.once('exit', cleanupSync);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      // Others (vitest, the CLI) may handle the signal and stop() gracefully; the 'exit'
      // hook is the backstop. If nobody else listens (including a repeated Ctrl-C after a
      // once-listener fired), clean up synchronously and die the default way.
      if (process.listeners(signal).some((listener) => listener !== onSignal)) return;
      cleanupSync();
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

/**
 * A TCP port on 127.0.0.1 that was free a moment ago (the kernel picked it, then it was released).
 * Used to give a receiver its address before the homeserver that pushes to it starts.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('could not determine a free port'))));
    });
  });
}

/** `ed25519 <key id> <unpadded base64 seed>`, the format of Synapse's signing key file. */
function generateSigningKey(): string {
  const { privateKey } = generateKeyPairSync('ed25519');
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  const seed = der.subarray(der.length - 32);
  return `ed25519 a_${randomToken(2)} ${seed.toString('base64').replace(/=+$/, '')}\n`;
}

const HIGH = { per_second: 100_000, burst_count: 1_000_000 };

function buildConfig(p: {
  dir: string;
  port: number;
  serverName: string;
  baseUrl: string;
  sharedSecret: string;
  logLevel: string;
}): { homeserver: Record<string, unknown>; logConfig: Record<string, unknown> } {
  const homeserver: Record<string, unknown> = {
    server_name: p.serverName,
    public_baseurl: `${p.baseUrl}/`,
    pid_file: join(p.dir, 'homeserver.pid'),
    report_stats: false,
    listeners: [
      {
        port: p.port,
        bind_addresses: ['127.0.0.1'],
        type: 'http',
        tls: false,
        x_forwarded: false,
        resources: [{ names: ['client'], compress: false }],
      },
    ],
    database: { name: 'sqlite3', args: { database: join(p.dir, 'homeserver.db') } },
    log_config: join(p.dir, 'log.config.yaml'),
    media_store_path: join(p.dir, 'media_store'),
    signing_key_path: join(p.dir, 'signing.key'),
    macaroon_secret_key: randomToken(),
    form_secret: randomToken(),
    registration_shared_secret: p.sharedSecret,
    enable_registration: false,
    bcrypt_rounds: 4,
    presence: { enabled: false },
    federation_domain_whitelist: [],
    trusted_key_servers: [],
    suppress_key_server_warning: true,
    enable_authenticated_media: true,
    url_preview_enabled: false,
    max_upload_size: '100M',
    enable_metrics: false,
    app_service_config_files: [join(p.dir, 'appservice.yaml')],
    user_directory: { enabled: true, search_all_users: true },
    // Ratelimits: effectively off, so tests only meet 429s they ask for via override_ratelimit.
    rc_message: HIGH,
    rc_registration: HIGH,
    rc_registration_token_validity: HIGH,
    rc_login: { address: HIGH, account: HIGH, failed_attempts: HIGH },
    rc_admin_redaction: HIGH,
    rc_joins: { local: HIGH, remote: HIGH },
    rc_joins_per_room: HIGH,
    rc_3pid_validation: HIGH,
    rc_invites: { per_room: HIGH, per_user: HIGH, per_issuer: HIGH },
    rc_third_party_invite: HIGH,
    rc_media_create: HIGH,
    rc_federation: { window_size: 1000, sleep_limit: 100_000, sleep_delay: 1, reject_limit: 100_000, concurrent: 100_000 },
    rc_presence: { per_user: HIGH },
    rc_delayed_event_mgmt: HIGH,
    rc_reports: HIGH,
    rc_room_creation: HIGH,
    rc_key_requests: HIGH,
    rc_user_directory: HIGH,
    rc_profile: HIGH,
  };
  const logConfig = {
    version: 1,
    formatters: { precise: { format: '%(asctime)s - %(name)s - %(lineno)d - %(levelname)s - %(message)s' } },
    handlers: {
      file: { class: 'logging.FileHandler', formatter: 'precise', filename: join(p.dir, 'homeserver.log'), encoding: 'utf8' },
    },
    root: { level: p.logLevel, handlers: ['file'] },
    disable_existing_loggers: false,
  };
  return { homeserver, logConfig };
}

// Runs the homeserver and watches stdin: when the parent dies (even by SIGKILL) the pipe
// closes, and the homeserver removes its temp dir and exits instead of being orphaned.
const BOOTSTRAP = `
import os, sys, threading, shutil, runpy
_tmp = os.environ.get("MATRIX_FLUENT_SYNAPSE_DIR")
def _watch():
    try:
        while sys.stdin.buffer.read(65536):
            pass
    except Exception:
        pass
    if _tmp:
        shutil.rmtree(_tmp, ignore_errors=True)
    os._exit(0)
threading.Thread(target=_watch, name="parent-watchdog", daemon=True).start()
sys.argv = ["synapse.app.homeserver"] + sys.argv[1:]
runpy.run_module("synapse.app.homeserver", run_name="__main__", alter_sys=True)
`;

async function tail(file: string, lines = 40): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Start a throwaway Synapse (installing it first if needed): fresh temp dir, SQLite,
 * one HTTP listener on 127.0.0.1, no federation, ratelimits raised very high, an
 * application service registered. Resolves once `GET /health` answers 200.
 */
export async function startSynapse(options: StartSynapseOptions = {}): Promise<SynapseHandle> {
  const { python } = await ensureSynapse(options);
  installCleanupHandlers();
  const dir = await mkdtemp(join(tmpdir(), 'matrix-fluent-synapse-'));
  const appservicePort = options.appserviceUrl ? Number(new URL(options.appserviceUrl).port) : 0;
  let port = options.port ?? (await freePort());
  // Two released ports can coincide: never give the homeserver the receiver's.
  while (options.port === undefined && port === appservicePort) port = await freePort();
  const serverName = options.serverName ?? 'localhost';
  const baseUrl = `http://127.0.0.1:${port}`;
  const sharedSecret = randomToken();
  const asToken = randomToken();
  const hsToken = randomToken();
  const appserviceUserPrefix = 'fluent_';
  const senderLocalpart = 'fluentbot';
  const escapedServer = serverName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

  const { homeserver, logConfig } = buildConfig({
    dir,
    port,
    serverName,
    baseUrl,
    sharedSecret,
    logLevel: options.logLevel ?? 'WARNING',
  });
  const experimental = options.appserviceExperimental ?? false;
  const ephemeral = experimental || (options.appserviceEphemeral ?? false);
  if (experimental) {
    homeserver['experimental_features'] = { msc2409_to_device_messages_enabled: true, msc3202_transaction_extensions: true };
  }
  Object.assign(homeserver, options.extraConfig ?? {});
  const appservice: Record<string, unknown> = {
    id: APPSERVICE_ID,
    url: options.appserviceUrl ?? null,
    as_token: asToken,
    hs_token: hsToken,
    sender_localpart: senderLocalpart,
    rate_limited: false,
    namespaces: {
      users: [{ exclusive: true, regex: `@${appserviceUserPrefix}.*:${escapedServer}` }],
      aliases: [{ exclusive: false, regex: `#${appserviceUserPrefix}.*:${escapedServer}` }],
      rooms: [],
    },
    ...(ephemeral ? { receive_ephemeral: true, 'de.sorunome.msc2409.push_ephemeral': true } : {}),
    ...(experimental ? { 'org.matrix.msc3202': true } : {}),
  };
  // JSON is valid YAML, so no YAML serializer is needed.
  const configPath = join(dir, 'homeserver.yaml');
  await Promise.all([
    writeFile(configPath, JSON.stringify(homeserver, null, 2)),
    writeFile(join(dir, 'log.config.yaml'), JSON.stringify(logConfig, null, 2)),
    writeFile(join(dir, 'appservice.yaml'), JSON.stringify(appservice, null, 2)),
    writeFile(join(dir, 'signing.key'), generateSigningKey(), { mode: 0o600 }),
  ]);

  const logFile = join(dir, 'homeserver.log');
  const outFile = join(dir, 'stdout.log');
  const outFd = openSync(outFile, 'a');
  const started = Date.now();
  const child = spawn(python, ['-c', BOOTSTRAP, '-c', configPath], {
    cwd: dir,
    stdio: ['pipe', outFd, outFd],
    env: { ...process.env, MATRIX_FLUENT_SYNAPSE_DIR: dir, PYTHONUNBUFFERED: '1' },
  });
  closeSync(outFd);
  const server: LiveServer = { child, dir };
  live.add(server);
  let spawnError: Error | undefined;
  child.on('error', (err) => (spawnError = err));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        let timer: NodeJS.Timeout | undefined;
        const graceful = await Promise.race([
          exited.then(() => true),
          new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 10_000))),
        ]);
        clearTimeout(timer);
        if (!graceful) {
          child.kill('SIGKILL');
          await exited;
        }
      }
      child.stdin?.destroy();
      live.delete(server);
      await rm(dir, { recursive: true, force: true });
    })();
    return stopping;
  };

  const timeoutMs = options.timeoutMs ?? 90_000;
  const deadline = started + timeoutMs;
  for (;;) {
    if (spawnError || child.exitCode !== null || child.signalCode !== null) {
      const why = spawnError ? spawnError.message : `exited with code ${child.exitCode} signal ${child.signalCode}`;
      const logs = `--- homeserver.log ---\n${await tail(logFile)}\n--- stdout/stderr ---\n${await tail(outFile)}`;
      await stop();
      throw new Error(`Synapse harness: homeserver ${why} during start-up.\n${logs}`);
    }
    try {
      const res = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      const logs = `--- homeserver.log ---\n${await tail(logFile)}\n--- stdout/stderr ---\n${await tail(outFile)}`;
      await stop();
      throw new Error(`Synapse harness: homeserver did not answer /health within ${timeoutMs} ms.\n${logs}`);
    }
    await sleep(100);
  }
  const startupMs = Date.now() - started;
  const pid = child.pid ?? -1;

  return {
    baseUrl,
    serverName,
    registrationSharedSecret: sharedSecret,
    asToken,
    hsToken,
    appserviceUserPrefix,
    senderUserId: `@${senderLocalpart}:${serverName}`,
    appserviceRegistration: appservice,
    startupMs,
    pid,
    dataDir: dir,
    logFile,
    registerUser: (opts) => registerUser(baseUrl, sharedSecret, opts),
    overrideRatelimit: (userId, override) => overrideRatelimit(baseUrl, sharedSecret, userId, override),
    clearRatelimitOverride: (userId) => clearRatelimitOverride(baseUrl, sharedSecret, userId),
    async memoryRssBytes() {
      const status = await readFile(`/proc/${pid}/status`, 'utf8');
      const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
      if (!match?.[1]) throw new Error(`Synapse harness: no VmRSS in /proc/${pid}/status`);
      return Number(match[1]) * 1024;
    },
    stop,
  };
}
