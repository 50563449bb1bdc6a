/**
 * An echo bot: joins the rooms it is invited to, answers every `m.text` message
 * of others with the same text as an `m.notice`, and stops on `!quit`. Its sync
 * position lives in a file store, so after a restart it goes on where it
 * stopped (a message that arrived while it was down is answered; one it had
 * already answered is not answered again).
 *
 *   MATRIX_BASE_URL=https://matrix.example.org MATRIX_ACCESS_TOKEN=syt_... npx tsx examples/echo-bot.ts
 *
 * `MATRIX_STORE_DIR` chooses the state directory (default `.echo-bot-state`).
 */
import { pathToFileURL } from 'node:url';
import { createClient, FileStore, isMatrixError, joinRoom, sendNotice, type MatrixClient, type SyncBatch } from '../src/node.js';

/** Options of {@link runEchoBot}. */
export interface EchoBotOptions {
  /** The bot's own user id (asked with `whoami` when left out): its messages are ignored. */
  userId?: string;
  /**
   * The message that stops the bot.
   * @default '!quit'
   */
  quitCommand?: string;
  /** Called with a line for each thing the bot does. */
  log?: (line: string) => void;
}

/**
 * Runs the echo bot on a client until `!quit` (or until `client.sync.stop()` is
 * called, or the token is rejected). Resolves once the sync loop has stopped.
 */
export async function runEchoBot(client: MatrixClient, options: EchoBotOptions = {}): Promise<void> {
  const log = options.log ?? (() => {});
  const quit = options.quitCommand ?? '!quit';
  const userId = options.userId ?? (await client.api.account.whoami.get()).user_id;
  const stopped = new Promise<void>((resolve) => client.sync.once('stopped', () => resolve()));

  client.on('invite', async ({ roomId }) => {
    try {
      await joinRoom(client, roomId);
      log(`joined ${roomId}`);
    } catch (error) {
      // The invite may have been withdrawn, or this is a redelivery of an invite already used.
      log(`could not join ${roomId}: ${isMatrixError(error) ? error.errcode : String(error)}`);
    }
  });

  /** Whether the event comes before the bot's own join in this batch's timeline: history, not for it. */
  const beforeOwnJoin = (batch: SyncBatch, roomId: string, eventId: string): boolean => {
    const events = batch.response.rooms?.join?.[roomId]?.timeline?.events ?? [];
    const join = events.findIndex((e) => e.type === 'm.room.member' && e.state_key === userId && e.content['membership'] === 'join');
    return join >= 0 && events.findIndex((e) => e.event_id === eventId) < join;
  };

  client.on('m.room.message', async (event, { roomId, source, membership, batch }) => {
    if (source !== 'timeline' || membership !== 'join' || event.sender === userId) return;
    // The first sync of a fresh store holds old history: do not answer it.
    if (batch.since === undefined) return;
    if (beforeOwnJoin(batch, roomId, event.event_id)) return;
    const { content } = event;
    if (content.msgtype !== 'm.text') return;
    if (content.body.trim() === quit) {
      log(`quit by ${event.sender} in ${roomId}`);
      await sendNotice(client, roomId, 'Bye!', { txnId: `quit-${event.event_id}` });
      // Not awaited: the loop finishes (and commits) this batch first.
      void client.sync.stop();
      return;
    }
    // The transaction id comes from the event: a redelivered event (after a crash) is not echoed twice.
    await sendNotice(client, roomId, content.body, { txnId: `echo-${event.event_id}` });
    log(`echoed ${JSON.stringify(content.body)} in ${roomId}`);
  });

  client.on('fatal', ({ error }) => log(`fatal: ${error instanceof Error ? error.message : String(error)}`));
  client.on('failed', ({ delayMs, error }) => log(`sync failed, retrying in ${delayMs} ms: ${error instanceof Error ? error.message : String(error)}`));
  client.on('resumed', () => log('sync resumed'));

  await client.sync.start().catch(() => {});
  log(`running as ${userId}`);
  await stopped;
}

async function main(): Promise<void> {
  const baseUrl = process.env['MATRIX_BASE_URL'];
  const accessToken = process.env['MATRIX_ACCESS_TOKEN'];
  if (!baseUrl || !accessToken) {
    console.error('Set MATRIX_BASE_URL and MATRIX_ACCESS_TOKEN.');
    process.exit(2);
  }
  const client = createClient({
    baseUrl,
    accessToken,
    sync: { store: new FileStore(process.env['MATRIX_STORE_DIR'] ?? '.echo-bot-state') },
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void client.sync.stop());
  await runEchoBot(client, { log: (line) => console.log(`[echo-bot] ${line}`) });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
