/**
 * The provider behind a repository URL, for git-open-pr / git-wait-for-pr / git-merge-pr:
 * `provider` when given, else inferred from the host name as Kargo does (a host containing
 * "github" or ending in .ghe.com, "gitlab", "gitea"; dev.azure.com and *.visualstudio.com;
 * bitbucket.org), plus Bitbucket Data Center for a host containing "bitbucket" whose URL is a
 * `/scm/<project>/<repo>` clone URL. The git credential's password is the API token, as in Kargo.
 */
import { DomainError } from '../../../core/errors.js';
import type { CredentialStore } from '../credentials.js';
import { apiBaseURL, repoLocation, type RepoLocation } from './api-location.js';
import type { ApiOptions } from './api-client.js';
import { AzureDevOpsProvider } from './azure-devops.js';
import { BitbucketCloudProvider } from './bitbucket-cloud.js';
import { BitbucketDataCenterProvider } from './bitbucket-datacenter.js';
import { GiteaProvider } from './gitea.js';
import { GitHubGitData } from './github-git-data.js';
import { GitHubProvider } from './github.js';
import { GitLabProvider } from './gitlab.js';
import type { GitProvider } from './types.js';

export type { GitProvider, PullRequest } from './types.js';

export const PROVIDERS = ['github', 'gitlab', 'gitea', 'azure', 'bitbucket'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

const isAzureHost = (host: string): boolean => host === 'dev.azure.com' || host.endsWith('visualstudio.com');
const scmIndex = (loc: RepoLocation): number => loc.segments.indexOf('scm');

export function inferProvider(repoURL: string): ProviderName | undefined {
  const loc = repoLocation(repoURL);
  const host = loc.host;
  if (host.includes('github') || loc.hostname.endsWith('.ghe.com')) return 'github';
  if (host.includes('gitlab')) return 'gitlab';
  if (host.includes('gitea')) return 'gitea';
  if (isAzureHost(loc.hostname)) return 'azure';
  if (loc.hostname === 'bitbucket.org') return 'bitbucket';
  if (host.includes('bitbucket') && scmIndex(loc) >= 0) return 'bitbucket';
  return undefined;
}

function needs(loc: RepoLocation, count: number, shape: string, provider: string): void {
  if (loc.segments.length < count) {
    throw new DomainError('StepFailed', `repoURL ${JSON.stringify(`${loc.origin}/${loc.segments.join('/')}`)} is not a ${provider} repository URL (${shape})`);
  }
}

type Auth = ApiOptions['authHeader'];
const bearer = (token: string | undefined): Auth => (token ? { name: 'authorization', value: `Bearer ${token}` } : undefined);

type Common = Omit<ApiOptions, 'baseURL' | 'authHeader'>;

function githubAPI(loc: RepoLocation, token: string | undefined, common: Common): { api: ApiOptions; owner: string; repo: string } {
  needs(loc, 2, 'https://host/owner/repo', 'GitHub');
  const derived =
    loc.hostname === 'github.com' ? 'https://api.github.com' : loc.hostname.endsWith('.ghe.com') ? `https://api.${loc.host}` : `${loc.origin}/api/v3`;
  const api = { baseURL: apiBaseURL(loc, derived, 'the GitHub API'), authHeader: bearer(token), ...common };
  return { api, owner: loc.segments[0] as string, repo: loc.segments.slice(1).join('/') };
}

/** GitHub's Git database API for the repository at `repoURL` (github-push), with `token`. */
export function githubGitData(repoURL: string, token: string, common: Common): GitHubGitData {
  const { api, owner, repo } = githubAPI(repoLocation(repoURL), token, common);
  return new GitHubGitData(api, owner, repo);
}

/** The provider for `name` at `loc`, with `common` API options (TLS, signal). */
function build(name: ProviderName, loc: RepoLocation, token: string | undefined, common: Common): GitProvider {
  const seg = loc.segments;
  switch (name) {
    case 'github': {
      const { api, owner, repo } = githubAPI(loc, token, common);
      return new GitHubProvider(api, owner, repo);
    }
    case 'gitlab': {
      needs(loc, 2, 'https://host/group/project', 'GitLab');
      const api = { baseURL: apiBaseURL(loc, `${loc.origin}/api/v4`, 'the GitLab API'), authHeader: token ? { name: 'private-token', value: token } : undefined, ...common };
      return new GitLabProvider(api, seg.join('/'));
    }
    case 'gitea': {
      // Gitea may live under a sub-path: the last two segments are owner and repository.
      needs(loc, 2, 'https://host[/sub-path]/owner/repo', 'Gitea');
      const prefix = seg.slice(0, -2).map((s) => `/${encodeURIComponent(s)}`).join('');
      const auth = token ? { name: 'authorization', value: `token ${token}` } : undefined;
      const api = { baseURL: apiBaseURL(loc, `${loc.origin}${prefix}/api/v1`, 'the Gitea API'), authHeader: auth, ...common };
      return new GiteaProvider(api, seg[seg.length - 2] as string, seg[seg.length - 1] as string);
    }
    case 'bitbucket': {
      const scm = scmIndex(loc);
      if (scm >= 0 && seg.length === scm + 3) {
        const prefix = seg.slice(0, scm).map((s) => `/${encodeURIComponent(s)}`).join('');
        const api = { baseURL: apiBaseURL(loc, `${loc.origin}${prefix}/rest/api/1.0`, 'the Bitbucket Data Center API'), authHeader: bearer(token), ...common };
        return new BitbucketDataCenterProvider(api, seg[scm + 1] as string, seg[scm + 2] as string);
      }
      if (seg.length !== 2) {
        throw new DomainError(
          'StepFailed',
          `repoURL ${JSON.stringify(`${loc.origin}/${seg.join('/')}`)} is neither a Bitbucket Cloud URL (https://bitbucket.org/workspace/repo) nor a Bitbucket Data Center clone URL (https://host/scm/project/repo.git)`,
        );
      }
      const derived = loc.hostname === 'bitbucket.org' ? 'https://api.bitbucket.org/2.0' : undefined;
      const api = { baseURL: apiBaseURL(loc, derived, 'Bitbucket Cloud'), authHeader: bearer(token), ...common };
      return new BitbucketCloudProvider(api, seg[0] as string, seg[1] as string);
    }
    case 'azure': {
      const git = seg.indexOf('_git');
      if (git < 1 || seg.length !== git + 2) {
        throw new DomainError('StepFailed', `repoURL ${JSON.stringify(`${loc.origin}/${seg.join('/')}`)} is not an Azure DevOps repository URL (https://dev.azure.com/org/project/_git/repo)`);
      }
      if (!token) throw new DomainError('StepFailed', `Azure DevOps needs a token: no git credentials with a password match ${loc.origin}`);
      const org = seg.slice(0, git - 1).map((s) => `/${encodeURIComponent(s)}`).join('');
      const auth = { name: 'authorization', value: `Basic ${Buffer.from(`:${token}`).toString('base64')}` };
      const api = { baseURL: apiBaseURL(loc, `${loc.origin}${org}`, 'the Azure DevOps API'), authHeader: auth, ...common };
      return new AzureDevOpsProvider(api, seg[git - 1] as string, seg[git + 1] as string);
    }
  }
}

export async function gitProvider(
  repoURL: string,
  opts: { provider?: ProviderName | undefined; credentials: CredentialStore; insecureSkipTLSVerify?: boolean | undefined; signal?: AbortSignal | undefined },
): Promise<GitProvider> {
  const name = opts.provider ?? inferProvider(repoURL);
  if (!name) {
    throw new DomainError('StepFailed', `cannot tell the git provider of ${JSON.stringify(repoURL)} from its host; set provider (one of ${PROVIDERS.join(', ')})`);
  }
  const loc = repoLocation(repoURL);
  const token = (await opts.credentials.git(repoURL))?.password;
  return build(name, loc, token, { insecureSkipTLSVerify: opts.insecureSkipTLSVerify, signal: opts.signal });
}
