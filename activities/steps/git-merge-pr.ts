/**
 * `git-merge-pr`: merges a pull (merge) request. Already merged is success (a re-run changes
 * nothing); closed fails; not mergeable yet fails, or with `wait: true` is Running and tried again.
 * A merge the provider accepted but completes in the background (Azure DevOps, Bitbucket Cloud's
 * 202) is Running until it is seen merged.
 *
 * Output: `commit` — the merge commit.
 */
import { z } from 'zod';
import { DomainError } from '../../core/errors.js';
import { DurationText } from '../adapters/http-config.js';
import { PrNumber, PrRepositoryFields, providerForStep } from '../adapters/git-providers/pr-config.js';
import type { StepDefinition } from './step.js';

export const GitMergePrConfig = z.strictObject({
  ...PrRepositoryFields,
  prNumber: PrNumber.describe('Number of the pull request.'),
  mergeMethod: z.string().min(1).optional().describe(
      'Provider-specific: GitHub merge/squash/rebase; GitLab merge/squash; Gitea merge/rebase/rebase-merge/squash/fast-forward-only; Bitbucket Cloud merge_commit/squash/fast_forward/…; Bitbucket Data Center no-ff/ff/squash/…; Azure DevOps noFastForward/rebase/rebaseMerge/squash.',
    ),
  wait: z.boolean().optional().describe('Wait (Running) while the request cannot be merged yet (default false).'),
  pollInterval: DurationText.optional().describe('Wait between attempts with wait: true, or while a merge completes (default 10s).'),
});
export type GitMergePrConfig = z.infer<typeof GitMergePrConfig>;

export const gitMergePr: StepDefinition<GitMergePrConfig> = {
  kind: 'git-merge-pr',
  config: GitMergePrConfig,
  async run(ctx, config) {
    const provider = await providerForStep(ctx, config);
    const pr = await provider.getPullRequest(config.prNumber);
    if (pr.merged) return { status: 'Succeeded', output: { commit: pr.mergeCommit ?? '' } };
    if (!pr.open) throw new DomainError('StepFailed', `pull request ${pr.url} is closed and cannot be merged`);
    const res = await provider.mergePullRequest(pr.id, config.mergeMethod);
    if (res.merged) return { status: 'Succeeded', output: { commit: res.commit } };
    if (res.pending) return { status: 'Running', retryAfter: config.pollInterval ?? '10s', message: `${pr.url} is being merged: ${res.reason}` };
    if (config.wait) return { status: 'Running', retryAfter: config.pollInterval ?? '10s', message: `${pr.url} cannot be merged yet: ${res.reason}` };
    throw new DomainError('StepFailed', `pull request ${pr.url} cannot be merged: ${res.reason}`);
  },
};
