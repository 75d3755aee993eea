/**
 * A credential store holding only generic Secrets, from plain data, that records which it was
 * asked for: for activity tests that read `secret(name)`. No git, image or Helm credentials.
 */
import { EmptyCredentialStore } from '../../activities/adapters/credentials.js';

export class SecretStore extends EmptyCredentialStore {
  readonly secretCalls: string[] = [];
  constructor(private readonly data: Record<string, Record<string, string>> = {}) {
    super();
  }
  override async secret(name: string): Promise<Record<string, string>> {
    this.secretCalls.push(name);
    return { ...(this.data[name] ?? {}) };
  }
}
