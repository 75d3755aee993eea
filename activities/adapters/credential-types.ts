/**
 * The shapes credentials take, shared by the stores (credentials.ts, kubernetes/credential-store.ts)
 * and the lookup they share (credential-match.ts), so the lookup does not import a store.
 */

export interface RepoCredentials {
  username?: string;
  password?: string;
  /** A `cred-type: git` Secret's `sshPrivateKey` (PEM/OpenSSH), for `ssh://` and `user@host:path` URLs. */
  sshPrivateKey?: string;
  /**
   * The matched Secret's provider fields (GitHub App, cloud keys), which
   * credential-providers/index.ts exchanges for a login before any caller sees the credential.
   */
  providerFields?: Readonly<Record<string, string>>;
}

/** Kargo's `kargo.akuity.io/cred-type` label values. */
export type CredentialType = 'git' | 'helm' | 'image' | 'generic';
