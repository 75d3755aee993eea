/**
 * Where the credential exchanges go: the cloud providers' public endpoints, overridable only by
 * the operator (worker environment), never by a tenant's Secret. A Secret's own values are put
 * into these URLs only after they match strict patterns (an AWS region, an Azure tenant, an
 * `*.azurecr.io` registry), and a service-account key's `token_uri` is never used, so a tenant
 * cannot point an exchange at an internal host.
 */
export interface CredentialProviderSettings {
  /** ECR API, `{region}` replaced (default `https://api.ecr.{region}.amazonaws.com`). */
  ecrEndpoint: string;
  /** STS, `{region}` replaced (default `https://sts.{region}.amazonaws.com`). */
  stsEndpoint: string;
  /** Google's OAuth2 token endpoint (also the JWT's audience). */
  gcpTokenURL: string;
  /** Microsoft Entra ID (AAD) authority. */
  azureAuthorityURL: string;
  /** An Azure Container Registry's base URL, `{registry}` replaced by its host (default `https://{registry}`). */
  acrEndpoint: string;
  /**
   * The worker's own identity for registries no Secret matches (ECR via an IRSA web identity
   * token, GAR via the metadata server, ACR via workload identity): shared by every project on
   * the worker, so off unless the operator turns it on.
   */
  ambient: boolean;
  /** The GCE metadata server (ambient GAR identity). */
  gcpMetadataURL: string;
  /** The worker's environment, for the ambient identities' standard variables. */
  env: NodeJS.ProcessEnv;
}

export const DEFAULT_PROVIDER_SETTINGS: CredentialProviderSettings = {
  ecrEndpoint: 'https://api.ecr.{region}.amazonaws.com',
  stsEndpoint: 'https://sts.{region}.amazonaws.com',
  gcpTokenURL: 'https://oauth2.googleapis.com/token',
  azureAuthorityURL: 'https://login.microsoftonline.com',
  acrEndpoint: 'https://{registry}',
  ambient: false,
  gcpMetadataURL: 'http://metadata.google.internal',
  env: {},
};

function url(name: string, value: string | undefined, fallback: string): string {
  if (value === undefined || value === '') return fallback;
  let u: URL;
  try {
    u = new URL(value.replace(/\{(region|registry)\}/g, 'x'));
  } catch {
    throw new Error(`${name} must be an http(s) URL, got ${JSON.stringify(value)}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`${name} must be an http(s) URL, got ${JSON.stringify(value)}`);
  return value.replace(/\/+$/, '');
}

/** The settings from the worker's environment (README, Settings). @throws Error naming a bad variable. */
export function credentialProviderSettingsFromEnv(env: NodeJS.ProcessEnv): CredentialProviderSettings {
  const d = DEFAULT_PROVIDER_SETTINGS;
  const ambient = (env['SHUNT_AMBIENT_REGISTRY_CREDENTIALS'] ?? '').toLowerCase();
  if (!['', 'true', 'false', '1', '0'].includes(ambient)) {
    throw new Error(`SHUNT_AMBIENT_REGISTRY_CREDENTIALS must be true or false, got ${JSON.stringify(env['SHUNT_AMBIENT_REGISTRY_CREDENTIALS'])}`);
  }
  const metadataHost = env['GCE_METADATA_HOST'];
  return {
    ecrEndpoint: url('SHUNT_ECR_ENDPOINT', env['SHUNT_ECR_ENDPOINT'], d.ecrEndpoint),
    stsEndpoint: url('SHUNT_STS_ENDPOINT', env['SHUNT_STS_ENDPOINT'], d.stsEndpoint),
    gcpTokenURL: url('SHUNT_GCP_TOKEN_URL', env['SHUNT_GCP_TOKEN_URL'], d.gcpTokenURL),
    azureAuthorityURL: url('SHUNT_AZURE_AUTHORITY_URL', env['SHUNT_AZURE_AUTHORITY_URL'] ?? env['AZURE_AUTHORITY_HOST'], d.azureAuthorityURL),
    acrEndpoint: url('SHUNT_ACR_ENDPOINT', env['SHUNT_ACR_ENDPOINT'], d.acrEndpoint),
    ambient: ambient === 'true' || ambient === '1',
    gcpMetadataURL: metadataHost ? `http://${metadataHost}` : d.gcpMetadataURL,
    env,
  };
}
