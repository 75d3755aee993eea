/** The access-control config file: what each kind of bad file gets (a clear error naming the field). */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accessControlFrom, hashToken, loadAuthConfig, parseAuthConfig } from '../../api/auth/index.js';
import { authDecision } from '../../launcher/config.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shunt-auth-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const hash = hashToken('t');

describe('the access-control config file', () => {
  it('parses tokens with defaults: a grant without projects or stages covers all', () => {
    const config = parseAuthConfig(`tokens: [{ name: ci, sha256: "${hash}", grants: [{ role: viewer }] }]`, 'a.yaml');
    expect(config.tokens[0]).toEqual({ name: 'ci', sha256: hash, grants: [{ role: 'viewer', projects: ['*'], stages: ['*'] }] });
  });

  it.each<[string, string, RegExp]>([
    ['not YAML', 'tokens: [', /auth\.yaml: is not valid YAML or JSON/],
    ['a list instead of a mapping', '- a\n- b', /expected a mapping with `tokens` and\/or `oidc`/],
    ['nobody at all', 'tokens: []', /lists no tokens and no oidc issuer: nobody could sign in/],
    ['a plain-text token instead of its hash', 'tokens: [{ name: ci, sha256: secret, grants: [{ role: viewer }] }]', /tokens\[0\]\.sha256: must be the 64 hex digits of the token's SHA-256/],
    ['an unknown role', `tokens: [{ name: ci, sha256: "${hash}", grants: [{ role: owner }] }]`, /tokens\[0\]\.grants\[0\]\.role: must be one of viewer, promoter, approver, admin/],
    ['a token without grants', `tokens: [{ name: ci, sha256: "${hash}", grants: [] }]`, /tokens\[0\]\.grants: list at least one grant/],
    ['the same token twice', `tokens: [{ name: a, sha256: "${hash}", grants: [{ role: viewer }] }, { name: b, sha256: "${hash}", grants: [{ role: admin }] }]`, /tokens\[1\]\.sha256: same hash as tokens\[0\]/],
    ['an unknown top-level key', `tokenz: []`, /Unrecognized key.*tokenz/],
    ['a token named like an OIDC user', `tokens: [{ name: "oidc:erin@example.com", sha256: "${hash}", grants: [{ role: viewer }] }]`, /tokens\[0\]\.name: must not start with "oidc:": that prefix names OIDC users in the audit trail/],
    ['an OIDC issuer that is not a URL', 'oidc: { issuer: login, audience: shunt }', /oidc\.issuer: must be the issuer URL/],
  ])('refuses %s', (_what, text, message) => {
    expect(() => parseAuthConfig(text, 'auth.yaml')).toThrow(message);
  });

  it('says when the file cannot be read', async () => {
    await expect(loadAuthConfig(join(dir, 'missing.yaml'))).rejects.toThrow(/missing\.yaml: cannot be read: ENOENT/);
  });

  it('loads a file from disk for the api process', async () => {
    const path = join(dir, 'auth.yaml');
    await writeFile(path, `tokens: [{ name: ci, sha256: "${hash}", grants: [{ role: admin }] }]`);
    const access = await accessControlFrom({ authMode: 'enforced', authConfigPath: path });
    expect(access.mode).toBe('enforced');
    await expect(access.authenticate('Bearer t')).resolves.toMatchObject({ name: 'ci', via: 'token' });
  });

  it('requires a config file unless open mode is chosen explicitly', async () => {
    await expect(accessControlFrom({ authMode: 'enforced' })).rejects.toThrow(/needs SHUNT_AUTH_CONFIG.*SHUNT_AUTH_MODE=open/);
    await expect(accessControlFrom({ authMode: 'open' })).resolves.toMatchObject({ mode: 'open' });
  });
});

describe('the embedded default (npm start)', () => {
  it('stays open on a loopback address and says so', () => {
    expect(authDecision({ SHUNT_HOST: '127.0.0.1' })).toEqual({
      ok: true,
      mode: 'open',
      reason: expect.stringMatching(/access control OFF: the api listens on 127\.0\.0\.1 only/),
    });
  });

  it('refuses to start open on an address others can reach', () => {
    expect(authDecision({ SHUNT_HOST: '0.0.0.0' })).toEqual({ ok: false, message: expect.stringMatching(/SHUNT_HOST=0\.0\.0\.0 is reachable from other machines: set SHUNT_AUTH_CONFIG/) });
  });

  it('runs open anywhere when told explicitly, and enforced with a config file', () => {
    expect(authDecision({ SHUNT_HOST: '0.0.0.0', SHUNT_AUTH_MODE: 'open' })).toMatchObject({ ok: true, mode: 'open' });
    expect(authDecision({ SHUNT_HOST: '0.0.0.0', SHUNT_AUTH_CONFIG: '/etc/shunt/auth.yaml' })).toMatchObject({ ok: true, mode: 'enforced' });
    expect(authDecision({ SHUNT_HOST: '127.0.0.1', SHUNT_AUTH_MODE: 'enforced' })).toMatchObject({ ok: false });
  });
});
