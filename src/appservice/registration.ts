/**
 * The application service registration (placeholder: the registration module replaces this file).
 */

/** One namespace entry of a registration. */
export interface AppserviceNamespace {
  /** A regular expression matched against user ids, room aliases or room ids. */
  regex: string;
  /** Whether only this application service may use the namespace. */
  exclusive: boolean;
}

/**
 * An application service registration: what the homeserver was configured with.
 *
 * @example
 * ```ts
 * const registration: AppserviceRegistration = {
 *   id: 'bridge', url: 'http://127.0.0.1:9000', as_token, hs_token, sender_localpart: 'bridgebot',
 *   namespaces: { users: [{ regex: '@_bridge_.*:example\\.org', exclusive: true }], aliases: [], rooms: [] },
 * };
 * ```
 */
export interface AppserviceRegistration {
  id: string;
  url: string | null;
  as_token: string;
  hs_token: string;
  sender_localpart: string;
  namespaces: {
    users?: AppserviceNamespace[];
    aliases?: AppserviceNamespace[];
    rooms?: AppserviceNamespace[];
  };
  rate_limited?: boolean;
  receive_ephemeral?: boolean;
  protocols?: string[];
  [key: string]: unknown;
}
