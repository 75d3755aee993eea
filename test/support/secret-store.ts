/** A credential store holding only generic Secrets, from plain data: for activity tests that read `secret(name)`. */
import type { CredentialStore } from '../../activities/adapters/credentials.js';

export class SecretStore implements CredentialStore {
  constructor(private readonly data: Record<string, Record<string, string>>) {}
  async git() {
    return undefined;
  }
  async image() {
    return undefined;
  }
  async helm() {
    return undefined;
  }
  async secret(name: string) {
    return { ...(this.data[name] ?? {}) };
  }
}
