/**
 * A small bridge on an application service. The homeserver pushes every event of the rooms the
 * bridge's bot is in; for each text message of a real user, the user's counterpart on the
 * "other side" (a ghost user of the appservice's namespace) answers in the room. The other side
 * here is an echo, to keep the example short; a real bridge would send the message to its remote
 * network and post that network's answers through the ghosts the same way.
 *
 * What it shows:
 * - the receiver: `createAppservice` with a durable `FileAppserviceStore`, served by
 *   `listenAppservice`; a transaction is on disk before the homeserver gets its 200, and the
 *   handlers run from there, in order per room, again after a crash if they had not finished;
 * - intents: `appservice.intent(localpart)` acts as a ghost (masquerading with the as_token),
 *   `ensureJoined` registers it and joins it (the bot invites it first into rooms it cannot
 *   join on its own);
 * - `ts`: the ghost's answer carries the timestamp of the message it answers;
 * - idempotence: the answer's transaction id is derived from the original event id, so an event
 *   handled again after a crash is not answered twice;
 * - the ghosts' and the bot's own messages are ignored (no echo loops).
 *
 * Run it against a homeserver that has the registration installed (its `url` pointing at where
 * this process listens, e.g. `http://127.0.0.1:9000`):
 *
 *   npx matrix-fluent appservice register --id my-bridge --url http://127.0.0.1:9000 \
 *     --sender bridgebot --user-prefix _echo_ --server-name example.org -o registration.yaml
 *   # add registration.yaml to the homeserver's app_service_config_files, restart it, then:
 *   MATRIX_BASE_URL=http://127.0.0.1:8008 APPSERVICE_REGISTRATION=registration.yaml npx tsx examples/bridge.ts
 *
 * Invite the bot (`@bridgebot:example.org`) into a room and say something.
 * `APPSERVICE_STATE_DIR` chooses the store directory (default `.bridge-state`),
 * `APPSERVICE_HOST` the address to listen on (default `127.0.0.1`; the port is the one of the
 * registration's `url`), `MATRIX_SERVER_NAME` the homeserver's server name (default: asked
 * from the homeserver with the bot's `whoami`). Stop it with Ctrl-C: it finishes the events it
 * has started, and goes on with the rest at the next start.
 */
import { pathToFileURL } from 'node:url';
import {
  createAppservice,
  createClient,
  FileAppserviceStore,
  isMatrixError,
  listenAppservice,
  loadRegistration,
  NamespaceMatcher,
  type Appservice,
  type AppserviceRegistration,
} from '../src/node.js';

/** Options of {@link runBridge}. */
export interface BridgeOptions {
  /**
   * The ghost that speaks for a Matrix user on the other side, as a localpart of the
   * appservice's user namespace.
   * @default the namespace's literal prefix, then `echo_` and the user's localpart
   */
  ghostFor?: (userId: string) => string;
  /** Called with a line for each thing the bridge does. */
  log?: (line: string) => void;
}

/** What {@link runBridge} answers: what it has done so far. */
export interface Bridge {
  /** How many messages the ghosts have answered. */
  readonly answered: number;
}

/**
 * Wires the bridge's handlers onto an application service (before `appservice.start()`):
 * the bot joins the rooms it is invited to, and each text message of a real user is answered
 * by that user's ghost, with the original message's timestamp.
 *
 * @example
 * ```ts
 * const appservice = createAppservice({ registration, homeserverUrl, serverName, store: new FileAppserviceStore('.bridge-state') });
 * runBridge(appservice, { log: console.log });
 * const server = await listenAppservice(appservice, { port: 9000 });
 * await appservice.start();
 * ```
 */
export function runBridge(appservice: Appservice, options: BridgeOptions = {}): Bridge {
  const log = options.log ?? (() => {});
  const ghostFor = options.ghostFor ?? defaultGhostFor(appservice.registration);
  const bot = appservice.bot;
  // The homeserver's own rules (regexes matched from the start), and the bot counts as ours.
  const namespaces = new NamespaceMatcher(appservice.registration, bot.userId.slice(bot.userId.indexOf(':') + 1));
  const state = { answered: 0 };

  appservice.on('m.room.member', async (event, { roomId }) => {
    if (event.state_key !== bot.userId || event.content.membership !== 'invite') return;
    try {
      await bot.ensureJoined(roomId);
      log(`the bot joined ${roomId}`);
    } catch (error) {
      // The invite may have been withdrawn meanwhile: nothing to do.
      log(`the bot could not join ${roomId}: ${isMatrixError(error) ? error.errcode : String(error)}`);
    }
  });

  appservice.on('m.room.message', async (event, { roomId }) => {
    // Ours: the bot and every ghost. Answering them would answer our own answers.
    if (namespaces.isUserInNamespace(event.sender)) return;
    if (event.content.msgtype !== 'm.text') return;
    const ghost = appservice.intent(ghostFor(event.sender));
    try {
      await ghost.ensureJoined(roomId);
    } catch (error) {
      if (!isMatrixError(error) || error.errcode !== 'M_FORBIDDEN') throw error;
      // A room that needs an invite: the bot, who is in it, invites the ghost.
      await bot.client.api.rooms(roomId).invite.post({ user_id: ghost.userId });
      await ghost.ensureJoined(roomId);
    }
    // The transaction id comes from the event: handled again after a crash, it is not sent twice.
    await ghost.sendText(roomId, `(from the other side) ${event.content.body}`, {
      ts: event.origin_server_ts,
      txnId: `bridge-${event.event_id}`,
    });
    state.answered++;
    log(`${ghost.userId} answered ${event.sender} in ${roomId}`);
  });

  return {
    get answered() {
      return state.answered;
    },
  };
}

/** `_echo_` + `echo_alice` for `@alice:example.org`, when the namespace regex is `@_echo_.*:example\.org`. */
function defaultGhostFor(registration: AppserviceRegistration): (userId: string) => string {
  const regex = registration.namespaces.users?.[0]?.regex ?? '';
  // The literal start of the first user namespace: `^@_echo_.*` gives `_echo_`.
  const prefix = /^\^?@((?:\\.|[^.*+?()[\]{}|\\^$])*)/.exec(regex)?.[1]?.replace(/\\(.)/g, '$1') ?? '';
  return (userId) => `${prefix}echo_${userId.slice(1, userId.indexOf(':')).replace(/[^a-z0-9._=/-]/g, '_')}`;
}

async function main(): Promise<void> {
  const homeserverUrl = process.env['MATRIX_BASE_URL'];
  const registrationFile = process.env['APPSERVICE_REGISTRATION'];
  if (!homeserverUrl || !registrationFile) {
    console.error('Set MATRIX_BASE_URL and APPSERVICE_REGISTRATION (the path of the registration YAML).');
    process.exit(2);
  }
  const { registration, warnings } = await loadRegistration(registrationFile);
  for (const warning of warnings) console.warn(`[bridge] ${registrationFile}: ${warning}`);
  if (!registration.url) throw new Error(`${registrationFile} has no url: the homeserver would not push to the bridge`);
  const serverName =
    process.env['MATRIX_SERVER_NAME'] ??
    (await createClient({ baseUrl: homeserverUrl, asToken: registration.as_token }).api.account.whoami.get()).user_id.replace(/^[^:]*:/, '');
  const appservice = createAppservice({
    registration,
    homeserverUrl,
    serverName,
    store: new FileAppserviceStore(process.env['APPSERVICE_STATE_DIR'] ?? '.bridge-state'),
  });
  runBridge(appservice, { log: (line) => console.log(`[bridge] ${line}`) });
  const server = await listenAppservice(appservice, {
    host: process.env['APPSERVICE_HOST'] ?? '127.0.0.1',
    port: Number(new URL(registration.url).port || 80),
  });
  await appservice.start();
  console.log(`[bridge] listening on ${server.url} as ${appservice.bot.userId}; invite the bot into a room`);
  const stop = async (): Promise<void> => {
    await appservice.stop({ deadlineMs: 10_000 });
    await server.close();
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop());
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
