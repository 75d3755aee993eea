import { PUSH_REJECTED, commandError } from './git-failures.js';
import type { GitCommand } from './git-command.js';
import { identityEnv } from './hermetic-env.js';
import type { Mirrors } from './mirror.js';
import type { GitIdentity, GitStats, OperationHooks, RemoteAccess } from './types.js';
import { checkGitRemote } from '../egress/egress-connect.js';

export interface CreateBranchDeps {
  git: GitCommand;
  mirrors: Mirrors;
  stats: GitStats;
}

export interface CreateBranchRequest extends RemoteAccess, OperationHooks {
  repoURL: string;
}

/**
 * An orphan branch whose only commit is an empty "Initial commit", pushed to the remote from
 * the mirror (caller holds its lock). Returns the branch's commit: ours, or the one another
 * pusher created meanwhile.
 */
export async function createRemoteBranch(
  deps: CreateBranchDeps,
  mirror: string,
  req: CreateBranchRequest,
  branch: string,
  author: GitIdentity,
): Promise<string> {
  const { git } = deps;
  // The empty tree, written from /dev/null (for SHA-1 and SHA-256 repositories alike).
  const tree = (await git.run(['hash-object', '-t', 'tree', '-w', '/dev/null'], { cwd: mirror })).stdout.trim();
  const commit = (
    await git.run(['commit-tree', tree, '-m', 'Initial commit'], {
      cwd: mirror,
      extraEnv: identityEnv(author),
    })
  ).stdout.trim();
  const push = await git.run([...(await checkGitRemote(req.repoURL)), 'push', '--quiet', 'origin', `${commit}:refs/heads/${branch}`], {
    cwd: mirror,
    access: req,
    remoteURL: req.repoURL,
    allowFailure: true,
    heartbeat: req.heartbeat,
    signal: req.signal,
  });
  deps.stats.pushes++;
  if (push.code === 0) {
    await git.run(['update-ref', `refs/remotes/origin/${branch}`, commit], { cwd: mirror });
    return commit;
  }
  // Someone else created it meanwhile: take theirs.
  if (PUSH_REJECTED.test(push.stderr)) {
    await deps.mirrors.fetch(mirror, req.repoURL, req);
    const theirs = await git.tryRevParse(mirror, `refs/remotes/origin/${branch}^{commit}`);
    if (theirs) return theirs;
  }
  throw commandError(['push'], push, req, req.repoURL);
}
