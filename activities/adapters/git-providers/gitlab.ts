/** GitLab's REST API v4 (merge requests). */
import { z } from 'zod';
import { DomainError } from '../../../core/errors.js';
import { apiCall, ApiError, orNotFound, type ApiOptions } from './api-client.js';
import type { GitProvider, MergeOutcome, OpenRequest, PullRequest } from './types.js';

const GlMergeRequest = z.object({
  iid: z.number().int(),
  web_url: z.string(),
  state: z.enum(['opened', 'closed', 'merged', 'locked']),
  merge_commit_sha: z.string().nullish(),
  squash_commit_sha: z.string().nullish(),
});
type GlMergeRequest = z.infer<typeof GlMergeRequest>;

function toPR(m: GlMergeRequest): PullRequest {
  const merged = m.state === 'merged';
  const pr: PullRequest = { id: m.iid, url: m.web_url, open: m.state === 'opened' || m.state === 'locked', merged };
  const sha = m.merge_commit_sha ?? m.squash_commit_sha;
  if (merged && sha) pr.mergeCommit = sha;
  return pr;
}

export class GitLabProvider implements GitProvider {
  readonly name = 'gitlab';
  constructor(
    private readonly api: ApiOptions,
    /** `group/subgroup/project`. */
    private readonly projectPath: string,
  ) {}

  private path(rest: string): string {
    return `/projects/${encodeURIComponent(this.projectPath)}${rest}`;
  }

  async findPullRequest(source: string, target: string): Promise<PullRequest | undefined> {
    const q = `?source_branch=${encodeURIComponent(source)}&target_branch=${encodeURIComponent(target)}&state=all&order_by=created_at&sort=desc`;
    const list = await apiCall(this.api, 'GET', this.path(`/merge_requests${q}`), z.array(GlMergeRequest));
    return list.map(toPR).find((p) => p.open || p.merged);
  }

  async openPullRequest(req: OpenRequest): Promise<PullRequest> {
    return toPR(
      await apiCall(this.api, 'POST', this.path('/merge_requests'), GlMergeRequest, {
        source_branch: req.sourceBranch,
        target_branch: req.targetBranch,
        title: req.title,
        description: req.description,
        ...(req.labels.length > 0 ? { labels: req.labels.join(',') } : {}),
      }),
    );
  }

  getPullRequest(id: number): Promise<PullRequest> {
    return orNotFound(`merge request !${id}`, async () => toPR(await apiCall(this.api, 'GET', this.path(`/merge_requests/${id}`), GlMergeRequest)));
  }

  async mergePullRequest(id: number, method: string | undefined): Promise<MergeOutcome> {
    if (method !== undefined && !['merge', 'squash'].includes(method)) {
      throw new DomainError('StepFailed', `mergeMethod ${JSON.stringify(method)} is not one of GitLab's: merge, squash`);
    }
    try {
      const m = await apiCall(this.api, 'PUT', this.path(`/merge_requests/${id}/merge`), GlMergeRequest, { squash: method === 'squash' });
      const pr = toPR(m);
      return pr.merged && pr.mergeCommit ? { merged: true, commit: pr.mergeCommit } : { merged: false, reason: `merge request is ${m.state}` };
    } catch (err) {
      // 405/406/422: not mergeable now (pipeline, conflicts, draft); 409: SHA mismatch.
      if (err instanceof ApiError && [405, 406, 409, 422].includes(err.status)) return { merged: false, reason: err.message };
      throw err;
    }
  }
}
