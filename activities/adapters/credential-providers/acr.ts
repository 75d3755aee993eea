/**
 * Azure Container Registry. With a Secret's service principal (`azureTenantID`, `azureClientID`,
 * `azureClientSecret`: Shunt's fields; Kargo's ACR provider has workload identity only) or, as
 * the ambient identity, workload identity (AZURE_TENANT_ID, AZURE_CLIENT_ID and the projected
 * token in AZURE_FEDERATED_TOKEN_FILE as a client assertion): a Microsoft Entra token for
 * `https://containerregistry.azure.net/.default` (client-credentials grant at
 * `{authority}/{tenant}/oauth2/v2.0/token`), exchanged at the registry's `/oauth2/exchange`
 * (grant_type=access_token) for an ACR refresh token, the password of the login
 * `00000000-0000-0000-0000-000000000000` (ACR's documented AAD-OAuth flow).
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { DomainError } from '../../../core/errors.js';
import { ACR_FIELDS, ACR_REPO, registryRepo } from '../../../core/credentials/fields.js';
import type { RepoCredentials } from '../credentials.js';
import type { CredentialProviderSettings } from './settings.js';
import { cacheKey, type TokenCache } from './token-cache.js';
import { errorCode, exchangeRefused, parseJSON, trustedRequest } from './trusted-request.js';

export const ACR_USERNAME = '00000000-0000-0000-0000-000000000000';
export const ACR_SCOPE = 'https://containerregistry.azure.net/.default';
const TENANT = /^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[a-zA-Z0-9-]+(\.[a-zA-Z0-9-]+)+)$/;
/** ACR refresh tokens live 3 hours; kept 150 minutes when the token does not say (as Kargo). */
const DEFAULT_REFRESH_TTL_MS = 150 * 60_000;

export interface AcrDeps {
  settings: CredentialProviderSettings;
  cache: TokenCache<string>;
  now: () => number;
  signal?: AbortSignal | undefined;
}

/** The registry host (`<name>.azurecr.io`) when `repoURL` is an ACR repository. */
export function acrRegistry(repoURL: string): string | undefined {
  const m = ACR_REPO.exec(registryRepo(repoURL));
  return m ? `${m[1]!.toLowerCase()}.azurecr.io` : undefined;
}

export function hasAcrServicePrincipal(data: Readonly<Record<string, string>>): boolean {
  return Object.values(ACR_FIELDS).every((f) => (data[f] ?? '') !== '');
}

export function acrAmbientAvailable(settings: CredentialProviderSettings): boolean {
  const e = settings.env;
  return settings.ambient && !!e['AZURE_TENANT_ID'] && !!e['AZURE_CLIENT_ID'] && !!e['AZURE_FEDERATED_TOKEN_FILE'];
}

/** Microsoft Entra's OAuth2 token answer. */
const EntraToken = z.object({ access_token: z.string().min(1) });
/** ACR's `/oauth2/exchange` answer. */
const AcrRefreshToken = z.object({ refresh_token: z.string().min(1) });
/** The one claim read from ACR's refresh token (a JWT); anything else there is ignored. */
const JwtExpiry = z.object({ exp: z.number().optional() });

/** The `exp` of a JWT (unverified: only to know how long to keep it). */
function jwtExpiry(token: string): number | undefined {
  try {
    const claims = JwtExpiry.safeParse(JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')));
    return claims.success && claims.data.exp !== undefined ? claims.data.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

async function login(registry: string, tenant: string, clientID: string, credential: Record<string, string>, deps: AcrDeps): Promise<RepoCredentials> {
  if (!TENANT.test(tenant)) throw new DomainError('StepFailed', `${ACR_FIELDS.tenantID} is not an Azure tenant ID or domain`);
  const secretPart = credential['client_secret'] ?? credential['client_assertion'] ?? '';
  const refresh = await deps.cache.get(cacheKey('acr', registry, tenant, clientID, secretPart), async () => {
    const aadURL = `${deps.settings.azureAuthorityURL}/${tenant}/oauth2/v2.0/token`;
    const aadWhat = `Microsoft Entra token for ${clientID}`;
    const aad = await trustedRequest(aadWhat, aadURL, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientID, scope: ACR_SCOPE, ...credential }).toString(),
      signal: deps.signal,
    });
    if (aad.status !== 200) throw exchangeRefused(aadWhat, aadURL, aad.status, errorCode(aad.text));
    const accessToken = parseJSON(aadWhat, aad.text, EntraToken).access_token;
    const exchangeURL = `${deps.settings.acrEndpoint.replaceAll('{registry}', registry)}/oauth2/exchange`;
    const what = `ACR refresh token for ${registry}`;
    const res = await trustedRequest(what, exchangeURL, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'access_token', service: registry, tenant, access_token: accessToken }).toString(),
      signal: deps.signal,
    });
    if (res.status !== 200) throw exchangeRefused(what, exchangeURL, res.status, errorCode(res.text));
    const token = parseJSON(what, res.text, AcrRefreshToken).refresh_token;
    return { value: token, expiresAt: jwtExpiry(token) ?? deps.now() + DEFAULT_REFRESH_TTL_MS };
  });
  return { username: ACR_USERNAME, password: refresh };
}

export function acrLogin(data: Readonly<Record<string, string>>, repoURL: string, deps: AcrDeps): Promise<RepoCredentials> {
  return login(acrRegistry(repoURL)!, data[ACR_FIELDS.tenantID]!.trim(), data[ACR_FIELDS.clientID]!.trim(), { client_secret: data[ACR_FIELDS.clientSecret]! }, deps);
}

export async function acrAmbientLogin(repoURL: string, deps: AcrDeps): Promise<RepoCredentials> {
  const e = deps.settings.env;
  let assertion: string;
  try {
    assertion = (await readFile(e['AZURE_FEDERATED_TOKEN_FILE']!, 'utf8')).trim();
  } catch (err) {
    throw new DomainError('StepFailed', `ACR workload identity: AZURE_FEDERATED_TOKEN_FILE cannot be read: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  return login(acrRegistry(repoURL)!, e['AZURE_TENANT_ID']!, e['AZURE_CLIENT_ID']!, { client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion }, deps);
}
