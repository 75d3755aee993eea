/**
 * The CLI's view of the OpenID provider the api trusts, through `openid-client`: discovery as a
 * public client (no secret), and the refresh grant. Plain http is accepted only for an issuer on
 * a loopback address (a provider on the same machine); anywhere else it must be https.
 */
import * as client from 'openid-client';
import { CliError } from './errors.js';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export async function discoverIssuer(issuer: string, clientId: string, fetchFn: typeof fetch): Promise<client.Configuration> {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new CliError(`the api names an OIDC issuer that is not a URL: ${JSON.stringify(issuer)}`);
  }
  const insecure = url.protocol === 'http:';
  if (insecure && !LOOPBACK_HOSTS.has(url.hostname)) {
    throw new CliError(`the OIDC issuer ${issuer} uses http: only https is accepted (http only on a loopback address)`);
  }
  try {
    return await client.discovery(url, clientId, undefined, client.None(), {
      execute: insecure ? [client.allowInsecureRequests] : [],
      [client.customFetch]: (input, init) => fetchFn(input, init as RequestInit),
      timeout: 10,
    });
  } catch (err) {
    throw new CliError(`cannot reach the OIDC issuer ${issuer}: ${describe(err)}`);
  }
}

/** The tokens of a grant, as the CLI stores them. */
export interface IssuedTokens {
  accessToken: string;
  refreshToken?: string;
  expiresAt?: string;
}

export function issuedTokens(response: client.TokenEndpointResponse, now: Date): IssuedTokens {
  const expiresIn = response.expires_in;
  return {
    accessToken: response.access_token,
    ...(response.refresh_token === undefined ? {} : { refreshToken: response.refresh_token }),
    ...(typeof expiresIn === 'number' ? { expiresAt: new Date(now.getTime() + expiresIn * 1000).toISOString() } : {}),
  };
}

export async function refreshTokens(config: client.Configuration, refreshToken: string, resource: string | undefined, now: Date): Promise<IssuedTokens> {
  const response = await client.refreshTokenGrant(config, refreshToken, resource === undefined ? undefined : { resource });
  const tokens = issuedTokens(response, now);
  // An issuer that does not rotate refresh tokens answers without one: the old one stays good.
  return tokens.refreshToken === undefined ? { ...tokens, refreshToken } : tokens;
}

/** An openid-client error in one line: the OAuth error and its description when the issuer sent them. */
export function describe(err: unknown): string {
  const e = err as { error?: unknown; error_description?: unknown; message?: unknown; cause?: unknown };
  if (typeof e.error === 'string') return typeof e.error_description === 'string' ? `${e.error} (${e.error_description})` : e.error;
  const cause = e.cause as { message?: unknown; code?: unknown } | undefined;
  const message = typeof e.message === 'string' ? e.message : String(err);
  return cause && typeof cause.message === 'string' && !message.includes(cause.message) ? `${message}: ${cause.message}` : message;
}
