/**
 * The receiver under test of bench/appservice.ts, in its server child: `createAppservice` with a
 * `FileAppserviceStore` in a temporary directory, served by `listenAppservice` on a free port,
 * with an `m.room.message` handler that only counts (or, for the slow scenario, takes its time).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAppservice, FileAppserviceStore, listenAppservice, type AppserviceOptions } from '../src/node.js';

/** How the bench configures the receiver. */
export interface ReceiverBenchOptions {
  homeserverUrl: string;
  hsToken: string;
  asToken: string;
  serverName: string;
  /** Milliseconds each `m.room.message` handler call takes (0: a no-op handler). */
  handlerMs?: number | undefined;
  inboxLimit?: number | undefined;
  concurrency?: number | undefined;
  budgetMs?: number | undefined;
}

/** The receiver, and what the bench asks of it. */
export interface ReceiverUnderTest {
  port: number;
  /** `m.room.message` events the handler has seen. */
  handled(): number;
  /** Work items accepted and not yet handled. */
  depth(): number;
  /** Transactions the store still holds as not fully processed (their progress not yet written). */
  pendingTransactions(): Promise<number>;
  /** What happened since the last call that a reader should see (refusals, warnings). */
  lines(): string[];
  stop(): Promise<void>;
}

/** Starts the receiver with a file store in a fresh temporary directory. */
export async function receiverServer(options: ReceiverBenchOptions): Promise<ReceiverUnderTest> {
  const dir = await mkdtemp(join(tmpdir(), 'mf-bench-appservice-'));
  const lines: string[] = [];
  // BENCH_REMEMBER: how many transaction ids and event ids the store keeps for the dedupe (its default, 10,000, when unset).
  const remember = Number(process.env['BENCH_REMEMBER'] ?? 0);
  const store = new FileAppserviceStore(dir, remember > 0 ? { remember } : {});
  const note = (line: string): void => void (lines.length < 50 && lines.push(line));
  const appserviceOptions: AppserviceOptions = {
    registration: {
      id: 'bench',
      url: 'http://127.0.0.1:1',
      as_token: options.asToken,
      hs_token: options.hsToken,
      sender_localpart: 'benchbot',
      namespaces: { users: [{ regex: `@_bench_.*:${options.serverName.replace(/\./g, '\\.')}`, exclusive: true }], aliases: [], rooms: [] },
    },
    homeserverUrl: options.homeserverUrl,
    serverName: options.serverName,
    store,
    metrics: { rejected: ({ status, errcode, reason }) => note(`refused a transaction: ${status} ${errcode} (${reason})`) },
    logger: {
      debug: () => undefined,
      info: () => undefined,
      warn: (message) => note(`warn: ${message}`),
      error: (message) => note(`error: ${message}`),
    },
  };
  if (options.inboxLimit !== undefined) appserviceOptions.inboxLimit = options.inboxLimit;
  if (options.concurrency !== undefined) appserviceOptions.concurrency = options.concurrency;
  if (options.budgetMs !== undefined) appserviceOptions.backpressureBudgetMs = options.budgetMs;
  const appservice = createAppservice(appserviceOptions);
  let handled = 0;
  const handlerMs = options.handlerMs ?? 0;
  if (handlerMs > 0) {
    appservice.on('m.room.message', async () => {
      await new Promise((resolve) => setTimeout(resolve, handlerMs));
      handled++;
    });
  } else {
    appservice.on('m.room.message', () => void handled++);
  }
  const server = await listenAppservice(appservice, { port: 0, host: '127.0.0.1' });
  await appservice.start();
  return {
    port: server.port,
    handled: () => handled,
    depth: () => appservice.inboxDepth,
    pendingTransactions: async () => (await store.pending()).length,
    lines: () => lines.splice(0),
    async stop() {
      await server.close();
      await appservice.stop({ deadlineMs: 10_000 });
      await rm(dir, { recursive: true, force: true });
    },
  };
}
