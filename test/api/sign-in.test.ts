/**
 * Sign-in against a real OpenID provider (test/support/oidc-provider.ts): what
 * `GET /api/v1/auth/config` tells the page, the page's token requests relayed to the issuer
 * (`POST /api/v1/auth/token`), and the token's roles from the access-control config.
 */
import { createHash, randomBytes } from 'node:crypto';
import { enforcedAccess, openAccess, parseAuthConfig } from '../../api/auth/index.js';
import { resourceIndicatorOf } from '../../api/auth/sign-in.js';
import { AUDIENCE, CLI_CLIENT, PAGE_CLIENT, signInThrough, type OidcProviderServer } from '../support/oidc-provider.js';
import { startSignInApi, type SignInApi } from '../support/sign-in-api.js';
import { demoBackend, request, startApi, type RunningApi } from './support.js';

let signIn: SignInApi;
let idp: OidcProviderServer;
let api: RunningApi;

beforeAll(async () => {
  signIn = await startSignInApi();
  ({ idp, api } = signIn);
});
afterAll(async () => {
  await signIn.close();
});

/** The page's part of the flow, by hand: PKCE, the authorization URL, the code it comes back with. */
async function authorize(user: string, options: { deny?: boolean } = {}): Promise<{ code?: string; error?: string; state: string | null; verifier: string }> {
  const config = (await (await fetch(`${api.url}/api/v1/auth/config`)).json()) as { oidc: { authorizationEndpoint: string; resource?: string; scopes: string[] } };
  const verifier = randomBytes(32).toString('base64url');
  const url = new URL(config.oidc.authorizationEndpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: PAGE_CLIENT,
    redirect_uri: `${api.url}/`,
    scope: config.oidc.scopes.join(' '),
    state: 'the-state',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...(config.oidc.resource ? { resource: config.oidc.resource } : {}),
    prompt: 'consent',
  }).toString();
  const back = await signInThrough(url.href, { user, ...options });
  expect(back.status).toBe(200); // the page itself
  const params = new URL(back.url).searchParams;
  return { ...(params.get('code') ? { code: params.get('code')! } : {}), ...(params.get('error') ? { error: params.get('error')! } : {}), state: params.get('state'), verifier };
}

async function relay(body: unknown): Promise<{ status: number; json: Record<string, any> }> {
  const res = await fetch(`${api.url}/api/v1/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}

async function tokenFor(user: string): Promise<{ access_token: string; refresh_token?: string }> {
  const { code, verifier } = await authorize(user);
  const answer = await relay({ grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: `${api.url}/` });
  expect(answer.status).toBe(200);
  return answer.json as { access_token: string; refresh_token?: string };
}

describe('GET /api/v1/auth/config', () => {
  it('tells the page the issuer, its client, the scopes, the resource and where to go', async () => {
    const res = await request(api, 'GET', '/api/v1/auth/config');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      oidc: {
        issuer: idp.issuer,
        clientId: PAGE_CLIENT,
        cliClientId: CLI_CLIENT,
        scopes: ['openid', 'email', 'groups', 'offline_access'],
        audience: AUDIENCE,
        resource: AUDIENCE,
        authorizationEndpoint: `${idp.issuer}/auth`,
        tokenEndpoint: '/api/v1/auth/token',
      },
    });
  });

  it('is {} in open mode and without a client id, so the page offers no sign-in button', async () => {
    const open = await startApi({ backend: demoBackend(), access: openAccess() });
    const noClient = await startApi({ backend: demoBackend(), access: enforcedAccess(parseAuthConfig(`oidc: { issuer: ${idp.issuer}, audience: x }`, 'auth.yaml')) });
    try {
      expect((await request(open, 'GET', '/api/v1/auth/config')).body).toEqual({});
      expect((await request(noClient, 'GET', '/api/v1/auth/config')).body).toEqual({});
      const relayed = await fetch(`${noClient.url}/api/v1/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(relayed.status).toBe(404);
    } finally {
      await open.close();
      await noClient.close();
    }
  });

  it('says why sign-in is not possible when the issuer cannot be read', async () => {
    const down = await startApi({ backend: demoBackend(), access: enforcedAccess(parseAuthConfig(`oidc: { issuer: "http://127.0.0.1:1", audience: x, clientId: p }`, 'auth.yaml')) });
    try {
      const body = (await request(down, 'GET', '/api/v1/auth/config')).body as { oidc: Record<string, unknown> };
      expect(body.oidc['authorizationEndpoint']).toBeUndefined();
      expect(body.oidc['problem']).toMatch(/^cannot read the OIDC issuer's discovery document http:\/\/127\.0\.0\.1:1\/\.well-known\/openid-configuration/);
    } finally {
      await down.close();
    }
  });
});

describe('POST /api/v1/auth/token (the relay) and the roles of a signed-in user', () => {
  it('exchanges the code for a JWT the api accepts; the groups claim gives the roles', async () => {
    const { access_token, refresh_token } = await tokenFor('rita');
    expect(refresh_token).toEqual(expect.any(String));
    const who = await request(api, 'GET', '/api/v1/whoami?project=demo', { headers: { authorization: `Bearer ${access_token}` } });
    expect(who.status).toBe(200);
    expect(who.body).toMatchObject({ name: 'oidc:rita@example.com', via: 'oidc', project: { stages: { prod: { approve: { allowed: true } } } } });

    const refreshed = await relay({ grant_type: 'refresh_token', refresh_token });
    expect(refreshed.status).toBe(200);
    expect((await request(api, 'GET', '/api/v1/whoami', { headers: { authorization: `Bearer ${refreshed.json['access_token']}` } })).status).toBe(200);
  });

  it('gives a user whose groups hold no approve right a 403 on approve', async () => {
    const { access_token } = await tokenFor('dana');
    const res = await request(api, 'POST', '/api/v1/projects/demo/freight/tidy-otter/approve', { headers: { authorization: `Bearer ${access_token}` }, body: { stage: 'prod' } });
    expect(res.status).toBe(403);
    expect(JSON.stringify(res.body)).toMatch(/oidc:dana@example\.com .*needs the approver role/);
  });

  it('passes the issuer refusal of a bad code on as a 400, and refuses a malformed request itself', async () => {
    const { verifier } = await authorize('rita');
    const wrongCode = await relay({ grant_type: 'authorization_code', code: 'not-a-code', code_verifier: verifier, redirect_uri: `${api.url}/` });
    expect(wrongCode.status).toBe(400);
    expect(wrongCode.json['error'].message).toMatch(/^the issuer refused the token request: invalid_grant/);

    const { code } = await authorize('rita');
    const wrongVerifier = await relay({ grant_type: 'authorization_code', code, code_verifier: randomBytes(32).toString('base64url'), redirect_uri: `${api.url}/` });
    expect(wrongVerifier.status).toBe(400);
    expect(wrongVerifier.json['error'].message).toMatch(/^the issuer refused the token request: invalid_grant/);

    const noGrant = await relay({ code: 'x' });
    expect(noGrant.status).toBe(400);
    expect(noGrant.json['error'].message).toMatch(/^invalid token request: grant_type: must be "authorization_code" or "refresh_token"/);
    const shortVerifier = await relay({ grant_type: 'authorization_code', code: 'x', code_verifier: 'short', redirect_uri: `${api.url}/` });
    expect(shortVerifier.json['error'].message).toMatch(/code_verifier: must be an RFC 7636 code verifier/);
  });

  it('comes back with error=access_denied when the user denies', async () => {
    const back = await authorize('rita', { deny: true });
    expect(back).toMatchObject({ error: 'access_denied', state: 'the-state' });
  });
});

describe('resourceIndicatorOf', () => {
  it('is the audience when it is an absolute URI, else none', () => {
    expect(resourceIndicatorOf('urn:shunt:api')).toBe('urn:shunt:api');
    expect(resourceIndicatorOf('https://shunt.example.com/api')).toBe('https://shunt.example.com/api');
    expect(resourceIndicatorOf('shunt')).toBeUndefined();
    expect(resourceIndicatorOf('https://shunt.example.com/#x')).toBeUndefined();
  });
});
