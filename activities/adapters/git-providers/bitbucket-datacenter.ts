/**
 * Bitbucket Data Center's (Server's) REST API 1.0 (`<host>[/context]/rest/api/1.0`, projects and
 * repository slugs). The repository's HTTP clone URL is `<host>[/context]/scm/<project>/<repo>.git`.
 */
import { z } from 'zod';
import { DomainError } from '../../../core/errors.js';
import { apiCall, ApiError, orNotFound, type ApiOptions } from './api-client.js';
import type { GitProvider, MergeOutcome, OpenRequest, PullRequest } from './types.js';

const Ref = z.object({ id: z.string(), displayId: z.string() });

const DcPull = z.object({
  id: z.number().int(),
  version: z.number().int(),
  state: z.enum(['OPEN', 'MERGED', 'DECLINED']),
  draft: z.boolean().optional(),
  fromRef: Ref,
  toRef: Ref,
  links: z.object({ self: z.tuple([z.object({ href: z.string() })], z.object({ href: z.string() })) }),
  properties: z.object({ mergeCommit: z.object({ id: z.string() }).optional() }).optional(),
});
type DcPull = z.infer<typeof DcPull>;

const DcPage = z.object({ values: z.array(DcPull), isLastPage: z.boolean(), nextPageStart: z.number().int().nullish() });

const STRATEGIES = ['no-ff', 'ff', 'ff-only', 'squash', 'squash-ff-only', 'rebase-no-ff', 'rebase-ff-only'];
const MAX_PAGES = 10;

function toPR(p: DcPull): PullRequest {
  const merged = p.state === 'MERGED';
  const pr: PullRequest = { id: p.id, url: p.links.self[0].href, open: p.state === 'OPEN', merged };
  const commit = p.properties?.mergeCommit?.id;
  if (merged && commit) pr.mergeCommit = commit;
  return pr;
}

export class BitbucketDataCenterProvider implements GitProvider {
  readonly name = 'bitbucket';
  constructor(
    private readonly api: ApiOptions,
    private readonly project: string,
    private readonly slug: string,
  ) {}

  private path(rest: string): string {
    return `/projects/${encodeURIComponent(this.project)}/repos/${encodeURIComponent(this.slug)}${rest}`;
  }

  private ref(branch: string): Record<string, unknown> {
    return { id: `refs/heads/${branch}`, repository: { slug: this.slug, project: { key: this.project } } };
  }

  async findPullRequest(source: string, target: string): Promise<PullRequest | undefined> {
    let start = 0;
    for (let n = 0; n < MAX_PAGES; n++) {
      const q = `?state=ALL&direction=OUTGOING&at=${encodeURIComponent(`refs/heads/${source}`)}&order=NEWEST&limit=50&start=${start}`;
      const page = await apiCall(this.api, 'GET', this.path(`/pull-requests${q}`), DcPage);
      const hit = page.values
        .filter((p) => p.fromRef.id === `refs/heads/${source}` && p.toRef.id === `refs/heads/${target}`)
        .map(toPR)
        .find((p) => p.open || p.merged);
      if (hit) return hit;
      if (page.isLastPage || page.nextPageStart === undefined || page.nextPageStart === null) return undefined;
      start = page.nextPageStart;
    }
    return undefined;
  }

  async openPullRequest(req: OpenRequest): Promise<PullRequest> {
    if (req.labels.length > 0) throw new DomainError('StepFailed', 'Bitbucket pull requests have no labels; remove labels from the step');
    return toPR(
      await apiCall(this.api, 'POST', this.path('/pull-requests'), DcPull, {
        title: req.title,
        description: req.description,
        fromRef: this.ref(req.sourceBranch),
        toRef: this.ref(req.targetBranch),
      }),
    );
  }

  private get(id: number): Promise<DcPull> {
    return orNotFound(`pull request #${id}`, () => apiCall(this.api, 'GET', this.path(`/pull-requests/${id}`), DcPull));
  }

  async getPullRequest(id: number): Promise<PullRequest> {
    return toPR(await this.get(id));
  }

  async mergePullRequest(id: number, method: string | undefined): Promise<MergeOutcome> {
    if (method !== undefined && !STRATEGIES.includes(method)) {
      throw new DomainError('StepFailed', `mergeMethod ${JSON.stringify(method)} is not one of Bitbucket Data Center's: ${STRATEGIES.join(', ')}`);
    }
    // The version makes the merge apply to the pull request as read (409 if it changed meanwhile).
    const current = await this.get(id);
    if (current.draft === true) return { merged: false, reason: 'the pull request is a draft' };
    try {
      const pr = toPR(
        await apiCall(this.api, 'POST', this.path(`/pull-requests/${id}/merge?version=${current.version}`), DcPull, {
          ...(method ? { strategyId: method } : {}),
        }),
      );
      return pr.merged && pr.mergeCommit ? { merged: true, commit: pr.mergeCommit } : { merged: false, reason: 'Bitbucket answered the merge without merging' };
    } catch (err) {
      // 409: vetoed (checks, approvals, conflicts) or the pull request changed meanwhile.
      if (err instanceof ApiError && err.status === 409) return { merged: false, reason: err.message };
      throw err;
    }
  }
}
