/**
 * `shunt login`: the OpenID Connect authorization code flow with PKCE for a command-line client
 * (RFC 8252): the api names the issuer and the CLI's public client (`GET /api/v1/auth/config`),
 * the user signs in at the printed address, the browser comes back to a loopback redirect, and
 * the tokens are stored for that server in the user's config file (cli/user-config.ts). Later
 * commands send the stored token, renewed with the refresh token once it expired.
 */
import * as client from 'openid-client';
import type { AuthConfigResponse, ShuntClient } from './client.js';
import { CliError } from './errors.js';
import { listenForRedirect } from './loopback-redirect.js';
import { describe, discoverIssuer, issuedTokens, refreshTokens } from './oidc-issuer.js';
import { readUserConfig, updateUserConfig, type StoredSignIn } from './user-config.js';

/** Renew a token this long before it expires, so that it does not expire in flight. */
const EXPIRY_MARGIN_MS = 30_000;

export interface LoginRequest {
  api: ShuntClient;
  configPath: string;
  fetch: typeof fetch;
  now: () => Date;
  /** Shows the address to open (stderr). */
  say: (line: string) => void;
  /** Opens the address in the user's browser; absent: print only. */
  openBrowser?: (url: string) => void;
  port?: number;
  timeoutMs: number;
}

type SignInSettings = NonNullable<AuthConfigResponse['oidc']>;

/** Signs in and stores the tokens; resolves to the stored entry. */
export async function login(request: LoginRequest): Promise<StoredSignIn> {
  const oidc = await signInSettings(request.api);
  const clientId = oidc.cliClientId;
  const issuer = await discoverIssuer(oidc.issuer, clientId, request.fetch);
  const redirect = await listenForRedirect(request.port);
  try {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(issuer, {
      redirect_uri: redirect.redirectUri,
      scope: oidc.scopes.join(' '),
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      ...(oidc.resource === undefined ? {} : { resource: oidc.resource }),
    });
    request.say(`Open this address in a browser to sign in to ${request.api.server}:\n\n  ${url.href}\n`);
    request.openBrowser?.(url.href);
    const callback = await redirect.callback(state, request.timeoutMs);
    let response: client.TokenEndpointResponse;
    try {
      response = await client.authorizationCodeGrant(issuer, callback, { pkceCodeVerifier: verifier, expectedState: state }, oidc.resource === undefined ? undefined : { resource: oidc.resource });
    } catch (err) {
      throw new CliError(`the issuer ${oidc.issuer} refused the authorization code: ${describe(err)}`);
    }
    const stored: StoredSignIn = { issuer: oidc.issuer, clientId, ...(oidc.resource === undefined ? {} : { resource: oidc.resource }), ...issuedTokens(response, request.now()) };
    await updateUserConfig(request.configPath, (config) => {
      config.servers[request.api.server] = { ...config.servers[request.api.server], signIn: stored };
    });
    return stored;
  } finally {
    await redirect.close();
  }
}

async function signInSettings(api: ShuntClient): Promise<SignInSettings> {
  const answer = await api.authConfig();
  const oidc = answer.oidc;
  if (oidc === undefined) {
    throw new CliError(`the api at ${api.server} offers no OIDC sign-in (open mode, or no oidc.clientId in its access-control config): use --token or SHUNT_TOKEN`);
  }
  if (oidc.problem !== undefined) throw new CliError(`the api at ${api.server} cannot offer sign-in now: ${oidc.problem}`);
  return oidc;
}

/** Forgets the sign-in stored for `server`; false when there was none. */
export async function logout(configPath: string, server: string): Promise<boolean> {
  return updateUserConfig(configPath, (c) => {
    const { signIn, ...rest } = c.servers[server] ?? {};
    if (signIn === undefined) return false;
    if (Object.keys(rest).length === 0) delete c.servers[server];
    else c.servers[server] = rest;
    return true;
  });
}

/**
 * The token `shunt login` stored for `server`, renewed first when it expired (or is about to)
 * and a refresh token was given; undefined when the user never signed in there.
 */
export async function storedToken(configPath: string, server: string, fetchFn: typeof fetch, now: Date): Promise<string | undefined> {
  const config = await readUserConfig(configPath);
  const signIn = config.servers[server]?.signIn;
  if (signIn === undefined) return undefined;
  if (signIn.expiresAt === undefined || Date.parse(signIn.expiresAt) - EXPIRY_MARGIN_MS > now.getTime()) return signIn.accessToken;
  if (signIn.refreshToken === undefined) {
    throw new CliError(`the sign-in to ${server} expired at ${signIn.expiresAt}: run shunt login --server ${server}`);
  }
  let renewed;
  try {
    renewed = await refreshTokens(await discoverIssuer(signIn.issuer, signIn.clientId, fetchFn), signIn.refreshToken, signIn.resource, now);
  } catch (err) {
    throw new CliError(`the sign-in to ${server} expired and could not be renewed (${err instanceof CliError ? err.message : describe(err)}): run shunt login --server ${server}`);
  }
  const { refreshToken: _old, expiresAt: _was, ...kept } = signIn;
  const next: StoredSignIn = { ...kept, ...renewed };
  await updateUserConfig(configPath, (c) => {
    c.servers[server] = { ...c.servers[server], signIn: next };
  });
  return next.accessToken;
}
