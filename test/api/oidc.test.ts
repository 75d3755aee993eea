/**
 * OIDC: JWTs from an issuer whose keys a real JWKS HTTP server of this test serves (with the
 * discovery document), verified by the api; each kind of bad JWT gets a 401 saying why.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { enforcedAccess, parseAuthConfig } from '../../api/auth/index.js';
import { bearer, TOKENS } from './auth-fixtures.js';
import { hashToken } from '../../api/auth/index.js';
import { demoBackend, request, startApi, type RunningApi } from './support.js';

let issuerServer: Server;
let issuer: string;
let signingKey: CryptoKey;
let strangerKey: CryptoKey;
let jwks: { keys: JWK[] };
let jwksFetches = 0;
let api: RunningApi;

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  signingKey = pair.privateKey;
  strangerKey = (await generateKeyPair('RS256')).privateKey;
  jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] };
  issuerServer = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/.well-known/openid-configuration') {
      res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/keys` }));
    } else if (req.url === '/keys') {
      jwksFetches++;
      res.end(JSON.stringify(jwks));
    } else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
  await new Promise<void>((resolve) => issuerServer.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(issuerServer.address() as AddressInfo).port}`;
  const config = parseAuthConfig(
    `
tokens:
  # A static token whose name is an OIDC user's email: the two must never share an audit name.
  - { name: erin@example.com, sha256: ${hashToken(TOKENS.admin)}, grants: [{ role: admin }] }
oidc:
  issuer: ${issuer}
  audience: shunt
  groups:
    - { group: developers, grants: [{ role: promoter, projects: [demo], stages: [dev, staging] }] }
    - { group: release-managers, grants: [{ role: promoter, projects: ["*"] }, { role: approver, projects: ["*"], stages: [prod] }] }
`,
    'oidc.yaml',
  );
  api = await startApi({ backend: demoBackend(), access: enforcedAccess(config) });
});

afterAll(async () => {
  await api.close();
  await new Promise((r) => issuerServer.close(r));
});

interface TokenOptions {
  key?: CryptoKey;
  kid?: string;
  iss?: string;
  aud?: string;
  /** null: no `exp` claim at all. */
  exp?: number | string | null;
  claims?: Record<string, unknown>;
}

async function jwt(options: TokenOptions = {}): Promise<string> {
  const token = new SignJWT({ email: 'erin@example.com', groups: ['developers'], ...options.claims })
    .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? 'k1' })
    .setSubject('u-123')
    .setIssuer(options.iss ?? issuer)
    .setAudience(options.aud ?? 'shunt')
    .setIssuedAt();
  if (options.exp !== null) token.setExpirationTime(options.exp ?? '10m');
  return token.sign(options.key ?? signingKey);
}

const promoteAs = async (token: string, stage: string) =>
  request(api, 'POST', '/api/v1/projects/demo/promotions', { body: { stage, freight: 'tidy-otter' }, headers: bearer(token) });

describe('OIDC bearer tokens', () => {
  it('accepts a JWT signed by the issuer: the email claim is the actor, groups give the roles', async () => {
    const res = await request(api, 'GET', '/api/v1/whoami', { headers: bearer(await jwt()) });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: 'oidc:erin@example.com', via: 'oidc', grants: [{ role: 'promoter', stages: ['dev', 'staging'] }] });
    expect(jwksFetches).toBeGreaterThan(0);
    expect((await promoteAs(await jwt(), 'dev')).status).toBe(201);
  });

  it('gives prod only to the release-managers group', async () => {
    const developer = await promoteAs(await jwt(), 'prod');
    expect(developer.status).toBe(403);
    expect(developer.body.error.message).toMatch(/^oidc:erin@example.com .* may not promote to stage "prod"/);
    const manager = await jwt({ claims: { email: 'rm@example.com', groups: ['release-managers'] } });
    const res = await request(api, 'GET', '/api/v1/whoami?project=demo', { headers: bearer(manager) });
    expect(res.body.project.stages.prod).toEqual({ promote: { allowed: true }, approve: { allowed: true } });
  });

  it('falls back to the sub claim when the token has no email', async () => {
    const res = await request(api, 'GET', '/api/v1/whoami', { headers: bearer(await jwt({ claims: { email: undefined } })) });
    expect(res.body.name).toBe('oidc:u-123');
  });

  it('never gives an OIDC user the audit name of a static token: OIDC names are oidc:<user>', async () => {
    const viaToken = await request(api, 'GET', '/api/v1/whoami', { headers: bearer(TOKENS.admin) });
    const viaOidc = await request(api, 'GET', '/api/v1/whoami', { headers: bearer(await jwt()) });
    expect(viaToken.body).toMatchObject({ name: 'erin@example.com', via: 'token' });
    expect(viaOidc.body).toMatchObject({ name: 'oidc:erin@example.com', via: 'oidc' });
    await promoteAs(await jwt(), 'prod');
    const events = api.backend.audit.get('demo') ?? [];
    expect(events.at(-1)).toMatchObject({ actor: 'oidc:erin@example.com', via: 'oidc', outcome: 'denied' });
  });

  it.each<[string, () => Promise<string>, RegExp]>([
    ['an expired token', () => jwt({ exp: Math.floor(Date.now() / 1000) - 60 }), /^the token expired/],
    ['a token that never expires (no exp claim)', () => jwt({ exp: null }), /^the token's "exp" claim is refused: missing required "exp" claim/],
    ['a token signed by another key', () => jwt({ key: strangerKey }), /signature does not verify against the keys of http:\/\/127\.0\.0\.1/],
    ['a token with an unknown key id', () => jwt({ key: strangerKey, kid: 'nope' }), /no key of .* matches the token's key id/],
    ['a token of another issuer', () => jwt({ iss: 'https://evil.example.com' }), /the token's "iss" claim is refused/],
    ['a token for another audience', () => jwt({ aud: 'someone-else' }), /the token's "aud" claim is refused/],
    ['a JWT with a made-up signature', async () => 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.AAAA', /^the token's signature does not verify against the keys of http/],
    ['a JWT whose header is not JSON', async () => 'eyJub3Q.eyJ4In0.AAAA', /^the token is not a valid JWT: /],
  ])('answers 401 for %s, saying why', async (_what, make, reason) => {
    const res = await request(api, 'GET', '/api/v1/projects', { headers: bearer(await make()) });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('Unauthenticated');
    expect(res.body.error.message).toMatch(reason);
  });
});

describe('an unreachable OIDC issuer', () => {
  it('answers 503 saying the issuer cannot be read, not 401', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadIssuer = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((r) => closed.close(r));
    const config = parseAuthConfig(`oidc: { issuer: "${deadIssuer}", audience: shunt }`, 'dead.yaml');
    const dead = await startApi({ backend: demoBackend(), access: enforcedAccess(config) });
    try {
      const res = await request(dead, 'GET', '/api/v1/projects', { headers: bearer(await jwt()) });
      expect(res.status).toBe(503);
      expect(res.body.error).toMatchObject({ code: 'Unavailable', message: expect.stringMatching(/^cannot read the OIDC issuer's discovery document http:\/\/127\.0\.0\.1:\d+\/\.well-known\/openid-configuration: /) });
    } finally {
      await dead.close();
    }
  });
});
