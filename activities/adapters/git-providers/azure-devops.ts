/**
 * Azure DevOps Git's REST API 7.1: `<org URL>/<project>/_apis/git/repositories/<repo>/pullrequests`
 * (org URL `https://dev.azure.com/<org>`, `https://<org>.visualstudio.com`, or an Azure DevOps
 * Server collection). Completing (merging) is asynchronous: a merge that was accepted but is not
 * completed yet is `pending`.
 */
import { z } from 'zod';
import { DomainError } from '../../../core/errors.js';
import { apiCall, ApiError, orNotFound, type ApiOptions } from './api-client.js';
import type { GitProvider, MergeOutcome, OpenRequest, PullRequest } from './types.js';

const API_VERSION = 'api-version=7.1';
const CommitRef = z.object({ commitId: z.string() });

const AdoPull = z.object({
  pullRequestId: z.number().int(),
  status: z.enum(['active', 'abandoned', 'completed', 'notSet', 'all']),
  isDraft: z.boolean().optional(),
  mergeStatus: z.string().optional(),
  sourceRefName: z.string(),
  targetRefName: z.string(),
  repository: z.object({ webUrl: z.string() }),
  lastMergeSourceCommit: CommitRef.optional(),
  lastMergeCommit: CommitRef.optional(),
});
type AdoPull = z.infer<typeof AdoPull>;

const MERGE_STRATEGIES = ['noFastForward', 'rebase', 'rebaseMerge', 'squash'];

function toPR(p: AdoPull): PullRequest {
  const merged = p.status === 'completed';
  const pr: PullRequest = { id: p.pullRequestId, url: `${p.repository.webUrl}/pullrequest/${p.pullRequestId}`, open: p.status === 'active', merged };
  if (merged && p.lastMergeCommit) pr.mergeCommit = p.lastMergeCommit.commitId;
  return pr;
}

export class AzureDevOpsProvider implements GitProvider {
  readonly name = 'azure';
  constructor(
    /** baseURL: the organization (or collection) URL. */
    private readonly api: ApiOptions,
    private readonly project: string,
    private readonly repo: string,
  ) {}

  private path(rest: string, query = ''): string {
    const base = `/${encodeURIComponent(this.project)}/_apis/git/repositories/${encodeURIComponent(this.repo)}/pullrequests${rest}`;
    return `${base}?${query ? `${query}&` : ''}${API_VERSION}`;
  }

  async findPullRequest(source: string, target: string): Promise<PullRequest | undefined> {
    const q = [
      `searchCriteria.sourceRefName=${encodeURIComponent(`refs/heads/${source}`)}`,
      `searchCriteria.targetRefName=${encodeURIComponent(`refs/heads/${target}`)}`,
      'searchCriteria.status=all',
    ].join('&');
    const page = await apiCall(this.api, 'GET', this.path('', q), z.object({ value: z.array(AdoPull) }));
    return page.value
      .filter((p) => p.sourceRefName === `refs/heads/${source}` && p.targetRefName === `refs/heads/${target}`)
      .map(toPR)
      .find((p) => p.open || p.merged);
  }

  async openPullRequest(req: OpenRequest): Promise<PullRequest> {
    return toPR(
      await apiCall(this.api, 'POST', this.path(''), AdoPull, {
        sourceRefName: `refs/heads/${req.sourceBranch}`,
        targetRefName: `refs/heads/${req.targetBranch}`,
        title: req.title,
        description: req.description,
        ...(req.labels.length > 0 ? { labels: req.labels.map((name) => ({ name })) } : {}),
      }),
    );
  }

  private get(id: number): Promise<AdoPull> {
    return orNotFound(`pull request ${id}`, () => apiCall(this.api, 'GET', this.path(`/${id}`), AdoPull));
  }

  async getPullRequest(id: number): Promise<PullRequest> {
    return toPR(await this.get(id));
  }

  async mergePullRequest(id: number, method: string | undefined): Promise<MergeOutcome> {
    if (method !== undefined && !MERGE_STRATEGIES.includes(method)) {
      throw new DomainError('StepFailed', `mergeMethod ${JSON.stringify(method)} is not one of Azure DevOps': ${MERGE_STRATEGIES.join(', ')}`);
    }
    const current = await this.get(id);
    if (current.isDraft === true) return { merged: false, reason: 'the pull request is a draft' };
    if (current.mergeStatus !== 'succeeded' || !current.lastMergeSourceCommit) {
      return { merged: false, reason: `its merge status is ${current.mergeStatus ?? 'unknown'}` };
    }
    let updated: AdoPull;
    try {
      // lastMergeSourceCommit: completes only the source commit checked here (refused if it moved).
      updated = await apiCall(this.api, 'PATCH', this.path(`/${id}`), AdoPull, {
        status: 'completed',
        lastMergeSourceCommit: { commitId: current.lastMergeSourceCommit.commitId },
        ...(method ? { completionOptions: { mergeStrategy: method } } : {}),
      });
    } catch (err) {
      // 400 (TF401179 and friends: policies, source moved) and 409: not completable now.
      if (err instanceof ApiError && (err.status === 400 || err.status === 409)) return { merged: false, reason: err.message };
      throw err;
    }
    const pr = toPR(updated);
    if (pr.merged && pr.mergeCommit) return { merged: true, commit: pr.mergeCommit };
    return { merged: false, pending: true, reason: 'Azure DevOps is completing the pull request' };
  }
}
