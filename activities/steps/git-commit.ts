/**
 * `git-commit`: stages everything in a checkout and commits it.
 *
 * Output: `commit` — the new commit, or the current HEAD when there was nothing to commit.
 * Every commit carries the trailer `Shunt-Promotion: <promotion>`. Idempotent: a re-run after
 * the commit was made finds a clean tree and reports HEAD, so one promotion makes one commit.
 */
import { z } from 'zod';
import { DomainError } from '../../core/errors.js';
import { PROMOTION_TRAILER } from '../adapters/git/commit.js';
import { signingKind } from '../adapters/git/signing.js';
import type { StepDefinition } from './step.js';

export const GitCommitConfig = z
  .strictObject({
    path: z
      .string()
      .min(1)
      .optional()
      .describe('The checkout, relative to the workspace (default: the workspace root, where git-clone without checkout puts it).'),
    message: z.string().min(1).optional().describe('The commit message.'),
    messageFromSteps: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe('Legacy (removed in Kargo v1.5): join the `commitMessage` outputs of these steps.'),
    author: z
      .strictObject({
        name: z.string().min(1).optional(),
        email: z.string().min(1).optional(),
        signingKey: z.string().optional(),
      })
      .optional()
      .describe('Deprecated: set the author on git-clone instead.'),
  })
  .superRefine((c, ctx) => {
    if (c.message === undefined && c.messageFromSteps === undefined) {
      ctx.addIssue({ code: 'custom', path: ['message'], message: 'required' });
    }
    if (c.message !== undefined && c.messageFromSteps !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['messageFromSteps'], message: 'use either message or messageFromSteps' });
    }
    if (c.author?.signingKey) {
      try {
        signingKind(c.author.signingKey);
      } catch (err) {
        ctx.addIssue({ code: 'custom', path: ['author', 'signingKey'], message: (err as Error).message });
      }
    }
  });
export type GitCommitConfig = z.infer<typeof GitCommitConfig>;

/** Kargo's legacy way of combining several steps' commit messages. */
function messageFromSteps(aliases: string[], outputs: Record<string, Record<string, unknown>>): string {
  const parts: string[] = [];
  for (const alias of aliases) {
    const msg = outputs[alias]?.['commitMessage'];
    if (typeof msg === 'string' && msg.trim() !== '') parts.push(msg.trim());
  }
  if (parts.length === 0) {
    throw new DomainError(
      'StepFailed',
      `none of the steps ${aliases.map((a) => JSON.stringify(a)).join(', ')} produced a commitMessage output`,
    );
  }
  if (parts.length === 1) return parts[0] as string;
  const indented = parts.map((p) => p.split('\n').map((l) => (l === '' ? '' : `  ${l}`)).join('\n'));
  return `Shunt applied multiple changes\n\nIncluding:\n\n${indented.join('\n\n')}`;
}

export const gitCommit: StepDefinition<GitCommitConfig> = {
  kind: 'git-commit',
  config: GitCommitConfig,
  async run(ctx, config) {
    const where = config.path ?? '.';
    const dir = ctx.workspace.resolve(where);
    const info = await ctx.git.worktreeInfo(dir);
    if (!info) {
      throw new DomainError('StepFailed', `path ${JSON.stringify(where)} is not a git checkout (run git-clone first)`);
    }
    const message = config.message ?? messageFromSteps(config.messageFromSteps ?? [], ctx.outputs);
    let author: { name: string; email: string } | undefined;
    if (config.author && (config.author.name || config.author.email)) {
      author = { name: config.author.name ?? 'Shunt', email: config.author.email ?? 'shunt@localhost' };
    }
    const res = await ctx.git.commit(info, {
      message,
      author,
      signingKey: config.author?.signingKey || undefined,
      trailers: { [PROMOTION_TRAILER]: ctx.promotion },
    });
    return { status: 'Succeeded', output: { commit: res.commit } };
  },
};
