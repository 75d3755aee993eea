/** Gitea's REST API v1 (`<host>/api/v1`; Forgejo speaks the same). */
import { z } from 'zod';
import { DomainError } from '../../../core/errors.js';
import { apiCall, ApiError, orNotFound, type ApiOptions } from './api-client.js';
import type { GitProvider, MergeOutcome, OpenRequest, PullRequest } from './types.js';

const GiteaPull = z.object({
  number: z.number().int(),
  html_url: z.string(),
  state: z.enum(['open', 'closed']),
  merged: z.boolean(),
  merge_commit_sha: z.string().nullish(),
  head: z.object({ ref: z.string() }),
  base: z.object({ ref: z.string() }),
});
type GiteaPull = z.infer<typeof GiteaPull>;

const GiteaLabel = z.object({ id: z.number().int(), name: z.string() });

const MERGE_STYLES = ['merge', 'rebase', 'rebase-merge', 'squash', 'fast-forward-only'];
const PAGE = 50;
/** Pages of pull requests (newest first) searched for an existing one. */
const MAX_PAGES = 10;

function toPR(p: GiteaPull): PullRequest {
  const pr: PullRequest = { id: p.number, url: p.html_url, open: p.state === 'open', merged: p.merged };
  if (p.merged && p.merge_commit_sha) pr.mergeCommit = p.merge_commit_sha;
  return pr;
}

export class GiteaProvider implements GitProvider {
  readonly name = 'gitea';
  constructor(
    private readonly api: ApiOptions,
    private readonly owner: string,
    private readonly repo: string,
  ) {}

  private path(rest: string): string {
    return `/repos/${encodeURIComponent(this.owner)}/${encodeURIComponent(this.repo)}${rest}`;
  }

  async findPullRequest(source: string, target: string): Promise<PullRequest | undefined> {
    // The list has no head/base filter in every Gitea version still in use: filter here.
    for (let page = 1; page <= MAX_PAGES; page++) {
      const list = await apiCall(this.api, 'GET', this.path(`/pulls?state=all&sort=newest&page=${page}&limit=${PAGE}`), z.array(GiteaPull));
      const hit = list.filter((p) => p.head.ref === source && p.base.ref === target).map(toPR).find((p) => p.open || p.merged);
      if (hit) return hit;
      if (list.length < PAGE) return undefined;
    }
    return undefined;
  }

  /** Gitea takes label ids: names are looked up in the repository's labels; unknown names fail. */
  private async labelIDs(names: string[]): Promise<number[]> {
    if (names.length === 0) return [];
    const byName = new Map<string, number>();
    for (let page = 1; page <= MAX_PAGES; page++) {
      const list = await apiCall(this.api, 'GET', this.path(`/labels?page=${page}&limit=${PAGE}`), z.array(GiteaLabel));
      for (const l of list) byName.set(l.name, l.id);
      if (list.length < PAGE) break;
    }
    const unique = [...new Set(names)];
    const missing = unique.filter((n) => !byName.has(n));
    if (missing.length > 0) {
      throw new DomainError('StepFailed', `labels not found in repository ${this.owner}/${this.repo}: ${missing.join(', ')}`);
    }
    return unique.map((n) => byName.get(n) as number);
  }

  async openPullRequest(req: OpenRequest): Promise<PullRequest> {
    const labels = await this.labelIDs(req.labels);
    const created = await apiCall(this.api, 'POST', this.path('/pulls'), GiteaPull, {
      head: req.sourceBranch,
      base: req.targetBranch,
      title: req.title,
      body: req.description,
      ...(labels.length > 0 ? { labels } : {}),
    });
    return toPR(created);
  }

  getPullRequest(id: number): Promise<PullRequest> {
    return orNotFound(`pull request #${id}`, async () => toPR(await apiCall(this.api, 'GET', this.path(`/pulls/${id}`), GiteaPull)));
  }

  async mergePullRequest(id: number, method: string | undefined): Promise<MergeOutcome> {
    if (method !== undefined && !MERGE_STYLES.includes(method)) {
      throw new DomainError('StepFailed', `mergeMethod ${JSON.stringify(method)} is not one of Gitea's: ${MERGE_STYLES.join(', ')}`);
    }
    try {
      // Answers 200 with an empty body; the merge commit is read back from the pull request.
      await apiCall(this.api, 'POST', this.path(`/pulls/${id}/merge`), z.unknown(), { Do: method ?? 'merge' });
    } catch (err) {
      // 405: not mergeable (checks, approvals, conflicts, already merged); 409: head changed.
      if (err instanceof ApiError && (err.status === 405 || err.status === 409)) return { merged: false, reason: err.message };
      throw err;
    }
    const pr = await this.getPullRequest(id);
    return pr.merged && pr.mergeCommit ? { merged: true, commit: pr.mergeCommit } : { merged: false, reason: 'Gitea accepted the merge but the pull request is not merged' };
  }
}
