/**
 * The redirect policy, on both engines: redirects are followed only where the spec lets
 * an operation redirect (media downloads and thumbnails, `.well-known`) or where the
 * caller opts in; a followed redirect never takes the body or the credentials to
 * another origin, never goes from https to http, and stays http(s).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { isRedirectError, type RedirectError } from '../../src/errors/index.js';
import { resolveEngine, type HttpEngine } from '../../src/transport/engine.js';
import { planRedirect, redirectMode } from '../../src/transport/redirects.js';
import { ENGINES, createClient, createTransport, currentEngine, useEngine } from './engines.js';
import { TOKEN, rejection, req, transportFor } from './fixtures.js';
import { json, startServer, text, type Handler, type TestServer, useTestServers } from './http-test-server.js';

const start = useTestServers();
const engines: HttpEngine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close?.()));
});

const redirect =
  (status: number, location: () => string): Handler =>
  (_req, res) => {
    res.writeHead(status, { location: location() });
    res.end();
  };

const PASSWORD = 'hunter2-the-password';

/** Answers `/_matrix/client/versions` (media probe) and hands everything else to `rest`. */
function homeserver(rest: Handler): Handler {
  return (req, res, ctx) => {
    if (req.url === '/_matrix/client/versions') return json(200, { versions: ['v1.11'] })(req, res, ctx);
    return rest(req, res, ctx);
  };
}

async function redirectError(promise: Promise<unknown>): Promise<RedirectError> {
  const error = await rejection(promise);
  if (!isRedirectError(error)) throw error;
  return error;
}

describe('the redirect policy (pure)', () => {
  it('refuses a move from https to http, even to the same host', () => {
    expect(planRedirect(307, 'https://hs.example/a', 'http://hs.example/a', 'GET', false)).toBe('downgrade');
    expect(planRedirect(302, 'https://hs.example/a', 'http://cdn.example/a', 'GET', false)).toBe('downgrade');
  });

  it('allows http to https and https to https', () => {
    expect(planRedirect(307, 'http://hs.example/a', 'https://hs.example/b', 'GET', false)).toMatchObject({ url: 'https://hs.example/b', crossOrigin: true });
    expect(planRedirect(308, 'https://hs.example/a', '/b?x=1#frag', 'GET', false)).toEqual({
      url: 'https://hs.example/b?x=1',
      method: 'GET',
      dropBody: false,
      crossOrigin: false,
    });
  });

  it('refuses every scheme but http and https', () => {
    for (const location of ['file:///etc/passwd', 'javascript:alert(1)', 'data:text/plain,x', 'ftp://hs.example/a', 'mxc://hs.example/a']) {
      expect(planRedirect(302, 'https://hs.example/a', location, 'GET', false)).toBe('scheme');
    }
  });

  it('calls a Location that is no URL malformed', () => {
    expect(planRedirect(302, 'https://hs.example/a', 'http://[::1', 'GET', false)).toBe('malformed');
    expect(planRedirect(302, 'https://hs.example/a', 'https://exa mple.org/', 'GET', false)).toBe('malformed');
  });

  it('refuses to send a body to another origin, and switches to GET where HTTP says so', () => {
    expect(planRedirect(307, 'https://hs.example/login', 'https://evil.example/login', 'POST', true)).toBe('cross-origin-body');
    expect(planRedirect(308, 'https://hs.example/d', 'https://evil.example/d', 'DELETE', true)).toBe('cross-origin-body');
    expect(planRedirect(301, 'https://hs.example/d', 'https://evil.example/d', 'PUT', true)).toBe('cross-origin-body');
    expect(planRedirect(307, 'https://hs.example/login', '/v2/login', 'POST', true)).toMatchObject({ method: 'POST', dropBody: false });
    expect(planRedirect(303, 'https://hs.example/login', 'https://evil.example/', 'POST', true)).toMatchObject({ method: 'GET', dropBody: true });
    expect(planRedirect(302, 'https://hs.example/login', 'https://evil.example/', 'POST', true)).toMatchObject({ method: 'GET', dropBody: true });
  });

  it('lets the caller opt in or out, but keeps an operation answered by a redirect manual', () => {
    const base = req('GET', '/a');
    expect(redirectMode(base, undefined)).toBe('error');
    expect(redirectMode({ ...base, redirect: 'follow' }, undefined)).toBe('follow');
    expect(redirectMode({ ...base, redirect: 'follow' }, false)).toBe('error');
    expect(redirectMode(base, true)).toBe('follow');
    expect(redirectMode({ ...base, options: { followRedirects: false } }, true)).toBe('error');
    expect(redirectMode({ ...base, redirect: 'follow', options: { followRedirects: false } }, undefined)).toBe('error');
    expect(redirectMode({ ...base, redirect: 'manual', options: { followRedirects: true } }, true)).toBe('manual');
  });
});

describe('a redirect the runtime hides (a browser\'s opaque redirect)', () => {
  /** An engine that answers like a browser's fetch with `redirect: 'manual'`, recording each send. */
  function browserLike(): { engine: HttpEngine; sends: { url: string; follow: boolean; body: unknown }[] } {
    const sends: { url: string; follow: boolean; body: unknown }[] = [];
    const engine: HttpEngine = {
      name: 'browser-like',
      async send(request, follow = false) {
        sends.push({ url: request.url, follow, body: request.body });
        if (!follow) return { status: 0, statusText: '', headers: new Headers(), body: null, opaqueRedirect: true };
        return { status: 200, statusText: 'OK', headers: new Headers({ 'content-type': 'application/json' }), body: new Blob(['{"ok":true}']).stream(), url: 'https://cdn.example/x' };
      },
    };
    return { engine, sends };
  }

  it('lets the browser follow a bodiless request that may follow', async () => {
    const { engine, sends } = browserLike();
    const transport = createTransport({ baseUrl: 'https://hs.example', accessToken: TOKEN, engine });
    await expect(transport.requestJson(req('GET', '/.well-known/matrix/client', { redirect: 'follow' }))).resolves.toEqual({ ok: true });
    expect(sends.map((s) => s.follow)).toEqual([false, true]);
  });

  it('refuses one that may not follow, or that carries a body', async () => {
    const { engine, sends } = browserLike();
    const transport = createTransport({ baseUrl: 'https://hs.example', accessToken: TOKEN, engine, followRedirects: true });
    const withBody = await redirectError(transport.requestJson(req('POST', '/_matrix/client/v3/login', { body: { password: PASSWORD } })));
    expect(withBody.reason).toBe('opaque');
    const strict = createTransport({ baseUrl: 'https://hs.example', accessToken: TOKEN, engine });
    const notFollowed = await redirectError(strict.requestJson(req('GET', '/_matrix/client/v3/account/whoami')));
    expect(notFollowed.reason).toBe('not-followed');
    const manual = await redirectError(strict.requestJson(req('GET', '/_matrix/client/v3/login/sso/redirect', { redirect: 'manual' })));
    expect(manual.reason).toBe('opaque');
    expect(sends.every((s) => !s.follow)).toBe(true);
  });
});

describe.each(ENGINES)('on the %s engine', (engine) => {
  useEngine(engine);

  describe('operations that do not redirect', () => {
    it('a 307 on POST /login to another origin fails with a RedirectError and never delivers the password', async () => {
      const thief = await start(json(200, { access_token: 'stolen' }));
      const hs = await start(redirect(307, () => `${thief.url}/_matrix/client/v3/login`));
      const client = createClient({ baseUrl: hs.url });
      const error = await redirectError(
        client.api.login.post({ type: 'm.login.password', identifier: { type: 'm.id.user', user: 'alice' }, password: PASSWORD }),
      );
      expect(error.reason).toBe('not-followed');
      expect(error.status).toBe(307);
      expect(error.location).toBe(`${thief.url}/_matrix/client/v3/login`);
      expect(error.message).toContain('followRedirects: true');
      expect(hs.requests).toHaveLength(1);
      expect(hs.requests[0]!.body.toString()).toContain(PASSWORD);
      expect(thief.requests).toHaveLength(0);
    });

    it('with followRedirects on, a 307 or 308 to another origin is still refused with the body unsent', async () => {
      const thief = await start(json(200, {}));
      const hs = await start([
        redirect(307, () => `${thief.url}/_matrix/client/v3/login`),
        redirect(308, () => `${thief.url}/_matrix/client/v3/devices/DEV`),
      ]);
      const client = createClient({ baseUrl: hs.url, accessToken: TOKEN, followRedirects: true });
      const login = await redirectError(
        client.api.login.post({ type: 'm.login.password', identifier: { type: 'm.id.user', user: 'alice' }, password: PASSWORD }),
      );
      const uia = await redirectError(
        client.api.devices('DEV').delete({ auth: { type: 'm.login.password', identifier: { type: 'm.id.user', user: 'alice' }, password: PASSWORD } }),
      );
      expect([login.reason, uia.reason]).toEqual(['cross-origin-body', 'cross-origin-body']);
      expect(hs.requests.map((r) => r.method)).toEqual(['POST', 'DELETE']);
      expect(hs.requests[1]!.body.toString()).toContain(PASSWORD);
      expect(thief.requests).toHaveLength(0);
    });

    it('DELETE /devices with its UIA body is not redirected by default, not even to the same origin', async () => {
      const hs = await start([redirect(307, () => '/elsewhere'), json(200, {})]);
      const client = createClient({ baseUrl: hs.url, accessToken: TOKEN });
      const error = await redirectError(client.api.devices('DEV').delete({ auth: { type: 'm.login.password', password: PASSWORD } }));
      expect(error.reason).toBe('not-followed');
      expect(hs.requests.map((r) => r.url)).toEqual(['/_matrix/client/v3/devices/DEV']);
    });

    it('a same-origin 307 is followed when the caller opts in per request, body and token kept', async () => {
      const hs = await start([redirect(307, () => '/_matrix/client/v3/login?moved=1'), json(200, { user_id: '@a:x' })]);
      const client = createClient({ baseUrl: hs.url, accessToken: TOKEN });
      const answer = await client.api.account.password.post(
        { new_password: 'new-one', auth: { type: 'm.login.password', password: PASSWORD } },
        { followRedirects: true },
      );
      expect(answer).toEqual({ user_id: '@a:x' });
      expect(hs.requests.map((r) => [r.method, r.url, r.headers.authorization])).toEqual([
        ['POST', '/_matrix/client/v3/account/password', `Bearer ${TOKEN}`],
        ['POST', '/_matrix/client/v3/login?moved=1', `Bearer ${TOKEN}`],
      ]);
      expect(hs.requests[1]!.body.toString()).toBe(hs.requests[0]!.body.toString());
    });

    it('a 303 after a POST goes on as a GET without body or token to another origin', async () => {
      const other = await start(json(200, { ok: true }));
      const hs = await start(redirect(303, () => `${other.url}/result`));
      const { transport } = transportFor(hs, { followRedirects: true });
      await expect(transport.requestJson(req('POST', '/form', { body: { password: PASSWORD } }))).resolves.toEqual({ ok: true });
      expect(other.requests).toHaveLength(1);
      expect(other.requests[0]).toMatchObject({ method: 'GET', url: '/result' });
      expect(other.requests[0]!.headers.authorization).toBeUndefined();
      expect(other.requests[0]!.headers['content-type']).toBeUndefined();
      expect(other.requests[0]!.body.length).toBe(0);
    });

    it('an application service token does not cross origins either', async () => {
      const other = await start(json(200, {}));
      const hs = await start(redirect(302, () => `${other.url}/x`));
      const transport = createTransport({ baseUrl: hs.url, asToken: 'as_token_secret_value', followRedirects: true });
      await transport.requestJson(req('GET', '/_matrix/client/v3/account/whoami'));
      expect(hs.requests[0]!.headers.authorization).toBe('Bearer as_token_secret_value');
      expect(other.requests[0]!.headers.authorization).toBeUndefined();
    });

    it('a RedirectError never holds the token, even when the Location quotes it', async () => {
      const hs = await start(redirect(307, () => `http://127.0.0.1:9/steal?access_token=${TOKEN}&t=${encodeURIComponent(TOKEN)}`));
      const { transport } = transportFor(hs);
      const error = await redirectError(transport.requestJson(req('GET', '/_matrix/client/v3/account/whoami')));
      expect(error.location).toMatch(/^http:\/\/127\.0\.0\.1:9\/steal\?access_token=<redacted>&t=/);
      for (const text of [error.message, error.stack ?? '', JSON.stringify(error), String(error.location)]) {
        expect(text).not.toContain(TOKEN);
        expect(text).not.toContain(encodeURIComponent(TOKEN));
      }
    });

    it('a malformed Location is a RedirectError at once, not a retried network error', async () => {
      const hs = await start((_req, res) => {
        res.writeHead(307, { location: 'http://[::1' });
        res.end();
      });
      const { transport, delays } = transportFor(hs);
      const error = await redirectError(transport.requestJson(req('GET', '/a', { redirect: 'follow' })));
      expect(error.reason).toBe('malformed');
      expect(error.location).toBeUndefined();
      expect(hs.requests).toHaveLength(1);
      expect(delays).toEqual([]);
    });

    it('a Location of another scheme is refused', async () => {
      const hs = await start(redirect(302, () => 'file:///etc/passwd'));
      const { transport } = transportFor(hs);
      const error = await redirectError(transport.requestRaw(req('GET', '/_matrix/client/v1/media/download/x/y', { responseKind: 'binary', redirect: 'follow' })));
      expect(error.reason).toBe('scheme');
      expect(hs.requests).toHaveLength(1);
    });

    it('refuses an https homeserver\'s redirect to http, sending nothing there', async () => {
      // The homeserver is addressed as https://; this engine carries https:// exchanges to
      // its plain-http loopback port, so that the transport sees an https origin.
      const plain = await start(text(200, 'bytes', 'application/octet-stream'));
      const hs = await start(redirect(307, () => `${plain.url}/file`));
      const inner = resolveEngine(currentEngine(), undefined);
      engines.push(inner);
      const tlsLike: HttpEngine = { name: 'tls-like', send: (request, follow) => inner.send({ ...request, url: request.url.replace(/^https:/, 'http:') }, follow) };
      const secure = hs.url.replace(/^http:/, 'https:');
      const transport = createTransport({ baseUrl: secure, accessToken: TOKEN, engine: tlsLike });
      const error = await redirectError(transport.requestRaw(req('GET', '/_matrix/client/v1/media/download/x/y', { responseKind: 'binary', redirect: 'follow' })));
      expect(error.reason).toBe('downgrade');
      expect(hs.requests).toHaveLength(1);
      expect(plain.requests).toHaveLength(0);
    });
  });

  describe('operations the spec lets redirect', () => {
    it('a media download follows a same-origin redirect with the token, and a cross-origin one without it', async () => {
      const cdn = await start(text(200, 'cdn-bytes', 'image/png'));
      const hs = await start(
        homeserver((req, res, ctx) => {
          if (req.url?.endsWith('/same')) return redirect(308, () => '/_matrix/client/v1/media/download/hs.test/moved')(req, res, ctx);
          if (req.url?.endsWith('/cross')) return redirect(307, () => `${cdn.url}/media/cross?sig=abc`)(req, res, ctx);
          return text(200, 'hs-bytes', 'image/png')(req, res, ctx);
        }),
      );
      const client = createClient({ baseUrl: hs.url, accessToken: TOKEN });
      const same = await client.media.download('hs.test', 'same').get();
      expect(new TextDecoder().decode(await same.bytes())).toBe('hs-bytes');
      const cross = await client.media.download('mxc://hs.test/cross').get();
      expect(new TextDecoder().decode(await cross.bytes())).toBe('cdn-bytes');
      const media = hs.requests.filter((r) => r.url !== '/_matrix/client/versions');
      expect(media.map((r) => [r.url, r.headers.authorization])).toEqual([
        ['/_matrix/client/v1/media/download/hs.test/same', `Bearer ${TOKEN}`],
        ['/_matrix/client/v1/media/download/hs.test/moved', `Bearer ${TOKEN}`],
        ['/_matrix/client/v1/media/download/hs.test/cross', `Bearer ${TOKEN}`],
      ]);
      expect(cdn.requests.map((r) => [r.url, r.headers.authorization])).toEqual([['/media/cross?sig=abc', undefined]]);
    });

    it('a thumbnail follows a redirect too, unless the client turned following off', async () => {
      const hs = await start(
        homeserver((req, res, ctx) =>
          req.url?.includes('/thumbnail/') ? redirect(302, () => '/thumbs/1.png')(req, res, ctx) : text(200, 'png', 'image/png')(req, res, ctx),
        ),
      );
      const client = createClient({ baseUrl: hs.url, accessToken: TOKEN });
      const thumb = await client.media.thumbnail('hs.test', 'img').get({ width: 32, height: 32 });
      expect(new TextDecoder().decode(await thumb.bytes())).toBe('png');
      const strict = createClient({ baseUrl: hs.url, accessToken: TOKEN, followRedirects: false });
      const error = await redirectError(strict.media.thumbnail('hs.test', 'img').get({ width: 32, height: 32 }));
      expect(error.reason).toBe('not-followed');
    });

    it('.well-known follows a redirect', async () => {
      const hs = await start([redirect(301, () => '/moved/client'), json(200, { 'm.homeserver': { base_url: 'https://hs.example' } })]);
      const client = createClient({ baseUrl: hs.url });
      await expect(client.wellKnown.matrix.client.get()).resolves.toEqual({ 'm.homeserver': { base_url: 'https://hs.example' } });
      expect(hs.requests.map((r) => r.url)).toEqual(['/.well-known/matrix/client', '/moved/client']);
    });
  });

  describe('operations answered by a redirect', () => {
    it('SSO login answers the status and Location instead of following to the identity provider', async () => {
      const idp = await start(text(200, '<html>sign in</html>'));
      const hs = await start(redirect(302, () => `${idp.url}/authorize?state=s1`));
      const client = createClient({ baseUrl: hs.url, followRedirects: true });
      const answer = await client.api.login.sso.redirect.get({ redirectUrl: 'https://app.example/done' });
      expect(answer).toEqual({ status: 302, location: `${idp.url}/authorize?state=s1` });
      const byIdp = await client.api.login.sso.redirect('oidc-github').get({ redirectUrl: 'https://app.example/done' });
      expect(byIdp.location).toBe(`${idp.url}/authorize?state=s1`);
      expect(hs.requests.map((r) => r.url)).toEqual([
        '/_matrix/client/v3/login/sso/redirect?redirectUrl=https%3A%2F%2Fapp.example%2Fdone',
        '/_matrix/client/v3/login/sso/redirect/oidc-github?redirectUrl=https%3A%2F%2Fapp.example%2Fdone',
      ]);
      expect(idp.requests).toHaveLength(0);
    });

    it('a relative Location is resolved against the request URL, and hooks see the answer', async () => {
      const hs = await start(redirect(302, () => '/_synapse/client/pick_idp?redirectUrl=x'));
      const statuses: (number | undefined)[] = [];
      const client = createClient({ baseUrl: hs.url, hooks: { afterResponse: ({ status }) => void statuses.push(status) } });
      const answer = await client.api.login.sso.redirect.get({ redirectUrl: 'x' });
      expect(answer).toEqual({ status: 302, location: `${hs.url}/_synapse/client/pick_idp?redirectUrl=x` });
      expect(statuses).toEqual([302]);
    });

    it('an error answer is still a MatrixError', async () => {
      const hs = await start(json(400, { errcode: 'M_UNRECOGNIZED', error: 'SSO is not configured' }));
      const client = createClient({ baseUrl: hs.url });
      const error = await rejection(client.api.login.sso.redirect.get({ redirectUrl: 'x' }));
      expect(error.name).toBe('MatrixError');
    });
  });
});
