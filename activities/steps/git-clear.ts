/**
 * `git-clear`: empties a checkout's working tree (everything but `.git`), typically before
 * rendering manifests into it afresh. The next git-commit records the deletions.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { DomainError } from '../../core/errors.js';
import { removeFromWorkspace } from '../adapters/step-files.js';
import { hasGitComponent } from '../adapters/workspace.js';
import type { StepDefinition } from './step.js';

export const GitClearConfig = z.strictObject({
  path: z.string().min(1).describe('The checkout, relative to the workspace.'),
});
export type GitClearConfig = z.infer<typeof GitClearConfig>;

export const gitClear: StepDefinition<GitClearConfig> = {
  kind: 'git-clear',
  config: GitClearConfig,
  async run(ctx, config) {
    const dir = ctx.workspace.resolveForWrite(config.path);
    if (!(await ctx.git.worktreeInfo(dir))) {
      throw new DomainError('StepFailed', `path ${JSON.stringify(config.path)} is not a git checkout (run git-clone first)`);
    }
    for (const name of await fs.promises.readdir(dir)) {
      if (hasGitComponent(name)) continue;
      await removeFromWorkspace(ctx.workspace, ctx.workspace.relative(path.join(dir, name)));
    }
    return { status: 'Succeeded' };
  },
};
