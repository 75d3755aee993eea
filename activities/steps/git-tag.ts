/**
 * `git-tag`: makes an annotated tag on HEAD of a checkout (push it with git-push's `tag`).
 *
 * Output: `commit` — the tagged commit. Idempotent: a re-run finds the tag on HEAD and reuses it.
 */
import { z } from 'zod';
import { DomainError } from '../../core/errors.js';
import type { StepDefinition } from './step.js';

export const GitTagConfig = z.strictObject({
  path: z.string().min(1).describe('The checkout, relative to the workspace.'),
  tag: z.string().min(1).describe('Name of the tag.'),
  message: z.string().min(1).optional().describe('Message of the annotated tag (default: the tag name).'),
  force: z.boolean().optional().describe('Move the tag if it exists on another commit (default false).'),
});
export type GitTagConfig = z.infer<typeof GitTagConfig>;

export const gitTag: StepDefinition<GitTagConfig> = {
  kind: 'git-tag',
  config: GitTagConfig,
  async run(ctx, config) {
    const dir = ctx.workspace.resolve(config.path);
    const info = await ctx.git.worktreeInfo(dir);
    if (!info) {
      throw new DomainError('StepFailed', `path ${JSON.stringify(config.path)} is not a git checkout (run git-clone first)`);
    }
    const res = await ctx.git.tag(info, { tag: config.tag, message: config.message ?? config.tag, force: config.force });
    return { status: 'Succeeded', output: { commit: res.commit } };
  },
};
