/**
 * Several credential stores asked in order, the first answer winning: a project's Kubernetes
 * namespace, then the shared namespace, then the worker's files. The same order serves
 * `secret` / `configMap` (the shared namespace's store answers neither) and `sharedSecret` /
 * `sharedConfigMap` (the project namespace's store answers neither).
 */
import type { CredentialStore, RepoCredentials } from './credentials.js';

export class ChainCredentialStore implements CredentialStore {
  constructor(private readonly stores: readonly CredentialStore[]) {}

  private async first(ask: (s: CredentialStore) => Promise<RepoCredentials | undefined>): Promise<RepoCredentials | undefined> {
    for (const s of this.stores) {
      const found = await ask(s);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  git(repoURL: string): Promise<RepoCredentials | undefined> {
    return this.first((s) => s.git(repoURL));
  }
  image(repoURL: string): Promise<RepoCredentials | undefined> {
    return this.first((s) => s.image(repoURL));
  }
  helm(repoURL: string): Promise<RepoCredentials | undefined> {
    return this.first((s) => s.helm(repoURL));
  }
  secret(name: string): Promise<Record<string, string>> {
    return this.firstData((s) => s.secret(name));
  }
  sharedSecret(name: string): Promise<Record<string, string>> {
    return this.firstData((s) => (s.sharedSecret ? s.sharedSecret(name) : s.secret(name)));
  }
  configMap(name: string): Promise<Record<string, string>> {
    return this.firstData((s) => s.configMap?.(name));
  }
  sharedConfigMap(name: string): Promise<Record<string, string>> {
    return this.firstData((s) => s.sharedConfigMap?.(name));
  }

  /** The first non-empty data map; a store without the lookup is skipped. */
  private async firstData(ask: (s: CredentialStore) => Promise<Record<string, string>> | undefined): Promise<Record<string, string>> {
    for (const s of this.stores) {
      const data = (await ask(s)) ?? {};
      if (Object.keys(data).length > 0) return data;
    }
    return {};
  }
}
