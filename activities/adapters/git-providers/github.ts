/** GitHub's REST API (github.com, GitHub Enterprise Cloud `api.<x>.ghe.com`, Server `<host>/api/v3`). */
import { z } from 'zod';
import { DomainError } from '../../../core/errors.js';
import { apiCall, ApiError, orNotFound, type ApiOptions } from './api-client.js';
import type { GitProvider, MergeOutcome, OpenRequest, PullRequest } from './types.js';

const GhPull = z.object({
  number: z.number().int(),
  html_url: z.string(),
  state: z.enum(['open', 'closed']),
  merged: z.boolean().optional(),
  merged_at: z.string().nullish(),
  merge_commit_sha: z.string().nullish(),
});
type GhPull = z.infer<typeof GhPull>;

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
    const list = await apiCall(this.api, 'GET', this.path(`/pulls${q}`), z.array(GhPull));
    return list.map(toPR).find((p) => p.open || p.merged);
  }

  async openPullRequest(req: OpenRequest): Promise<PullRequest> {
    const created = await apiCall(this.api, 'POST', this.path('/pulls'), GhPull, {
      title: req.title,
      head: req.sourceBranch,
      base: req.targetBranch,
      body: req.description,
    });
    if (req.labels.length > 0) {
      await apiCall(this.api, 'POST', this.path(`/issues/${created.number}/labels`), z.unknown(), { labels: req.labels });
    }
    return toPR(created);
  }

  getPullRequest(id: number): Promise<PullRequest> {
    return orNotFound(`pull request #${id}`, async () => toPR(await apiCall(this.api, 'GET', this.path(`/pulls/${id}`), GhPull)));
  }

  async mergePullRequest(id: number, method: string | undefined): Promise<MergeOutcome> {
    if (method !== undefined && !['merge', 'squash', 'rebase'].includes(method)) {
      throw new DomainError('StepFailed', `mergeMethod ${JSON.stringify(method)} is not one of GitHub's: merge, squash, rebase`);
    }
    try {
      const res = await apiCall(
        this.api,
        'PUT',
        this.path(`/pulls/${id}/merge`),
        z.object({ sha: z.string(), merged: z.boolean(), message: z.string().optional() }),
        { ...(method ? { merge_method: method } : {}) },
      );
      return res.merged ? { merged: true, commit: res.sha } : { merged: false, reason: res.message ?? 'not merged' };
    } catch (err) {
      // 405: not mergeable (checks, reviews, conflicts); 409: head moved.
      if (err instanceof ApiError && (err.status === 405 || err.status === 409)) return { merged: false, reason: err.message };
      throw err;
    }
  }
}
