/**
 * Type tests of the redirect options and of the operations answered by a redirect.
 */
import { describe, expectTypeOf, it } from 'vitest';
import { createClient, type RedirectResponse } from '../../src/index.js';

const client = createClient({ baseUrl: 'https://hs.test', followRedirects: false, bodyTimeout: 10_000 });

describe('operations answered by a redirect', () => {
  it('SSO login resolves the status and Location', () => {
    expectTypeOf(client.api.login.sso.redirect.get({ redirectUrl: 'https://app.test' })).resolves.toEqualTypeOf<RedirectResponse>();
    expectTypeOf(client.api.login.sso.redirect('idp').get({ redirectUrl: 'https://app.test' })).resolves.toHaveProperty('location').toEqualTypeOf<string>();
    // @ts-expect-error redirectUrl is required
    void client.api.login.sso.redirect.get({});
  });

  it('JSON operations keep their answers', () => {
    expectTypeOf(client.api.account.whoami.get()).resolves.toHaveProperty('user_id').toEqualTypeOf<string>();
  });

  it('every call takes followRedirects and bodyTimeout', () => {
    void client.api.account.whoami.get({ followRedirects: true, bodyTimeout: false });
    void client.media.download('hs.test', 'id').get(undefined, { bodyTimeout: 5_000 });
    // @ts-expect-error followRedirects is a boolean
    void client.api.account.whoami.get({ followRedirects: 'yes' });
  });
});
