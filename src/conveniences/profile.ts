/**
 * The user's own profile: display name and avatar, one-liners over the chains.
 */
import type { ClientWithApi } from './types.js';
import type { RequestOptions } from '../transport/types.js';

/** The user id of each client, asked once (`whoami`); a failure is not remembered. */
const OWN_IDS = new WeakMap<ClientWithApi, Promise<string>>();

function ownUserId(client: ClientWithApi): Promise<string> {
  let known = OWN_IDS.get(client);
  if (known === undefined) {
    known = client.api.account.whoami.get().then(({ user_id }) => user_id);
    OWN_IDS.set(client, known);
    known.catch(() => OWN_IDS.delete(client));
  }
  return known;
}

/**
 * Options of the profile setters.
 *
 * @example
 * ```ts
 * await setDisplayName(client, 'Echo Bot', { userId: '@bot:example.org' });
 * ```
 */
export interface ProfileOptions extends RequestOptions {
  /** The user whose profile to change; the client's own (asked once with `whoami`) when left out. */
  userId?: string | undefined;
}

/**
 * Sets the user's display name.
 *
 * @example
 * ```ts
 * await setDisplayName(client, 'Echo Bot');
 * ```
 */
export async function setDisplayName(client: ClientWithApi, displayName: string, options: ProfileOptions = {}): Promise<void> {
  const { userId, ...request } = options;
  await client.api.profile(userId ?? (await ownUserId(client)), 'displayname').put({ displayname: displayName }, request);
}

/**
 * Sets the user's avatar to an `mxc://` URI (upload the image with `client.media.upload.post` first).
 *
 * @example
 * ```ts
 * const { content_uri } = await client.media.upload.post(png, { contentType: 'image/png' });
 * await setAvatarUrl(client, content_uri);
 * ```
 */
export async function setAvatarUrl(client: ClientWithApi, mxcUri: string, options: ProfileOptions = {}): Promise<void> {
  const { userId, ...request } = options;
  await client.api.profile(userId ?? (await ownUserId(client)), 'avatar_url').put({ avatar_url: mxcUri }, request);
}
