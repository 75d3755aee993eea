/**
 * Credentials from Kubernetes Secrets, as Kargo reads them: Secrets labelled
 * `kargo.akuity.io/cred-type: git | helm | image` in one namespace, matched by `repoURL`
 * (exact after normalization, then `repoURLIsRegex`), read when a step needs them and never
 * cached beyond the call. Values stay in the activity; errors name the namespace, not values.
 * Also the generic Secrets and ConfigMaps that `${{ }}` expressions read (`secret`, `configMap`,
 * and in the shared namespace `sharedSecret`, `sharedConfigMap`).
 */
import type { V1ConfigMap, V1Secret } from '@kubernetes/client-node';
import { matchCredential, type CredentialSecret, type RepoCredentialType } from '../credential-match.js';
import { CRED_TYPE_LABEL, type CredentialStore, type CredentialType, type RepoCredentials } from '../credentials.js';
import type { KubeClients } from './client.js';
import type { DomainError } from '../../../core/errors.js';
import { isNotFound, kubeError, kubeStatusOf } from './errors.js';

function toCredentialSecret(s: V1Secret): CredentialSecret {
  const raw = s.metadata?.labels?.[CRED_TYPE_LABEL];
  const type: CredentialType | undefined = raw === 'git' || raw === 'helm' || raw === 'image' || raw === 'generic' ? raw : undefined;
  const data: Record<string, string> = {};
  for (const [k, v] of Object.entries(s.data ?? {})) data[k] = Buffer.from(v, 'base64').toString('utf8');
  return { name: s.metadata?.name ?? '', type, data };
}

export interface KubernetesCredentialStoreOptions {
  /** Whether `secret(name)` reads this namespace (the project's: yes; the shared one: no). */
  genericSecrets?: boolean;
  /**
   * This is the shared-resources namespace: it answers `sharedSecret` (only Secrets labelled
   * `cred-type: generic`, as Kargo) and `sharedConfigMap`, and not `configMap`. Without it the
   * namespace is a project's: `configMap` yes, the shared lookups no.
   */
  shared?: boolean;
  /** Where the once-only notice of an unreadable shared namespace goes (default: console.warn). */
  warn?: (message: string) => void;
}

export class KubernetesCredentialStore implements CredentialStore {
  private warned = false;

  constructor(
    private readonly clients: KubeClients,
    readonly namespace: string,
    private readonly opts: KubernetesCredentialStoreOptions = {},
  ) {}

  git(repoURL: string): Promise<RepoCredentials | undefined> {
    return this.lookup('git', repoURL);
  }
  image(repoURL: string): Promise<RepoCredentials | undefined> {
    return this.lookup('image', repoURL);
  }
  helm(repoURL: string): Promise<RepoCredentials | undefined> {
    return this.lookup('helm', repoURL);
  }

  async secret(name: string): Promise<Record<string, string>> {
    if (this.opts.genericSecrets === false) return {};
    const s = await this.readSecret(name);
    if (!s) return {};
    const rec = toCredentialSecret(s);
    return rec.type === undefined || rec.type === 'generic' ? rec.data : {};
  }

  async sharedSecret(name: string): Promise<Record<string, string>> {
    if (this.opts.shared !== true) return {};
    const s = await this.readSecret(name);
    if (!s) return {};
    const rec = toCredentialSecret(s);
    return rec.type === 'generic' ? rec.data : {};
  }

  configMap(name: string): Promise<Record<string, string>> {
    return this.opts.shared === true ? Promise.resolve({}) : this.readConfigMap(name);
  }

  sharedConfigMap(name: string): Promise<Record<string, string>> {
    return this.opts.shared === true ? this.readConfigMap(name) : Promise.resolve({});
  }

  private async readSecret(name: string): Promise<V1Secret | undefined> {
    try {
      return await this.clients.core.readNamespacedSecret({ name, namespace: this.namespace });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      const failure = await kubeError(this.clients, err, `reading Secret ${JSON.stringify(name)} in namespace ${JSON.stringify(this.namespace)}`);
      if (this.sharedUnreadable(err, failure)) return undefined;
      throw failure;
    }
  }

  /** A ConfigMap's `data` (`binaryData` is not read, as Kargo's configMap() does not); `{}` if absent. */
  private async readConfigMap(name: string): Promise<Record<string, string>> {
    let cm: V1ConfigMap;
    try {
      cm = await this.clients.core.readNamespacedConfigMap({ name, namespace: this.namespace });
    } catch (err) {
      if (isNotFound(err)) return {};
      const failure = await kubeError(this.clients, err, `reading ConfigMap ${JSON.stringify(name)} in namespace ${JSON.stringify(this.namespace)}`);
      if (this.sharedUnreadable(err, failure)) return {};
      throw failure;
    }
    return { ...(cm.data ?? {}) };
  }

  private async lookup(type: RepoCredentialType, repoURL: string): Promise<RepoCredentials | undefined> {
    let list;
    try {
      list = await this.clients.core.listNamespacedSecret({ namespace: this.namespace, labelSelector: `${CRED_TYPE_LABEL}=${type}` });
    } catch (err) {
      const failure = await kubeError(this.clients, err, `listing ${type} credential Secrets in namespace ${JSON.stringify(this.namespace)}`);
      if (this.sharedUnreadable(err, failure)) return undefined;
      throw failure;
    }
    return matchCredential(list.items.map(toCredentialSecret), type, repoURL);
  }

  /**
   * The shared namespace is optional (a cluster without Kargo has no kargo-shared-resources, and
   * a worker may be given no Role there): a 404 or 403 from it means "no shared credential",
   * said once per worker, never a failure. In a project's namespace a 403 stays an error (the
   * Role README documents is missing there). A refusal from a server not ready yet (`failure`
   * is Unavailable) says nothing about the Role: it stays an error, retried.
   */
  private sharedUnreadable(err: unknown, failure: DomainError): boolean {
    const code = kubeStatusOf(err)?.code;
    if (this.opts.shared !== true || (code !== 403 && code !== 404) || failure.code === 'Unavailable') return false;
    if (!this.warned) {
      this.warned = true;
      const why = code === 404 ? 'does not exist' : 'is not readable by this worker (no Role there)';
      (this.opts.warn ?? console.warn)(`shunt: the shared credentials namespace ${JSON.stringify(this.namespace)} ${why}: no shared credentials or shared Secrets / ConfigMaps are used from it`);
    }
    return true;
  }
}
