/**
 * `git-wait-for-pr`: waits for a pull (merge) request to be merged: Running while it is open,
 * Succeeded once merged, Failed for good when it was closed without merging.
 *
 * Output: `commit` (the merge commit), `pr.{id,url,open,merged}`.
 */
import { z } from 'zod';
import { DomainError } from '../../core/errors.js';
import { DurationText } from '../adapters/http-config.js';
import { PrNumber, PrRepositoryFields, providerForStep } from '../adapters/git-providers/pr-config.js';
import type { StepDefinition } from './step.js';

export const GitWaitForPrConfig = z.strictObject({
  ...PrRepositoryFields,
  prNumber: PrNumber.describe('Number of the pull request (e.g. `${{ outputs["open-pr"].pr.id }}`).'),
  pollInterval: DurationText.optional().describe('Wait between checks (default 30s).'),
});
export type GitWaitForPrConfig = z.infer<typeof GitWaitForPrConfig>;

export const gitWaitForPr: StepDefinition<GitWaitForPrConfig> = {
  kind: 'git-wait-for-pr',
  config: GitWaitForPrConfig,
  async run(ctx, config) {
    const provider = await providerForStep(ctx, config);
    const pr = await provider.getPullRequest(config.prNumber);
    const prOut = { id: pr.id, url: pr.url, open: pr.open, merged: pr.merged };
    if (pr.merged) return { status: 'Succeeded', output: { commit: pr.mergeCommit ?? '', pr: prOut } };
    if (!pr.open) throw new DomainError('StepFailed', `pull request ${pr.url} was closed without being merged`);
    return { status: 'Running', retryAfter: config.pollInterval ?? '30s', output: { pr: prOut }, message: `waiting for ${pr.url} to be merged` };
  },
};
