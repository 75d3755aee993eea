/**
 * The provider behind a repository URL, for git-open-pr / git-wait-for-pr / git-merge-pr:
 * `provider` when given, else inferred from the host name (github / gitlab). The git
 * credential's password is the API token, as in Kargo.
 */
import { DomainError } from '../../../core/errors.js';
import type { CredentialStore } from '../credentials.js';
import { GitHubProvider } from './github.js';
import { GitLabProvider } from './gitlab.js';
import type { GitProvider } from './types.js';

export type { GitProvider, PullRequest } from './types.js';

export const PROVIDERS = ['github', 'gitlab', 'gitea', 'azure', 'bitbucket'] as const;

/** `https://host/owner/repo(.git)` → host, scheme and path (`owner/repo`). */
function repoParts(repoURL: string): { origin: string; host: string; path: string } {
  let u: URL;
  try {
    u = new URL(repoURL);
  } catch {
    throw new DomainError('StepFailed', `repoURL ${JSON.stringify(repoURL)} is not an http(s) URL; pull request steps need one`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') {
    throw new DomainError('StepFailed', `repoURL must be an http(s) URL for pull request steps, got ${u.protocol}`);
  }
  const path = u.pathname.replace(/^\/+/, '').replace(/\/+$/, '').replace(/\.git$/, '');
  if (!path.includes('/')) throw new DomainError('StepFailed', `repoURL ${JSON.stringify(`${u.origin}/${path}`)} does not name an owner and a repository`);
  return { origin: u.origin, host: u.hostname, path };
}

export function inferProvider(repoURL: string): string | undefined {
  const { host } = repoParts(repoURL);
  if (host === 'github.com' || host.includes('github')) return 'github';
  if (host === 'gitlab.com' || host.includes('gitlab')) return 'gitlab';
  return undefined;
}

export async function gitProvider(
  repoURL: string,
  opts: { provider?: string | undefined; credentials: CredentialStore; insecureSkipTLSVerify?: boolean | undefined; signal?: AbortSignal | undefined },
): Promise<GitProvider> {
  const name = opts.provider ?? inferProvider(repoURL);
  if (!name) {
    throw new DomainError('StepFailed', `cannot tell the git provider of ${JSON.stringify(repoURL)} from its host; set provider (github or gitlab)`);
  }
  const token = (await opts.credentials.git(repoURL))?.password;
  const { origin, host, path } = repoParts(repoURL);
  const common = { insecureSkipTLSVerify: opts.insecureSkipTLSVerify, signal: opts.signal };
  if (name === 'github') {
    const baseURL = host === 'github.com' ? 'https://api.github.com' : `${origin}/api/v3`;
    const [owner, ...rest] = path.split('/');
    return new GitHubProvider(
      { baseURL, authHeader: token ? { name: 'authorization', value: `Bearer ${token}` } : undefined, ...common },
      owner as string,
      rest.join('/'),
    );
  }
  if (name === 'gitlab') {
    return new GitLabProvider({ baseURL: `${origin}/api/v4`, authHeader: token ? { name: 'private-token', value: token } : undefined, ...common }, path);
  }
  throw new DomainError('StepFailed', `git provider ${JSON.stringify(name)} is not supported yet; Shunt speaks github and gitlab`);
}
