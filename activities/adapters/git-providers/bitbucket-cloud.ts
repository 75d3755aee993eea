/** Bitbucket Cloud's REST API 2.0 (`https://api.bitbucket.org/2.0`, workspaces and repository slugs). */
import { z } from 'zod';
import { DomainError } from '../../../core/errors.js';
import { apiCall, apiRequest, ApiError, orNotFound, parseAnswer, type ApiOptions } from './api-client.js';
import type { GitProvider, MergeOutcome, OpenRequest, PullRequest } from './types.js';

const BbPull = z.object({
  id: z.number().int(),
  state: z.enum(['OPEN', 'MERGED', 'DECLINED', 'SUPERSEDED']),
  draft: z.boolean().optional(),
  links: z.object({ html: z.object({ href: z.string() }) }),
  source: z.object({ branch: z.object({ name: z.string() }) }),
  destination: z.object({ branch: z.object({ name: z.string() }) }),
  /** Abbreviated in pull request answers (12 hex digits): resolved through the commit API. */
  merge_commit: z.object({ hash: z.string() }).nullish(),
});
type BbPull = z.infer<typeof BbPull>;

const BbPage = z.object({ values: z.array(BbPull) });

const MERGE_STRATEGIES = ['merge_commit', 'squash', 'fast_forward', 'squash_fast_forward', 'rebase_fast_forward', 'rebase_merge'];

/** A branch name inside a BBQL string literal. */
const bbqlString = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

export class BitbucketCloudProvider implements GitProvider {
  readonly name = 'bitbucket';
  constructor(
    private readonly api: ApiOptions,
    private readonly workspace: string,
    private readonly slug: string,
  ) {}

  private path(rest: string): string {
    return `/repositories/${encodeURIComponent(this.workspace)}/${encodeURIComponent(this.slug)}${rest}`;
  }

  private async toPR(p: BbPull): Promise<PullRequest> {
    const merged = p.state === 'MERGED';
    const pr: PullRequest = { id: p.id, url: p.links.html.href, open: p.state === 'OPEN', merged };
    if (merged && p.merge_commit?.hash) {
      const commit = await apiCall(this.api, 'GET', this.path(`/commit/${encodeURIComponent(p.merge_commit.hash)}`), z.object({ hash: z.string() }));
      pr.mergeCommit = commit.hash;
    }
    return pr;
  }

  async findPullRequest(source: string, target: string): Promise<PullRequest | undefined> {
    const q = `source.branch.name = ${bbqlString(source)} AND destination.branch.name = ${bbqlString(target)}`;
    const page = await apiCall(
      this.api,
      'GET',
      this.path(`/pullrequests?state=OPEN&state=MERGED&sort=-created_on&pagelen=50&q=${encodeURIComponent(q)}`),
      BbPage,
    );
    const hit = page.values.find((p) => p.source.branch.name === source && p.destination.branch.name === target);
    return hit ? this.toPR(hit) : undefined;
  }

  async openPullRequest(req: OpenRequest): Promise<PullRequest> {
    if (req.labels.length > 0) throw new DomainError('StepFailed', 'Bitbucket pull requests have no labels; remove labels from the step');
    const created = await apiCall(this.api, 'POST', this.path('/pullrequests'), BbPull, {
      type: 'pullrequest',
      title: req.title,
      description: req.description,
      source: { branch: { name: req.sourceBranch } },
      destination: { branch: { name: req.targetBranch } },
    });
    return this.toPR(created);
  }

  getPullRequest(id: number): Promise<PullRequest> {
    return orNotFound(`pull request #${id}`, async () => this.toPR(await apiCall(this.api, 'GET', this.path(`/pullrequests/${id}`), BbPull)));
  }

  async mergePullRequest(id: number, method: string | undefined): Promise<MergeOutcome> {
    if (method !== undefined && !MERGE_STRATEGIES.includes(method)) {
      throw new DomainError('StepFailed', `mergeMethod ${JSON.stringify(method)} is not one of Bitbucket Cloud's: ${MERGE_STRATEGIES.join(', ')}`);
    }
    const current = await apiCall(this.api, 'GET', this.path(`/pullrequests/${id}`), BbPull);
    if (current.draft === true) return { merged: false, reason: 'the pull request is a draft' };
    let res;
    try {
      res = await apiRequest(this.api, 'POST', this.path(`/pullrequests/${id}/merge`), {
        type: 'pullrequestMergeParameters',
        ...(method ? { merge_strategy: method } : {}),
      });
    } catch (err) {
      // 400: merge checks unmet or conflicts; 409: the pull request changed meanwhile.
      if (err instanceof ApiError && (err.status === 400 || err.status === 409)) return { merged: false, reason: err.message };
      throw err;
    }
    if (res.status === 202) return { merged: false, pending: true, reason: 'Bitbucket is merging the pull request in the background' };
    const pr = await this.toPR(parseAnswer(BbPull, res.body, `POST ${this.path(`/pullrequests/${id}/merge`)}`));
    return pr.merged && pr.mergeCommit ? { merged: true, commit: pr.mergeCommit } : { merged: false, reason: 'Bitbucket answered the merge without merging' };
  }
}
