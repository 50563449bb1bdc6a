/**
 * vitest globalSetup that starts one throwaway Synapse for the whole run and hands its
 * coordinates to tests via `inject('synapse')`.
 *
 * Not wired into the default vitest.config.ts; use it from an e2e config:
 * `globalSetup: ['test/harness/global-setup.ts']`.
 *
 * @module
 */
import type { TestProject } from 'vitest/node';
import { startSynapse } from './synapse.js';

/** What tests receive from `inject('synapse')`. */
export interface ProvidedSynapse {
  /** e.g. `http://127.0.0.1:38211` (no trailing slash). */
  baseUrl: string;
  /** The homeserver's `server_name`, e.g. `localhost`. */
  serverName: string;
  /** Application service `as_token` (acts as the sender or any user in its namespace). */
  asToken: string;
  /** Application service `hs_token` (what Synapse sends to the appservice URL). */
  hsToken: string;
  /** Localpart prefix of the appservice's exclusive user namespace, e.g. `fluent_`. */
  appserviceUserPrefix: string;
  /** The appservice sender user id, e.g. `@fluentbot:localhost`. */
  senderUserId: string;
  /** Shared secret for `registerUser` / `overrideRatelimit` from test workers. */
  registrationSharedSecret: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    synapse: ProvidedSynapse;
  }
}

/**
 * Start Synapse (installing it on first use), provide its details, and return the teardown.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const handle = await startSynapse();
  process.stderr.write(`[synapse-harness] ${handle.baseUrl} (${handle.serverName}) up in ${handle.startupMs} ms\n`);
  project.provide('synapse', {
    baseUrl: handle.baseUrl,
    serverName: handle.serverName,
    asToken: handle.asToken,
    hsToken: handle.hsToken,
    appserviceUserPrefix: handle.appserviceUserPrefix,
    senderUserId: handle.senderUserId,
    registrationSharedSecret: handle.registrationSharedSecret,
  });
  return async () => {
    await handle.stop();
  };
}
