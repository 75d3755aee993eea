/**
 * `shunt login` against a real OpenID provider (test/support/oidc-provider.ts): the printed
 * address is followed by an HTTP client that fills the provider's login and consent forms, the
 * browser's redirect reaches the CLI's loopback server, and the token is stored per server in
 * the user's config file (0600, its directory 0700). Then the CLI works with it, renews it, and
 * forgets it; each bad input gets its error.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { enforcedAccess, openAccess, parseAuthConfig } from '../../api/auth/index.js';
import { run } from '../../cli/index.js';
import type { CliResult } from '../support/cli.js';
import { deferred } from '../support/deferred.js';
import { signInThrough, type OidcProviderServer } from '../support/oidc-provider.js';
import { startSignInApi, type SignInApi } from '../support/sign-in-api.js';
import { demoBackend, startApi, type RunningApi } from './support.js';

let signIn: SignInApi;
let idp: OidcProviderServer;
let api: RunningApi;
let home: string;
let configPath: string;

beforeAll(async () => {
  signIn = await startSignInApi();
  ({ idp, api } = signIn);
});
afterAll(async () => {
  await signIn.close();
});
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'shunt-login-'));
  configPath = join(home, 'config', 'shunt', 'config.yaml');
});
afterEach(() => rm(home, { recursive: true, force: true }));

interface Started {
  /** The address `shunt login` printed for the user to open. */
  url: Promise<string>;
  done: Promise<CliResult>;
}

/** Runs the CLI in-process with the test's config file; `url` settles once an address was printed. */
function start(argv: string[], options: { server?: string; now?: Date } = {}): Started {
  const url = deferred<string>();
  let stdout = '';
  let stderr = '';
  const done = run(argv, {
    env: { SHUNT_SERVER: options.server ?? api.url, SHUNT_CLI_CONFIG: configPath },
    ...(options.now ? { now: () => options.now! } : {}),
    stdout: (text) => void (stdout += text),
    stderr: (text) => {
      stderr += text;
      const printed = /^ {2}(http\S+)$/m.exec(stderr);
      if (printed && !url.settled) url.resolve(printed[1]!);
    },
  }).then((code) => {
    if (!url.settled) url.reject(new Error(`no address printed: ${stderr}`));
    return { code, stdout, stderr };
  });
  url.promise.catch(() => undefined); // a run that fails before printing is judged by `done`
  return { url: url.promise, done };
}

const shunt = (argv: string[], options: { server?: string; now?: Date } = {}): Promise<CliResult> => start(argv, options).done;

async function signedIn(user: string): Promise<CliResult> {
  const login = start(['login', '--no-browser', '--timeout', '1m']);
  const back = await signInThrough(await login.url, { user });
  expect(back).toMatchObject({ status: 200, body: 'Signed in to Shunt. You may close this window.\n' });
  return login.done;
}

const stored = async (): Promise<{ servers: Record<string, { signIn: Record<string, string> }> }> => YAML.parse(await readFile(configPath, 'utf8'));

describe('shunt login', () => {
  it('signs in through the issuer, stores the token 0600 for this server, and the CLI uses it', async () => {
    const result = await signedIn('rita');
    expect(result.stderr).toContain(`Open this address in a browser to sign in to ${api.url}:`);
    expect(result.stdout).toMatch(new RegExp(`^Signed in to ${api.url} as oidc:rita@example\\.com \\(the token expires at \\S+, then is renewed\\); saved in ${configPath}\\n$`));
    expect((await stat(configPath)).mode & 0o777).toBe(0o600);
    expect((await stat(join(home, 'config', 'shunt'))).mode & 0o777).toBe(0o700);
    expect((await stored()).servers[api.url]!.signIn).toMatchObject({ issuer: idp.issuer, clientId: 'shunt-cli', accessToken: expect.any(String), refreshToken: expect.any(String) });

    const projects = await shunt(['get', 'projects']);
    expect(projects).toMatchObject({ code: 0, stderr: '' });
    expect(projects.stdout).toMatch(/^NAME/);
    // Another server knows nothing of it.
    const elsewhere = await shunt(['get', 'projects'], { server: api.url.replace('127.0.0.1', 'localhost') });
    expect(elsewhere.stderr).toMatch(/^error: this api requires a bearer token/);
  });

  it('renews an expired token with the refresh token, and says to log in again without one', async () => {
    await signedIn('rita');
    const before = (await stored()).servers[api.url]!.signIn;
    const later = new Date(Date.parse(before['expiresAt']!) + 60_000);
    expect(await shunt(['get', 'projects'], { now: later })).toMatchObject({ code: 0, stderr: '' });
    const after = (await stored()).servers[api.url]!.signIn;
    expect(after['accessToken']).not.toBe(before['accessToken']);
    expect(Date.parse(after['expiresAt']!)).toBeGreaterThan(later.getTime());

    const config = await stored();
    delete config.servers[api.url]!.signIn['refreshToken'];
    await writeFile(configPath, YAML.stringify(config));
    const expired = await shunt(['get', 'projects'], { now: new Date(Date.parse(after['expiresAt']!) + 60_000) });
    expect(expired.code).toBe(1);
    expect(expired.stderr).toBe(`error: the sign-in to ${api.url} expired at ${after['expiresAt']}: run shunt login --server ${api.url}\n`);
  });

  it('forgets the token with shunt logout', async () => {
    await signedIn('dana');
    expect(await shunt(['logout'])).toMatchObject({ code: 0, stdout: `Signed out of ${api.url}\n` });
    expect((await stored()).servers).toEqual({});
    expect((await shunt(['get', 'projects'])).stderr).toMatch(/^error: this api requires a bearer token/);
    expect(await shunt(['logout'])).toMatchObject({ code: 1, stderr: `error: not signed in to ${api.url}: ${configPath} holds no sign-in for it\n` });
  });
});

describe('what each bad login gets', () => {
  it('the user denied at the issuer', async () => {
    const login = start(['login', '--no-browser']);
    const back = await signInThrough(await login.url, { user: 'rita', deny: true });
    expect(back.status).toBe(400);
    const result = await login.done;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: the sign-in was denied at the issuer: access_denied \(the user denied the sign-in\)$/m);
    await expect(stat(configPath)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('a redirect with another state than the one sent', async () => {
    const login = start(['login', '--no-browser']);
    const redirectUri = new URL(await login.url).searchParams.get('redirect_uri')!;
    const forged = await fetch(`${redirectUri}?code=stolen-code&state=another-state`);
    expect(forged.status).toBe(400);
    expect((await login.done).stderr).toMatch(/^error: the browser came back with another state than this login sent \(an old or forged redirect\): nothing was stored; run shunt login again$/m);
  });

  it('no answer from the browser in time', async () => {
    const result = await shunt(['login', '--no-browser', '--timeout', '300ms']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: no answer from the browser within 300ms: run shunt login again \(--timeout waits longer\)$/m);
  });

  it('an api without OIDC sign-in, an api that is not there, an issuer the api cannot reach', async () => {
    const open = await startApi({ backend: demoBackend(), access: openAccess() });
    const noIssuer = await startApi({ backend: demoBackend(), access: enforcedAccess(parseAuthConfig('oidc: { issuer: "http://127.0.0.1:1", audience: x, clientId: p }', 'auth.yaml')) });
    try {
      expect((await shunt(['login', '--no-browser'], { server: open.url })).stderr).toBe(
        `error: the api at ${open.url} offers no OIDC sign-in (open mode, or no oidc.clientId in its access-control config): use --token or SHUNT_TOKEN\n`,
      );
      expect((await shunt(['login', '--no-browser'], { server: 'http://127.0.0.1:1' })).stderr).toBe(
        'error: cannot reach the Shunt api at http://127.0.0.1:1: is it running? (set --server or SHUNT_SERVER)\n',
      );
      expect((await shunt(['login', '--no-browser'], { server: 'not a url' })).stderr).toMatch(/^error: invalid server address "not a url"/);
      expect((await shunt(['login', '--no-browser'], { server: noIssuer.url })).stderr).toMatch(
        /^error: the api at \S+ cannot offer sign-in now: cannot read the OIDC issuer's discovery document http:\/\/127\.0\.0\.1:1\/\.well-known\/openid-configuration/,
      );
    } finally {
      await open.close();
      await noIssuer.close();
    }
  });

  it('a stored sign-in that cannot be renewed, and a config file that is not YAML', async () => {
    await signedIn('rita');
    const config = await stored();
    const signIn = config.servers[api.url]!.signIn;
    const later = new Date(Date.parse(signIn['expiresAt']!) + 60_000);
    for (const [issuer, why] of [
      ['http://127.0.0.1:1', /cannot reach the OIDC issuer http:\/\/127\.0\.0\.1:1: /],
      ['http://login.example.com', /the OIDC issuer http:\/\/login\.example\.com uses http: only https is accepted \(http only on a loopback address\)/],
    ] as const) {
      signIn['issuer'] = issuer;
      await writeFile(configPath, YAML.stringify(config));
      const result = await shunt(['get', 'projects'], { now: later });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(new RegExp(`^error: the sign-in to ${api.url} expired and could not be renewed \\(${why.source}.*\\): run shunt login --server ${api.url}\n$`));
    }

    await writeFile(configPath, 'servers: [');
    expect((await shunt(['get', 'projects'])).stderr).toMatch(new RegExp(`^error: the CLI config ${configPath} is not valid YAML: `));
    await writeFile(configPath, 'servers: { x: { signIn: { issuer: 1 } } }');
    expect((await shunt(['get', 'projects'])).stderr).toMatch(new RegExp(`^error: the CLI config ${configPath} is invalid: servers\\.x\\.signIn\\.issuer: .*\\(fix it, or delete it and run shunt login again\\)\n$`));
  });

  it('bad options', async () => {
    expect((await shunt(['login', '--port', 'x'])).stderr).toBe('error: invalid --port "x": expected a port number (1-65535)\n');
    expect((await shunt(['login', '--timeout', 'soon'])).stderr).toMatch(/^error: invalid --timeout "soon"/);
  });
});
