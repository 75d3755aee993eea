/**
 * For pushes that go through a provider's API (github-push): bring a checkout up to date with a
 * remote branch (rebase), put its HEAD on a hidden remote ref (so the provider has the objects),
 * and afterwards move the checkout to what the remote branch became.
 */
import { DomainError } from '../../../core/errors.js';
import { checkGitRemote } from '../egress/egress-connect.js';
import type { GitCommand } from './git-command.js';
import { commandError } from './git-failures.js';
import type { Mirrors } from './mirror.js';
import { ownCheckout } from './own-checkout.js';
import { rebase } from './push.js';
import { isValidRefName } from './refs.js';
import type { GitStats, OperationHooks, RemoteAccess } from './types.js';

export interface RemoteRefDeps {
  git: GitCommand;
  mirrors: Mirrors;
  stats: GitStats;
}

async function checkout(deps: RemoteRefDeps, dir: string): Promise<{ repoURL: string; mirror: string }> {
  const info = await ownCheckout(deps.git, deps.mirrors, dir, { absent: 'undefined' });
  if (!info) throw new DomainError('StepFailed', 'push path is not the top of a git checkout');
  if (!info.repoURL) throw new DomainError('StepFailed', 'the checkout has no origin remote');
  return { repoURL: info.repoURL, mirror: info.commonDir };
}

/** Fetches the mirror; returns the remote branch's head after it (undefined: no such branch). */
async function fetchBranch(deps: RemoteRefDeps, dir: string, mirror: string, repoURL: string, branch: string, req: RemoteAccess & OperationHooks): Promise<string | undefined> {
  const remoteRef = `refs/remotes/origin/${branch}`;
  await deps.mirrors.withLock(mirror, async () => {
    await deps.mirrors.fetch(mirror, repoURL, req, req);
    await deps.mirrors.fetchBlobsForWorktree(dir, mirror, repoURL, remoteRef, req, req);
  });
  deps.stats.mirrorFetches++;
  return deps.git.tryRevParse(dir, `${remoteRef}^{commit}`);
}

/**
 * Brings HEAD up to the remote `branch` when it exists and HEAD does not contain it (`integrate`):
 * fast-forward when HEAD has nothing the branch lacks, else rebase; then force-pushes HEAD to `ref` (a full ref name, e.g. `refs/kargo/staging/<promotion>`).
 * @returns HEAD as pushed, and the remote branch's head (undefined when it does not exist).
 * @throws DomainError('StepFailed') on a rebase conflict.
 */
export async function pushHeadToRef(
  deps: RemoteRefDeps,
  dir: string,
  req: RemoteAccess & OperationHooks & { ref: string; branch: string; integrate: boolean },
): Promise<{ head: string; remote: string | undefined }> {
  if (!req.ref.startsWith('refs/') || !isValidRefName(req.ref)) throw new DomainError('StepFailed', `${JSON.stringify(req.ref)} is not a valid full ref name`);
  const { repoURL, mirror } = await checkout(deps, dir);
  const remote = await fetchBranch(deps, dir, mirror, repoURL, req.branch, req);
  let head = await deps.git.revParse(dir, 'HEAD');
  if (req.integrate && remote && !(await deps.git.isAncestor(dir, remote, head))) {
    if (await deps.git.isAncestor(dir, head, remote)) {
      // Nothing local the branch lacks: fast-forward to it.
      await deps.git.run(['merge', '--ff-only', '--quiet', remote], { cwd: dir });
      head = remote;
    } else {
      head = await rebase(deps.git, dir, `refs/remotes/origin/${req.branch}`, req.branch, repoURL);
    }
  }
  const args = [...(await checkGitRemote(repoURL)), 'push', '--porcelain', '--force', 'origin', `HEAD:${req.ref}`];
  const res = await deps.mirrors.withLock(mirror, () =>
    deps.git.run(args, { cwd: dir, access: req, remoteURL: repoURL, allowFailure: true, heartbeat: req.heartbeat, signal: req.signal }),
  );
  deps.stats.pushes++;
  if (res.code !== 0) throw commandError(args, res, req, repoURL);
  return { head, remote };
}

/** Fetches and moves the checkout's HEAD (and work tree) to the remote `branch`'s head; returns it. */
export async function resetToRemoteBranch(deps: RemoteRefDeps, dir: string, req: RemoteAccess & OperationHooks & { branch: string }): Promise<string> {
  const { repoURL, mirror } = await checkout(deps, dir);
  const remote = await fetchBranch(deps, dir, mirror, repoURL, req.branch, req);
  if (!remote) throw new DomainError('StepFailed', `branch ${JSON.stringify(req.branch)} is not on the remote after the push`);
  await deps.git.run(['reset', '--quiet', '--hard', remote], { cwd: dir });
  return remote;
}
