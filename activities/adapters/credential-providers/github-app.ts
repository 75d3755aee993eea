/**
 * GitHub App credentials (Kargo's pkg/credentials/github): `githubAppID` or `githubAppClientID`,
 * `githubAppInstallationID` and `githubAppPrivateKey` (PEM, or base64 of it) are exchanged for an
 * installation access token scoped to the one repository, used as `x-access-token:<token>` for
 * git over HTTPS and as the API token of the PR steps. The exchange: an RS256 JWT (iss = the App
 * or client id, iat 60 s in the past against clock drift, exp 9 minutes ahead: GitHub refuses more
 * than 10) POSTed to `{api}/app/installations/{id}/access_tokens`, where `{api}` is
 * `https://api.github.com` for github.com and `https://<host>/api/v3` for GitHub Enterprise (as
 * Kargo's WithEnterpriseURL). The host is the tenant's repoURL, so the request goes through the
 * egress policy like the git traffic to that host.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { z } from 'zod';
import { DomainError } from '../../../core/errors.js';
import { GITHUB_APP_FIELDS } from '../../../core/credentials/fields.js';
import { isPemPrivateKey } from '../../../core/manifests/credential-secret.js';
import { httpRequest, shownURL } from '../http-client.js';
import type { RepoCredentials } from '../credentials.js';
import { cacheKey, type TokenCache } from './token-cache.js';
import { errorCode, exchangeRefused, parseJSON } from './trusted-request.js';

/** `POST /app/installations/{id}/access_tokens`: the token and when it expires (ISO 8601). */
const InstallationToken = z.object({ token: z.string().min(1), expires_at: z.string().optional() });

/** The username GitHub documents for installation tokens over git HTTPS. */
export const GITHUB_TOKEN_USERNAME = 'x-access-token';

/** Whether the fields declare a GitHub App (Kargo's Supports: an id, an installation, a key; http(s) only). */
export function isGitHubApp(data: Readonly<Record<string, string>>, repoURL: string): boolean {
  return (
    /^https?:\/\//i.test(repoURL) &&
    (data[GITHUB_APP_FIELDS.clientID] ?? data[GITHUB_APP_FIELDS.appID] ?? '') !== '' &&
    (data[GITHUB_APP_FIELDS.installationID] ?? '') !== '' &&
    (data[GITHUB_APP_FIELDS.privateKey] ?? '') !== ''
  );
}

/** `https://host/owner/repo(.git)` → the API base and the repository name. */
export function githubAppTarget(repoURL: string): { apiBase: string; repo: string } {
  let u: URL;
  try {
    u = new URL(repoURL);
  } catch {
    throw new DomainError('StepFailed', 'a GitHub App credential needs an http(s) repoURL');
  }
  const parts = u.pathname.replace(/\/+$/, '').replace(/\.git$/, '').split('/').filter(Boolean);
  if (parts.length < 2) throw new DomainError('StepFailed', `${shownURL(repoURL)} does not name an owner and a repository`);
  const apiBase = u.hostname === 'github.com' ? 'https://api.github.com' : `${u.origin}/api/v3`;
  return { apiBase, repo: parts[parts.length - 1]! };
}

/** The App's key as Kargo reads it: PEM, or (formerly required) base64 of the PEM. */
function appKey(encoded: string): KeyObject {
  const text = encoded.trim();
  const pem = isPemPrivateKey(text) ? text : isPemPrivateKey(text, true) ? Buffer.from(text, 'base64').toString('utf8') : undefined;
  try {
    if (pem === undefined) throw new Error('not PEM');
    return createPrivateKey(pem);
  } catch {
    throw new DomainError('StepFailed', `${GITHUB_APP_FIELDS.privateKey} is not a PEM private key (or base64 of one)`);
  }
}

/** The App's JWT, as GitHub documents it ("Generating a JSON Web Token for a GitHub App"). */
export async function githubAppJWT(appOrClientID: string, key: KeyObject, nowMs: number): Promise<string> {
  const now = Math.floor(nowMs / 1000);
  return new SignJWT({}).setProtectedHeader({ alg: 'RS256', typ: 'JWT' }).setIssuer(appOrClientID).setIssuedAt(now - 60).setExpirationTime(now + 9 * 60).sign(key);
}

export interface GitHubAppDeps {
  cache: TokenCache<string>;
  now: () => number;
  signal?: AbortSignal | undefined;
}

export async function githubAppLogin(data: Readonly<Record<string, string>>, repoURL: string, deps: GitHubAppDeps): Promise<RepoCredentials> {
  const appOrClientID = (data[GITHUB_APP_FIELDS.clientID] || data[GITHUB_APP_FIELDS.appID]) ?? '';
  const installation = (data[GITHUB_APP_FIELDS.installationID] ?? '').trim();
  if (!/^[0-9]+$/.test(installation)) throw new DomainError('StepFailed', `${GITHUB_APP_FIELDS.installationID} must be the numeric installation ID`);
  const encodedKey = data[GITHUB_APP_FIELDS.privateKey] ?? '';
  const { apiBase, repo } = githubAppTarget(repoURL);
  const key = cacheKey('githubApp', appOrClientID, installation, encodedKey, apiBase, repo);
  const token = await deps.cache.get(key, async () => {
    const jwt = await githubAppJWT(appOrClientID, appKey(encodedKey), deps.now());
    const url = `${apiBase}/app/installations/${installation}/access_tokens`;
    const what = `GitHub App installation token for ${shownURL(repoURL)}`;
    const res = await httpRequest({
      url,
      method: 'POST',
      headers: {
        accept: 'application/vnd.github+json',
        authorization: `Bearer ${jwt}`,
        'content-type': 'application/json',
        'user-agent': 'shunt',
        'x-github-api-version': '2022-11-28',
      },
      body: JSON.stringify({ repositories: [repo] }),
      timeoutMs: 30_000,
      ...(deps.signal ? { signal: deps.signal } : {}),
    });
    const text = res.body.toString('utf8');
    if (res.status !== 201 && res.status !== 200) throw exchangeRefused(what, url, res.status, errorCode(text));
    const body = parseJSON(what, text, InstallationToken);
    const expiresAt = body.expires_at !== undefined ? Date.parse(body.expires_at) : NaN;
    return { value: body.token, expiresAt: Number.isFinite(expiresAt) ? expiresAt : undefined };
  });
  return { username: GITHUB_TOKEN_USERNAME, password: token };
}
