/**
 * The credential providers: the one place a matched credential Secret's provider fields (GitHub
 * App, ECR keys, a GCP service-account key, an Azure service principal) are exchanged for the
 * login that git, the registries and the PR steps use, and where the worker's ambient identity
 * answers for a registry no Secret matched. Every store a worker's activities read goes through
 * {@link withCredentialProviders} (activities/index.ts), so discovery, the git steps, the
 * registry steps and the PR steps all get the same exchanged login. Tokens are cached until
 * shortly before they expire, in the worker's memory only; they never enter workflow history
 * or logs (errors name the provider and endpoint, never a value).
 */
import type { CredentialStore, ProjectCredentials, RepoCredentials } from '../credentials.js';
import { acrAmbientAvailable, acrAmbientLogin, acrLogin, acrRegistry, hasAcrServicePrincipal } from './acr.js';
import { ecrAmbientAvailable, ecrAmbientLogin, ecrLogin, ecrRegion, hasEcrKeys } from './ecr.js';
import { garAmbientAvailable, garAmbientLogin, garLogin, isGarRepo } from './gar.js';
import { githubAppLogin, isGitHubApp } from './github-app.js';
import { DEFAULT_PROVIDER_SETTINGS, type CredentialProviderSettings } from './settings.js';
import { TokenCache } from './token-cache.js';

export { credentialProviderSettingsFromEnv, DEFAULT_PROVIDER_SETTINGS, type CredentialProviderSettings } from './settings.js';

type Kind = 'git' | 'image' | 'helm';

export class CredentialProviders {
  private readonly settings: CredentialProviderSettings;
  private readonly now: () => number;
  private readonly strings: TokenCache<string>;
  private readonly logins: TokenCache<RepoCredentials>;
  private readonly awsKeys: TokenCache<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string | undefined }>;

  constructor(settings: Partial<CredentialProviderSettings> = {}, opts: { now?: () => number } = {}) {
    this.settings = { ...DEFAULT_PROVIDER_SETTINGS, ...settings };
    this.now = opts.now ?? Date.now;
    this.strings = new TokenCache({ now: this.now });
    this.logins = new TokenCache({ now: this.now });
    this.awsKeys = new TokenCache({ now: this.now });
  }

  /**
   * The login for `repoURL` given what the stores matched (`found`, undefined = no Secret):
   * a provider's exchanged token, the Secret's username/password, the ambient identity, or
   * undefined.
   */
  async resolve(kind: Kind, repoURL: string, found: RepoCredentials | undefined, signal?: AbortSignal): Promise<RepoCredentials | undefined> {
    const common = { settings: this.settings, now: this.now, signal };
    if (found) {
      const fields = found.providerFields;
      if (!fields) return found;
      if (kind === 'git' && isGitHubApp(fields, repoURL)) return githubAppLogin(fields, repoURL, { cache: this.strings, now: this.now, signal });
      if (kind !== 'git') {
        if (hasEcrKeys(fields) && ecrRegion(repoURL)) return ecrLogin(fields, { ...common, cache: this.logins, keys: this.awsKeys });
        if ((fields['gcpServiceAccountKey'] ?? '') !== '' && isGarRepo(repoURL)) return garLogin(fields, { ...common, cache: this.strings });
        if (hasAcrServicePrincipal(fields) && acrRegistry(repoURL)) return acrLogin(fields, repoURL, { ...common, cache: this.strings });
      }
      // Provider fields that do not apply to this URL: the Secret's other fields, as Kargo's basic provider.
      return withoutProviderFields(found);
    }
    if (kind === 'git') return undefined;
    // No Secret for this registry: the worker's own identity, when the operator allows it.
    if (ecrRegion(repoURL) && ecrAmbientAvailable(this.settings)) return ecrAmbientLogin(repoURL, { ...common, cache: this.logins, keys: this.awsKeys });
    if (isGarRepo(repoURL) && garAmbientAvailable(this.settings)) return garAmbientLogin({ ...common, cache: this.strings });
    if (acrRegistry(repoURL) && acrAmbientAvailable(this.settings)) return acrAmbientLogin(repoURL, { ...common, cache: this.strings });
    return undefined;
  }
}

function withoutProviderFields(c: RepoCredentials): RepoCredentials {
  const { providerFields: _omit, ...rest } = c;
  return rest;
}

/** `store` with every repository credential resolved by `providers`. */
export function resolvingStore(store: CredentialStore, providers: CredentialProviders): CredentialStore {
  const resolved: CredentialStore = {
    git: async (repoURL) => providers.resolve('git', repoURL, await store.git(repoURL)),
    image: async (repoURL) => providers.resolve('image', repoURL, await store.image(repoURL)),
    helm: async (repoURL) => providers.resolve('helm', repoURL, await store.helm(repoURL)),
    secret: (name) => store.secret(name),
  };
  if (store.sharedSecret) resolved.sharedSecret = store.sharedSecret.bind(store);
  if (store.configMap) resolved.configMap = store.configMap.bind(store);
  if (store.sharedConfigMap) resolved.sharedConfigMap = store.sharedConfigMap.bind(store);
  return resolved;
}

/** Every project's store resolved by `providers`. */
export function withCredentialProviders(credentials: ProjectCredentials, providers: CredentialProviders): ProjectCredentials {
  return { forProject: (project) => resolvingStore(credentials.forProject(project), providers) };
}
