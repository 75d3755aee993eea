/**
 * The fields of Kargo's credential Secrets (`kargo.akuity.io/cred-type: git | helm | image`), by
 * the way of authenticating they belong to, and which way a Secret's data declares. One table,
 * read by the apply-time check (core/manifests/credential-secret.ts) and by the workers'
 * credential providers (activities/adapters/credential-providers), so what apply accepts is what
 * a worker can use.
 */

export type RepoCredentialKind = 'git' | 'helm' | 'image';

/** Fields every repository credential Secret may have besides its way of authenticating. */
export const MATCH_FIELDS = ['repoURL', 'repoURLIsRegex'] as const;

export type CredentialProviderName = 'basic' | 'ssh' | 'githubApp' | 'ecr' | 'gar' | 'acr';

export interface CredentialProviderFields {
  /** The fields this way of authenticating reads. */
  fields: readonly string[];
  /** Fields that must all be present (an entry `a|b` means one of them). */
  required: readonly string[];
  /** The credential types it serves. */
  kinds: readonly RepoCredentialKind[];
}

export const GITHUB_APP_FIELDS = {
  appID: 'githubAppID',
  clientID: 'githubAppClientID',
  installationID: 'githubAppInstallationID',
  privateKey: 'githubAppPrivateKey',
} as const;

export const ECR_FIELDS = { region: 'awsRegion', accessKeyID: 'awsAccessKeyID', secretAccessKey: 'awsSecretAccessKey' } as const;
export const GAR_FIELDS = { serviceAccountKey: 'gcpServiceAccountKey' } as const;
/** Not in Kargo (whose ACR provider is workload identity only): an Azure service principal. */
export const ACR_FIELDS = { tenantID: 'azureTenantID', clientID: 'azureClientID', clientSecret: 'azureClientSecret' } as const;

export const CREDENTIAL_PROVIDERS: Record<CredentialProviderName, CredentialProviderFields> = {
  basic: { fields: ['username', 'password'], required: ['username', 'password'], kinds: ['git', 'helm', 'image'] },
  ssh: { fields: ['sshPrivateKey'], required: ['sshPrivateKey'], kinds: ['git'] },
  githubApp: {
    fields: Object.values(GITHUB_APP_FIELDS),
    required: [`${GITHUB_APP_FIELDS.appID}|${GITHUB_APP_FIELDS.clientID}`, GITHUB_APP_FIELDS.installationID, GITHUB_APP_FIELDS.privateKey],
    kinds: ['git'],
  },
  ecr: { fields: Object.values(ECR_FIELDS), required: Object.values(ECR_FIELDS), kinds: ['image', 'helm'] },
  gar: { fields: Object.values(GAR_FIELDS), required: Object.values(GAR_FIELDS), kinds: ['image', 'helm'] },
  acr: { fields: Object.values(ACR_FIELDS), required: Object.values(ACR_FIELDS), kinds: ['image', 'helm'] },
};

/** The ways of authenticating whose fields appear in `data` (non-empty values only). */
export function declaredProviders(data: Readonly<Record<string, string | undefined>>): CredentialProviderName[] {
  return (Object.keys(CREDENTIAL_PROVIDERS) as CredentialProviderName[]).filter((p) =>
    CREDENTIAL_PROVIDERS[p].fields.some((f) => (data[f] ?? '') !== ''),
  );
}

/** Kargo's registry host patterns (pkg/credentials/{ecr,gar,acr}). */
export const ECR_REPO = /^([0-9]{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?\//;
export const GAR_REPO = /^(?:[a-z0-9-]+-docker\.pkg\.dev|(?:[a-z0-9-]+\.)?gcr\.io)\//;
export const ACR_REPO = /^([a-zA-Z0-9-]+)\.azurecr\.io\//;

/** A repository (image or `oci://` chart) without its scheme, as the patterns above read it. */
export function registryRepo(repoURL: string): string {
  return repoURL.trim().replace(/^oci:\/\//i, '');
}
