import type { GitCommand } from './git-command.js';

/** What a directory holds, when it is the top of a git worktree. */
export interface WorktreeInfo {
  dir: string;
  /** The repository's common git dir (the mirror, for Shunt's checkouts). */
  commonDir: string;
  /** `remote.origin.url`. */
  repoURL?: string;
  /** The branch this checkout tracks (`shunt.branch`). */
  branch?: string;
  /** What was asked for: `branch:<b>`, `commit:<sha>`, `tag:<t>` (`shunt.ref`). */
  ref?: string;
  /** `http.sslVerify=false` recorded by a checkout with insecureSkipTLSVerify. */
  insecureSkipTLSVerify?: boolean;
}

/**
 * What the config of the worktree at `dir`, of the repository whose common git dir is
 * `commonDir`, says it is for: one `git config` process, for a caller that has found the
 * worktree's git dirs itself (own-checkout.ts, from the files that name them).
 */
export async function worktreeSettings(git: GitCommand, dir: string, commonDir: string): Promise<WorktreeInfo> {
  const info: WorktreeInfo = { dir, commonDir };
  const cfg = await git.run(['config', '--get-regexp', '^(shunt\\.|remote\\.origin\\.url$|http\\.sslverify$)'], {
    cwd: dir,
    allowFailure: true,
  });
  for (const line of cfg.stdout.split('\n')) {
    const sp = line.indexOf(' ');
    if (sp < 0) continue;
    const key = line.slice(0, sp);
    const value = line.slice(sp + 1);
    if (key === 'remote.origin.url') info.repoURL = value;
    else if (key === 'shunt.branch') info.branch = value;
    else if (key === 'shunt.ref') info.ref = value;
    else if (key === 'http.sslverify') info.insecureSkipTLSVerify = value === 'false';
  }
  return info;
}
