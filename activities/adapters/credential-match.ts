/**
 * Kargo's credential lookup over a set of Secrets, shared by the file-backed and the Kubernetes
 * stores: Secrets of the type, sorted by name; every exact match of the (type-normalized) URL
 * before any `repoURLIsRegex: "true"` match; a regex is tested against both the raw and the
 * normalized URL.
 */
import { compileRegex } from '../../core/regex.js';
import { normalizeChartURL, normalizeGitURL, normalizeImageRepo } from '../../core/freight/normalize.js';
import { CREDENTIAL_PROVIDERS } from '../../core/credentials/fields.js';
import type { CredentialType, RepoCredentials } from './credential-types.js';

export interface CredentialSecret {
  name: string;
  type: CredentialType | undefined;
  data: Record<string, string>;
}

export type RepoCredentialType = Exclude<CredentialType, 'generic'>;

const NORMALIZERS: Record<RepoCredentialType, (u: string) => string> = {
  git: normalizeGitURL,
  image: normalizeImageRepo,
  helm: normalizeChartURL,
};

const isRegex = (s: CredentialSecret): boolean => (s.data['repoURLIsRegex'] ?? '').toLowerCase() === 'true';

export function matchCredential(
  secrets: readonly CredentialSecret[],
  type: RepoCredentialType,
  repoURL: string,
  onWarning: (message: string) => void = () => undefined,
): RepoCredentials | undefined {
  const normalize = NORMALIZERS[type];
  const wanted = normalize(repoURL);
  const candidates = secrets
    .filter((s) => s.type === type && typeof s.data['repoURL'] === 'string')
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  let match = candidates.find((s) => !isRegex(s) && normalize(s.data['repoURL']!) === wanted);
  match ??= candidates.find((s) => {
    if (!isRegex(s)) return false;
    try {
      const re = compileRegex(s.data['repoURL']!);
      return re.test(repoURL) || re.test(wanted);
    } catch {
      onWarning(`secret ${s.name}: repoURL is not a valid RE2 (Go) regular expression`);
      return false;
    }
  });
  if (!match) return undefined;
  const creds: RepoCredentials = {};
  if (match.data['username'] !== undefined) creds.username = match.data['username'];
  if (match.data['password'] !== undefined) creds.password = match.data['password'];
  if (type === 'git' && match.data['sshPrivateKey']) creds.sshPrivateKey = match.data['sshPrivateKey'];
  const providerFields: Record<string, string> = {};
  for (const p of [CREDENTIAL_PROVIDERS.githubApp, CREDENTIAL_PROVIDERS.ecr, CREDENTIAL_PROVIDERS.gar, CREDENTIAL_PROVIDERS.acr]) {
    for (const f of p.fields) if (match.data[f] !== undefined) providerFields[f] = match.data[f];
  }
  if (Object.keys(providerFields).length > 0) creds.providerFields = providerFields;
  return creds;
}
