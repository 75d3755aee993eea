/** GitLab's REST API v4 (merge requests). */
import { DomainError } from '../../../core/errors.js';
import { apiCall, ApiError, type ApiOptions } from './api-client.js';
import type { GitProvider, MergeOutcome, OpenRequest, PullRequest } from './types.js';

interface GlMergeRequest {
  iid: number;
  web_url: string;
  state: 'opened' | 'closed' | 'merged' | 'locked';
  merge_commit_sha?: string | null;
  squash_commit_sha?: string | null;
}

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
    const list = await apiCall<GlMergeRequest[]>(this.api, 'GET', this.path(`/merge_requests${q}`));
    return list.map(toPR).find((p) => p.open || p.merged);
  }

  async openPullRequest(req: OpenRequest): Promise<PullRequest> {
    return toPR(
      await apiCall<GlMergeRequest>(this.api, 'POST', this.path('/merge_requests'), {
        source_branch: req.sourceBranch,
        target_branch: req.targetBranch,
        title: req.title,
        description: req.description,
        ...(req.labels.length > 0 ? { labels: req.labels.join(',') } : {}),
      }),
    );
  }

  async getPullRequest(id: number): Promise<PullRequest> {
    try {
      return toPR(await apiCall<GlMergeRequest>(this.api, 'GET', this.path(`/merge_requests/${id}`)));
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) throw new DomainError('StepFailed', `merge request !${id} does not exist`);
      throw err;
    }
  }

  async mergePullRequest(id: number, method: string | undefined): Promise<MergeOutcome> {
    if (method !== undefined && !['merge', 'squash'].includes(method)) {
      throw new DomainError('StepFailed', `mergeMethod ${JSON.stringify(method)} is not one of GitLab's: merge, squash`);
    }
    try {
      const m = await apiCall<GlMergeRequest>(this.api, 'PUT', this.path(`/merge_requests/${id}/merge`), { squash: method === 'squash' });
      const pr = toPR(m);
      return pr.merged && pr.mergeCommit ? { merged: true, commit: pr.mergeCommit } : { merged: false, reason: `merge request is ${m.state}` };
    } catch (err) {
      // 405/406/422: not mergeable now (pipeline, conflicts, draft); 409: SHA mismatch.
      if (err instanceof ApiError && [405, 406, 409, 422].includes(err.status)) return { merged: false, reason: err.message };
      throw err;
    }
  }
}
