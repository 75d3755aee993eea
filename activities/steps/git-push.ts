/**
 * `git-push`: pushes a checkout's HEAD to a branch of its remote.
 *
 * Target: `targetBranch`, or `generateTargetBranch` (`kargo/promotion/<promotion>`, forced), or
 * the branch the checkout was cloned from. A remote that moved on is integrated by rebasing onto
 * it and pushing again (up to `maxAttempts`); a conflict fails the step.
 *
 * Output: `branch`, `commit`, and `commitURL` for GitHub/GitLab/Bitbucket-style URLs.
 * Idempotent: when the remote branch already contains HEAD nothing is pushed.
 */
import { z } from 'zod';
import { DomainError } from '../../core/errors.js';
import { commitURL } from '../adapters/git/index.js';
import type { StepDefinition } from './step.js';

export const GitPushConfig = z
  .strictObject({
    path: z
      .string()
      .min(1)
      .optional()
      .describe('The checkout, relative to the workspace (default: the workspace root, where git-clone without checkout puts it).'),
    targetBranch: z.string().min(1).optional().describe('Branch to push to (default: the checked-out branch).'),
    generateTargetBranch: z
      .boolean()
      .optional()
      .describe('Push to `kargo/promotion/<promotion>`, forcing; for pull-request flows.'),
    tag: z.string().min(1).optional().describe('Push this tag (made by git-tag) instead of a branch.'),
    force: z.boolean().optional().describe('Overwrite the remote branch instead of integrating it.'),
    maxAttempts: z.number().int().min(1).max(50).optional().describe('Push attempts after rejections (default 10).'),
    provider: z.string().optional().describe('Accepted for compatibility; only used by PR steps.'),
  })
  .superRefine((c, ctx) => {
    const set = [c.targetBranch !== undefined, c.generateTargetBranch === true, c.tag !== undefined].filter(Boolean);
    if (set.length > 1) {
      ctx.addIssue({ code: 'custom', message: 'set at most one of targetBranch, generateTargetBranch, tag' });
    }
  });
export type GitPushConfig = z.infer<typeof GitPushConfig>;

export function generatedBranchName(promotion: string): string {
  return `kargo/promotion/${promotion}`;
}

export const gitPush: StepDefinition<GitPushConfig> = {
  kind: 'git-push',
  config: GitPushConfig,
  async run(ctx, config) {
    const where = config.path ?? '.';
    const dir = ctx.workspace.resolve(where);
    const info = await ctx.git.worktreeInfo(dir);
    if (!info?.repoURL) {
      throw new DomainError('StepFailed', `path ${JSON.stringify(where)} is not a git checkout (run git-clone first)`);
    }
    if (config.tag !== undefined) {
      const credentials = await ctx.credentials.git(info.repoURL);
      const res = await ctx.git.pushTag(info, {
        tag: config.tag,
        force: config.force,
        credentials,
        heartbeat: () => ctx.heartbeat({ step: 'git-push', path: where }),
        signal: ctx.signal,
      });
      const output: Record<string, unknown> = { tag: res.tag, commit: res.commit };
      const url = commitURL(info.repoURL, res.commit);
      if (url) output['commitURL'] = url;
      return { status: 'Succeeded', output };
    }
    const generated = config.generateTargetBranch === true;
    const targetBranch = generated ? generatedBranchName(ctx.promotion) : config.targetBranch;
    const credentials = await ctx.credentials.git(info.repoURL);
    const res = await ctx.git.push(info, {
      targetBranch,
      force: generated || config.force === true,
      maxAttempts: config.maxAttempts ?? 10,
      credentials,
      heartbeat: () => ctx.heartbeat({ step: 'git-push', path: where }),
      signal: ctx.signal,
    });
    const output: Record<string, unknown> = { branch: res.branch, commit: res.commit };
    const url = commitURL(info.repoURL, res.commit);
    if (url) output['commitURL'] = url;
    return { status: 'Succeeded', output };
  },
};
