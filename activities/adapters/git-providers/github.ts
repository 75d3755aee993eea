/** GitHub's REST API (github.com and GitHub Enterprise at `<host>/api/v3`). */
import { DomainError } from '../../../core/errors.js';
import { apiCall, ApiError, type ApiOptions } from './api-client.js';
import type { GitProvider, MergeOutcome, OpenRequest, PullRequest } from './types.js';

interface GhPull {
  number: number;
  html_url: string;
  state: 'open' | 'closed';
  merged?: boolean;
  merged_at?: string | null;
  merge_commit_sha?: string | null;
}

function toPR(p: GhPull): PullRequest {
  const merged = p.merged === true || (p.merged_at !== undefined && p.merged_at !== null);
  const pr: PullRequest = { id: p.number, url: p.html_url, open: p.state === 'open', merged };
  if (merged && p.merge_commit_sha) pr.mergeCommit = p.merge_commit_sha;
  return pr;
}

export class GitHubProvider implements GitProvider {
  readonly name = 'github';
  constructor(
    private readonly api: ApiOptions,
    private readonly owner: string,
    private readonly repo: string,
  ) {}

  private path(rest: string): string {
    return `/repos/${encodeURIComponent(this.owner)}/${encodeURIComponent(this.repo)}${rest}`;
  }

  async findPullRequest(source: string, target: string): Promise<PullRequest | undefined> {
    const q = `?head=${encodeURIComponent(`${this.owner}:${source}`)}&base=${encodeURIComponent(target)}&state=all&sort=created&direction=desc`;
    const list = await apiCall<GhPull[]>(this.api, 'GET', this.path(`/pulls${q}`));
    return list.map(toPR).find((p) => p.open || p.merged);
  }

  async openPullRequest(req: OpenRequest): Promise<PullRequest> {
    const created = await apiCall<GhPull>(this.api, 'POST', this.path('/pulls'), {
      title: req.title,
      head: req.sourceBranch,
      base: req.targetBranch,
      body: req.description,
    });
    if (req.labels.length > 0) {
      await apiCall(this.api, 'POST', this.path(`/issues/${created.number}/labels`), { labels: req.labels });
    }
    return toPR(created);
  }

  async getPullRequest(id: number): Promise<PullRequest> {
    try {
      return toPR(await apiCall<GhPull>(this.api, 'GET', this.path(`/pulls/${id}`)));
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) throw new DomainError('StepFailed', `pull request #${id} does not exist`);
      throw err;
    }
  }

  async mergePullRequest(id: number, method: string | undefined): Promise<MergeOutcome> {
    if (method !== undefined && !['merge', 'squash', 'rebase'].includes(method)) {
      throw new DomainError('StepFailed', `mergeMethod ${JSON.stringify(method)} is not one of GitHub's: merge, squash, rebase`);
    }
    try {
      const res = await apiCall<{ sha: string; merged: boolean; message?: string }>(this.api, 'PUT', this.path(`/pulls/${id}/merge`), {
        ...(method ? { merge_method: method } : {}),
      });
      return res.merged ? { merged: true, commit: res.sha } : { merged: false, reason: res.message ?? 'not merged' };
    } catch (err) {
      // 405: not mergeable (checks, reviews, conflicts); 409: head moved.
      if (err instanceof ApiError && (err.status === 405 || err.status === 409)) return { merged: false, reason: err.message };
      throw err;
    }
  }
}
