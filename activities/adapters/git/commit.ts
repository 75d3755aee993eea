/** Reading and making commits in a checkout. */
import type { GitCommand } from './git-command.js';
import type { GitIdentity } from './types.js';

export interface CommitRequest {
  message: string;
  /** Overrides the checkout's configured author (git-commit's deprecated `author`). */
  author?: GitIdentity | undefined;
  /** Trailers appended with `git commit --trailer`. */
  trailers?: Record<string, string>;
}

export interface CommitResult {
  commit: string;
  /** False when there was nothing to commit. */
  created: boolean;
}

/** The full message of HEAD. */
export async function headMessage(git: GitCommand, dir: string): Promise<string> {
  return (await git.run(['log', '-1', '--format=%B', 'HEAD'], { cwd: dir })).stdout;
}

/** Whether the worktree has changes (tracked or untracked) compared to HEAD. */
export async function isDirty(git: GitCommand, dir: string): Promise<boolean> {
  const res = await git.run(['status', '--porcelain', '--untracked-files=all'], { cwd: dir });
  return res.stdout.trim().length > 0;
}

/**
 * Stages everything and commits. Nothing to commit is not an error: the result is the current
 * HEAD with `created: false`.
 */
export async function commit(git: GitCommand, dir: string, req: CommitRequest): Promise<CommitResult> {
  await git.run(['add', '--all'], { cwd: dir });
  const diff = await git.run(['diff', '--cached', '--quiet'], { cwd: dir, allowFailure: true });
  if (diff.code === 0) return { commit: await git.revParse(dir, 'HEAD'), created: false };
  const args = ['commit', '--quiet', '--no-verify', '--file=-'];
  for (const [k, v] of Object.entries(req.trailers ?? {})) args.push(`--trailer=${k}: ${v}`);
  const extraEnv = req.author
    ? { GIT_AUTHOR_NAME: req.author.name, GIT_AUTHOR_EMAIL: req.author.email }
    : undefined;
  await git.run(args, { cwd: dir, input: req.message, ...(extraEnv ? { extraEnv } : {}) });
  return { commit: await git.revParse(dir, 'HEAD'), created: true };
}
