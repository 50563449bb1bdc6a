/**
 * Intents: clients acting as the users of an application service (placeholder: the intent
 * module replaces this file).
 */
import type { MatrixClient } from '../client.js';
import type { AppserviceRegistration } from './registration.js';

/**
 * A client acting as one user of the application service's namespace.
 *
 * @example
 * ```ts
 * const ghost = appservice.intent('_bridge_alice');
 * await ghost.ensureJoined(roomId);
 * ```
 */
export interface Intent {
  readonly userId: string;
  readonly client: MatrixClient;
  ensureRegistered(): Promise<void>;
  ensureJoined(roomId: string): Promise<void>;
}

/**
 * Hands out the intents of an application service.
 *
 * @example
 * ```ts
 * const intents = new IntentManager({ client, registration, serverName: 'example.org' });
 * const bot = intents.bot;
 * ```
 */
export class IntentManager {
  constructor(options: { client: MatrixClient; registration: AppserviceRegistration; serverName: string; cacheSize?: number }) {
    void options;
  }

  intent(localpartOrUserId: string): Intent {
    void localpartOrUserId;
    throw new Error('not implemented');
  }

  get bot(): Intent {
    throw new Error('not implemented');
  }
}
