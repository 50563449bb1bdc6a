/**
 * The Node listener of an application service (node:http).
 */
import type { Appservice } from './types.js';

/** Options of {@link listenAppservice}. */
export interface ListenAppserviceOptions {
  /** Port to listen on (0: any free port). */
  port: number;
  /**
   * Interface to listen on.
   * @default '127.0.0.1'
   */
  host?: string;
  /**
   * The largest request body accepted, in bytes (over it: 413 `M_TOO_LARGE`).
   * @default 20 MiB
   */
  maxBodyBytes?: number;
}

/** A running listener. */
export interface AppserviceServer {
  /** `http://host:port` of the listener. */
  readonly url: string;
  /** The port listened on. */
  readonly port: number;
  /** Stops listening and closes the connections. */
  close(): Promise<void>;
}

/**
 * Serves an application service over node:http.
 *
 * @example
 * ```ts
 * const server = await listenAppservice(appservice, { port: 9000 });
 * console.log(server.url);
 * await server.close();
 * ```
 */
export async function listenAppservice(appservice: Appservice, options: ListenAppserviceOptions): Promise<AppserviceServer> {
  void appservice;
  void options;
  throw new Error('not implemented yet');
}
