/**
 * Several credential stores asked in order, the first answer winning: a project's Kubernetes
 * namespace, then the shared namespace, then the worker's files.
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
  async secret(name: string): Promise<Record<string, string>> {
    for (const s of this.stores) {
      const data = await s.secret(name);
      if (Object.keys(data).length > 0) return data;
    }
    return {};
  }
}
