/**
 * Google Artifact Registry / Container Registry (Kargo's pkg/credentials/gar). A Secret's
 * `gcpServiceAccountKey` (the key file JSON, or base64 of it as Kargo's docs write it) signs an
 * RS256 JWT (iss = client_email, scope devstorage.read_only as Kargo, aud = the token endpoint)
 * exchanged by the OAuth2 JWT-bearer grant (RFC 7523) for an access token, used as the login
 * `oauth2accesstoken:<token>`. The key file's own `token_uri` is never used (the operator's
 * SHUNT_GCP_TOKEN_URL is): a tenant must not choose where the exchange goes. The ambient
 * identity: the metadata server's default service account token.
 */
import { createPrivateKey } from 'node:crypto';
import { SignJWT } from 'jose';
import { z } from 'zod';
import { DomainError } from '../../../core/errors.js';
import { GAR_FIELDS, GAR_REPO, registryRepo } from '../../../core/credentials/fields.js';
import { serviceAccountKeyProblem } from '../../../core/manifests/credential-secret.js';
import type { RepoCredentials } from '../credentials.js';
import type { CredentialProviderSettings } from './settings.js';
import { cacheKey, type TokenCache } from './token-cache.js';
import { errorCode, exchangeRefused, parseJSON, trustedRequest } from './trusted-request.js';

export const GAR_USERNAME = 'oauth2accesstoken';
export const GAR_SCOPE = 'https://www.googleapis.com/auth/devstorage.read_only';

/** Google's OAuth2 token answer (RFC 6749 §5.1). */
const OAuthToken = z.object({ access_token: z.string().min(1), expires_in: z.number().optional() });

/** The fields of a service-account key file Shunt uses (serviceAccountKeyProblem checked them already). */
const ServiceAccountKey = z.object({ client_email: z.string(), private_key: z.string(), private_key_id: z.string().optional() });

export interface GarDeps {
  settings: CredentialProviderSettings;
  cache: TokenCache<string>;
  now: () => number;
  signal?: AbortSignal | undefined;
}

export function isGarRepo(repoURL: string): boolean {
  return GAR_REPO.test(registryRepo(repoURL));
}

function accessToken(what: string, url: string, status: number, text: string, now: number): { value: string; expiresAt?: number | undefined } {
  if (status !== 200) throw exchangeRefused(what, url, status, errorCode(text));
  const body = parseJSON(what, text, OAuthToken);
  return { value: body.access_token, expiresAt: body.expires_in !== undefined ? now + body.expires_in * 1000 : undefined };
}

export async function garLogin(data: Readonly<Record<string, string>>, deps: GarDeps): Promise<RepoCredentials> {
  const raw = (data[GAR_FIELDS.serviceAccountKey] ?? '').trim();
  const problem = serviceAccountKeyProblem(raw);
  if (problem) throw new DomainError('StepFailed', `${GAR_FIELDS.serviceAccountKey} ${problem}`);
  const tokenURL = deps.settings.gcpTokenURL;
  const token = await deps.cache.get(cacheKey('gar', raw, tokenURL), async () => {
    const json = raw.startsWith('{') ? raw : Buffer.from(raw, 'base64').toString('utf8');
    const key = ServiceAccountKey.parse(JSON.parse(json));
    const now = Math.floor(deps.now() / 1000);
    const assertion = await new SignJWT({ scope: GAR_SCOPE })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', ...(key.private_key_id ? { kid: key.private_key_id } : {}) })
      .setIssuer(key.client_email)
      .setAudience(tokenURL)
      .setIssuedAt(now)
      .setExpirationTime(now + 3600)
      .sign(createPrivateKey(key.private_key));
    const what = `Google access token for ${key.client_email}`;
    const res = await trustedRequest(what, tokenURL, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }).toString(),
      signal: deps.signal,
    });
    return accessToken(what, tokenURL, res.status, res.text, deps.now());
  });
  return { username: GAR_USERNAME, password: token };
}

export function garAmbientAvailable(settings: CredentialProviderSettings): boolean {
  return settings.ambient;
}

/** The metadata server's token for the worker's service account. */
export async function garAmbientLogin(deps: GarDeps): Promise<RepoCredentials> {
  const url = `${deps.settings.gcpMetadataURL}/computeMetadata/v1/instance/service-accounts/default/token`;
  const token = await deps.cache.get(cacheKey('gar-metadata', url), async () => {
    const what = 'GCE metadata server token';
    const res = await trustedRequest(what, url, { method: 'GET', headers: { 'metadata-flavor': 'Google' }, signal: deps.signal });
    if (res.status === 200 && res.headers.get('metadata-flavor') !== 'Google') throw new DomainError('StepFailed', `${what}: the answer is not from a metadata server (no Metadata-Flavor: Google)`);
    return accessToken(what, url, res.status, res.text, deps.now());
  });
  return { username: GAR_USERNAME, password: token };
}
