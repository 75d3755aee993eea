/**
 * `git-open-pr`: opens a pull (merge) request from `sourceBranch` into `targetBranch` on GitHub,
 * GitLab, Gitea, Bitbucket (Cloud and Data Center) or Azure DevOps. An open or merged request for
 * the same branches is adopted instead (so a re-run opens nothing new); no difference between the
 * branches skips the step.
 *
 * Output: `pr.id`, `pr.url` (and `prNumber`, the pre-v1.7 spelling, with the same number).
 */
import { z } from 'zod';
import { DomainError } from '../../core/errors.js';
import { PrRepositoryFields, providerForStep } from '../adapters/git-providers/pr-config.js';
import type { StepDefinition } from './step.js';

export const GitOpenPrConfig = z.strictObject({
  ...PrRepositoryFields,
  sourceBranch: z.string().min(1).describe('Branch with the changes (e.g. the one git-push generateTargetBranch pushed).'),
  targetBranch: z.string().min(1).describe('Branch to merge into; must exist.'),
  title: z.string().min(1).optional().describe("Title (default: the subject of the source branch's head commit)."),
  description: z.string().optional().describe('Body of the request.'),
  labels: z.array(z.string().min(1)).optional(),
  createTargetBranch: z.boolean().optional().describe('Accepted for compatibility; has no effect (as in Kargo).'),
});
export type GitOpenPrConfig = z.infer<typeof GitOpenPrConfig>;

export const gitOpenPr: StepDefinition<GitOpenPrConfig> = {
  kind: 'git-open-pr',
  config: GitOpenPrConfig,
  async run(ctx, config) {
    const provider = await providerForStep(ctx, config);
    const existing = await provider.findPullRequest(config.sourceBranch, config.targetBranch);
    const output = (id: number, url: string): Record<string, unknown> => ({ pr: { id, url }, prNumber: id });
    if (existing) return { status: 'Succeeded', output: output(existing.id, existing.url) };

    const credentials = await ctx.credentials.git(config.repoURL);
    const cmp = await ctx.git.compareBranches(config.repoURL, config.sourceBranch, config.targetBranch, {
      credentials,
      insecureSkipTLSVerify: config.insecureSkipTLSVerify,
      heartbeat: () => ctx.heartbeat({ step: 'git-open-pr' }),
      signal: ctx.signal,
    });
    if (!cmp.source) throw new DomainError('StepFailed', `source branch ${JSON.stringify(config.sourceBranch)} does not exist`);
    if (!cmp.target) throw new DomainError('StepFailed', `target branch ${JSON.stringify(config.targetBranch)} does not exist`);
    if (!cmp.differs) {
      return { status: 'Skipped', message: `no difference between ${config.sourceBranch} and ${config.targetBranch}; nothing to propose` };
    }
    const pr = await provider.openPullRequest({
      sourceBranch: config.sourceBranch,
      targetBranch: config.targetBranch,
      title: config.title ?? cmp.subject ?? `Promote ${ctx.promotion}`,
      description: config.description ?? '',
      labels: config.labels ?? [],
    });
    return { status: 'Succeeded', output: output(pr.id, pr.url) };
  },
};
