/**
 * A real OpenID provider in the test process: the `oidc-provider` package on 127.0.0.1, with
 * public clients for the page and for `shunt login`, PKCE required, in-memory accounts (password
 * checked by its own login form, a groups claim), and JWT access tokens for the api's audience
 * (resource indicators, RFC 8707). Started in two steps, because the page's client needs the
 * api's address and the api's access-control config needs the issuer's:
 *
 * ```ts
 * const idp = await listenOidcProvider();            // the issuer URL is known
 * const api = await startApi({ access: enforcedAccess(config(idp.issuer)) });
 * await idp.start({ pageRedirectUris: [`${api.url}/`] });
 * ```
 *
 * `signInThrough(url, …)` is a user at a browser: it follows the authorization URL, fills the
 * login and consent forms, and follows the redirect back to the client.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';

export interface TestAccount {
  password: string;
  email: string;
  groups: string[];
}

/** The people who can sign in. */
export const ACCOUNTS: Record<string, TestAccount> = {
  rita: { password: 'rita-password', email: 'rita@example.com', groups: ['release-managers'] },
  dana: { password: 'dana-password', email: 'dana@example.com', groups: ['developers'] },
};

export const PAGE_CLIENT = 'shunt-page';
export const CLI_CLIENT = 'shunt-cli';
/** The api's audience: a URI, so clients send it as the RFC 8707 resource indicator. */
export const AUDIENCE = 'urn:shunt:test-api';

/**
 * An access-control config (SHUNT_AUTH_CONFIG) trusting this provider: rita (release-managers)
 * promotes and approves everywhere in project demo, dana (developers) promotes to dev only.
 */
export function signInConfigYaml(issuer: string): string {
  return `
oidc:
  issuer: ${issuer}
  audience: ${AUDIENCE}
  clientId: ${PAGE_CLIENT}
  cliClientId: ${CLI_CLIENT}
  scopes: [openid, email, groups, offline_access]
  groups:
    - { group: release-managers, grants: [{ role: promoter, projects: [demo] }, { role: approver, projects: [demo] }] }
    - { group: developers, grants: [{ role: promoter, projects: [demo], stages: [dev] }] }
`;
}

export interface StartOptions {
  /** Where the page's client may be sent back (the api's page, `${api.url}/`). */
  pageRedirectUris?: string[];
  /** Lifetime of access tokens, in seconds (default 300). */
  accessTokenTtl?: number;
  /** Issue refresh tokens (default true). */
  refreshTokens?: boolean;
}

export interface OidcProviderServer {
  issuer: string;
  /** Configures the provider and starts answering; until then every request gets 503. */
  start(options?: StartOptions): Promise<void>;
  close(): Promise<void>;
}

export async function listenOidcProvider(): Promise<OidcProviderServer> {
  let handle: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server: Server = createServer((req, res) => {
    if (handle) handle(req, res);
    else res.writeHead(503).end('not started');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    async start(options = {}) {
      const provider = new Provider(issuer, configuration(options));
      const callback = provider.callback();
      handle = (req, res) => {
        if (req.url?.startsWith('/interaction/')) void interaction(provider, req, res).catch((err: unknown) => res.writeHead(500).end(String(err)));
        else callback(req, res);
      };
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

function configuration(options: StartOptions): Configuration {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key', use: 'sig', alg: 'RS256' };
  const ttl = options.accessTokenTtl ?? 300;
  const refresh = options.refreshTokens ?? true;
  const grantTypes = refresh ? ['authorization_code', 'refresh_token'] : ['authorization_code'];
  return {
    clients: [
      { client_id: PAGE_CLIENT, token_endpoint_auth_method: 'none', redirect_uris: options.pageRedirectUris ?? ['http://127.0.0.1/'], grant_types: grantTypes, response_types: ['code'] },
      // A native app: any port of the loopback redirect is accepted (RFC 8252 §7.3).
      { client_id: CLI_CLIENT, application_type: 'native', token_endpoint_auth_method: 'none', redirect_uris: ['http://127.0.0.1/callback'], grant_types: grantTypes, response_types: ['code'] },
    ],
    jwks: { keys: [jwk] as never[] },
    cookies: { keys: ['a-test-cookie-key'] },
    pkce: { required: () => true },
    claims: { openid: ['sub'], email: ['email'], profile: ['name'], groups: ['groups'] },
    scopes: ['openid', 'offline_access', 'profile', 'email', 'groups'],
    async findAccount(_ctx, sub) {
      const account = ACCOUNTS[sub];
      if (account === undefined) return undefined;
      return { accountId: sub, claims: () => ({ sub, email: account.email, name: sub, groups: account.groups }) };
    },
    // The api names the user by the email claim and maps the groups claim to grants.
    async extraTokenClaims(_ctx, token) {
      const account = 'accountId' in token && typeof token.accountId === 'string' ? ACCOUNTS[token.accountId] : undefined;
      return account === undefined ? undefined : { email: account.email, groups: account.groups };
    },
    async issueRefreshToken(_ctx, client) {
      return refresh && client.grantTypeAllowed('refresh_token');
    },
    ttl: { AccessToken: ttl, IdToken: ttl, RefreshToken: 3600, Interaction: 600, Session: 3600, Grant: 3600 },
    features: {
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => AUDIENCE,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({ scope: 'api', audience: AUDIENCE, accessTokenTTL: ttl, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } }),
      },
    },
    interactions: { url: (_ctx: KoaContextWithOIDC, interaction) => `/interaction/${interaction.uid}` },
    renderError(ctx, out) {
      ctx.type = 'text/plain';
      ctx.body = `${out.error}: ${out.error_description ?? ''}`;
    },
  };
}

/** The provider's own login and consent pages: a password form, then Allow / Deny. */
async function interaction(provider: Provider, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const [, , uid, action] = (req.url ?? '').split('?')[0]!.split('/');
  const details = await provider.interactionDetails(req, res);
  if (req.method === 'GET') {
    page(res, details.prompt.name === 'login' ? loginForm(uid!) : consentForm(uid!, details.params['client_id'] as string));
    return;
  }
  const form = new URLSearchParams(await bodyOf(req));
  if (action === 'abort') {
    await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'the user denied the sign-in' }, { mergeWithLastSubmission: false });
  } else if (action === 'login') {
    const login = form.get('login') ?? '';
    const account = ACCOUNTS[login];
    if (account === undefined || account.password !== form.get('password')) {
      page(res, loginForm(uid!, 'Wrong user name or password.'), 401);
      return;
    }
    await provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
  } else if (action === 'confirm') {
    const prompt = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
    const grant = details.grantId ? await provider.Grant.find(details.grantId) : new provider.Grant({ accountId: details.session!.accountId, clientId: details.params['client_id'] as string });
    if (grant === undefined) throw new Error('grant not found');
    if (prompt.missingOIDCScope) grant.addOIDCScope(prompt.missingOIDCScope.join(' '));
    if (prompt.missingOIDCClaims) grant.addOIDCClaims(prompt.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(prompt.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
    await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
  } else {
    res.writeHead(404).end();
  }
}

function loginForm(uid: string, problem?: string): string {
  return `<h1>Sign in to the test issuer</h1>${problem ? `<p role="alert">${problem}</p>` : ''}
<form method="post" action="/interaction/${uid}/login">
  <label>User <input name="login" type="text" autocomplete="username" required></label>
  <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
  <button type="submit">Sign in</button>
</form>
<form method="post" action="/interaction/${uid}/abort"><button type="submit">Cancel</button></form>`;
}

function consentForm(uid: string, client: string): string {
  return `<h1>Allow ${client} to act as you?</h1>
<form method="post" action="/interaction/${uid}/confirm"><button type="submit">Allow</button></form>
<form method="post" action="/interaction/${uid}/abort"><button type="submit">Deny</button></form>`;
}

function page(res: ServerResponse, body: string, status = 200): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`<!doctype html><html><head><title>Test issuer</title></head><body>${body}</body></html>`);
}

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export interface SignInChoice {
  user: string;
  password?: string;
  /** Deny at the consent form instead of allowing. */
  deny?: boolean;
}

/**
 * A user at a browser: follows `url` (an authorization URL), keeping the issuer's cookies, fills
 * the login form (and allows or denies at the consent form), and follows the redirect back to
 * the client. Resolves to the client's answer to that redirect.
 */
export async function signInThrough(url: string, choice: SignInChoice): Promise<{ status: number; url: string; body: string }> {
  const cookies = new Map<string, string>();
  const issuerOrigin = new URL(url).origin;
  let next: { url: string; method: 'GET' | 'POST'; form?: URLSearchParams } = { url, method: 'GET' };
  for (let hop = 0; hop < 20; hop++) {
    const target = new URL(next.url);
    if (target.origin !== issuerOrigin) {
      const res = await fetch(target, { redirect: 'manual' });
      return { status: res.status, url: target.href, body: await res.text() };
    }
    const res = await fetch(target, {
      method: next.method,
      redirect: 'manual',
      headers: { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '), ...(next.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      ...(next.form ? { body: next.form } : {}),
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      cookies.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location !== null) {
      next = { url: new URL(location, target).href, method: 'GET' };
      continue;
    }
    const html = await res.text();
    if (res.status !== 200) throw new Error(`the issuer answered ${res.status} at ${target.pathname}: ${html.slice(0, 300)}`);
    const actions = [...html.matchAll(/action="([^"]+)"/g)].map((m) => m[1]!);
    const login = actions.find((a) => a.endsWith('/login'));
    if (login !== undefined) {
      next = { url: new URL(login, target).href, method: 'POST', form: new URLSearchParams({ login: choice.user, password: choice.password ?? ACCOUNTS[choice.user]?.password ?? '' }) };
      continue;
    }
    const consent = actions.find((a) => a.endsWith(choice.deny ? '/abort' : '/confirm'));
    if (consent === undefined) throw new Error(`no form to fill at ${target.pathname}: ${html.slice(0, 300)}`);
    next = { url: new URL(consent, target).href, method: 'POST', form: new URLSearchParams() };
  }
  throw new Error('the sign-in went through more than 20 pages');
}
