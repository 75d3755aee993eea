import * as fs from 'node:fs';
import * as path from 'node:path';
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

/** Describes `dir` when it is the top of a git worktree (ours or anyone's), else undefined. */
export async function worktreeInfo(git: GitCommand, dir: string): Promise<WorktreeInfo | undefined> {
  try {
    const st = await fs.promises.lstat(path.join(dir, '.git'));
    if (!st.isFile() && !st.isDirectory()) return undefined;
  } catch {
    return undefined;
  }
  const res = await git.run(['rev-parse', '--path-format=absolute', '--git-common-dir', '--show-toplevel'], {
    cwd: dir,
    allowFailure: true,
  });
  if (res.code !== 0) return undefined;
  const [commonDir, top] = res.stdout.trim().split('\n');
  if (!commonDir || !top) return undefined;
  if (fs.realpathSync(top) !== fs.realpathSync(dir)) return undefined;
  const info: WorktreeInfo = { dir, commonDir: fs.realpathSync(commonDir) };
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
