/** Pushing a checkout's HEAD: idempotent, integrating a remote that moved on by rebasing. */
import { setTimeout as sleep } from 'node:timers/promises';
import { DomainError } from '../../../core/errors.js';
import type { GitCommand } from './git-command.js';
import { AUTH_FAILURE, PUSH_REJECTED, commandError } from './git-failures.js';
import type { Mirrors } from './mirror.js';
import { displayURL, redact } from './redact.js';
import { isValidRefName } from './refs.js';
import type { GitStats, OperationHooks, RemoteAccess } from './types.js';
import { checkGitRemote } from '../egress/egress-connect.js';
import { ownCheckout } from './own-checkout.js';
import { withSigning } from './signing.js';

export interface PushRequest extends RemoteAccess, OperationHooks {
  /** Default: the branch the checkout tracks. */
  targetBranch?: string | undefined;
  force?: boolean | undefined;
  /** Attempts when the remote rejects a non-fast-forward (default 10). */
  maxAttempts?: number | undefined;
}

export interface PushResult {
  branch: string;
  commit: string;
  /** False when the remote branch already contained the commit (nothing was pushed). */
  pushed: boolean;
  attempts: number;
}

export interface PushDeps {
  git: GitCommand;
  mirrors: Mirrors;
  stats: GitStats;
  /** First delay between attempts after a rejection (×1.5, jitter, cap 30 s). */
  backoffMs: number;
}

/**
 * Pushes HEAD of the checkout at `dir` to a branch of its remote.
 *
 * Idempotent: when the remote branch already contains HEAD nothing is pushed. A remote that
 * moved on is integrated by rebasing onto it (not with `force`), then pushed again, up to
 * `maxAttempts` times with backoff.
 *
 * @throws DomainError('StepFailed') on a rebase conflict or when there is no branch to push to.
 */
export async function push(deps: PushDeps, dir: string, req: PushRequest): Promise<PushResult> {
  const { git, mirrors } = deps;
  const info = await ownCheckout(git, mirrors, dir, { absent: 'undefined' });
  if (!info) throw new DomainError('StepFailed', 'push path is not the top of a git checkout');
  if (!info.repoURL) throw new DomainError('StepFailed', 'the checkout has no origin remote');
  const repoURL = info.repoURL;
  const branch = req.targetBranch ?? info.branch;
  if (branch !== undefined && !isValidRefName(branch)) {
    throw new DomainError('StepFailed', `branch ${JSON.stringify(branch)} is not a valid git ref name`);
  }
  if (!branch) {
    throw new DomainError('StepFailed', 'the checkout is not on a branch (commit or tag checkout); set targetBranch');
  }
  const maxAttempts = Math.max(1, req.maxAttempts ?? 10);
  if (info.insecureSkipTLSVerify && req.insecureSkipTLSVerify === undefined) {
    req = { ...req, insecureSkipTLSVerify: true };
  }
  const mirror = info.commonDir;
  return mirrors.withBranchLock(mirror, branch, () => pushQueued(deps, dir, { ...req, repoURL, branch, maxAttempts, mirror }));
}

/** The push itself, with the branch's push lock held (so the remote-tracking ref is the tip this worker last saw or pushed). */
async function pushQueued(
  deps: PushDeps,
  dir: string,
  req: PushRequest & { repoURL: string; branch: string; maxAttempts: number; mirror: string },
): Promise<PushResult> {
  const { git, mirrors, stats } = deps;
  const { repoURL, branch, maxAttempts, mirror } = req;
  const remoteRef = `refs/remotes/origin/${branch}`;
  let delay = deps.backoffMs;
  // The mirror was fetched when the checkout was made, usually moments ago: push at once and
  // fetch only if the remote says it moved on (this try counts as no attempt, and costs no wait).
  let remote = req.force === true ? undefined : await git.tryRevParse(dir, `${remoteRef}^{commit}`);
  let optimistic = remote !== undefined;

  for (let attempt = 1; ; attempt++) {
    if (!optimistic) {
      await mirrors.withLock(mirror, async () => {
        await mirrors.fetch(mirror, repoURL, req, req);
        // A partial (blobless) mirror: what a rebase onto the moved branch needs, with credentials.
        await mirrors.fetchBlobsForWorktree(dir, mirror, repoURL, remoteRef, req, req);
      });
      stats.mirrorFetches++;
      remote = await git.tryRevParse(dir, `${remoteRef}^{commit}`);
    }
    let head = await git.revParse(dir, 'HEAD');
    if (remote === head) return { branch, commit: head, pushed: false, attempts: attempt };
    // The usual case first: HEAD is the remote branch plus this promotion's commit.
    if (remote && !req.force && !(await git.isAncestor(dir, remote, head))) {
      if (await git.isAncestor(dir, head, remote)) return { branch, commit: head, pushed: false, attempts: attempt };
      if (optimistic) {
        // The tip moved since the checkout was made (usually a queued push of this worker): a
        // partial mirror may lack blobs of it that the rebase reads.
        await mirrors.withLock(mirror, () => mirrors.fetchBlobsForWorktree(dir, mirror, repoURL, remoteRef, req, req));
      }
      head = await rebase(git, dir, remoteRef, branch, repoURL);
      if (head === remote) return { branch, commit: head, pushed: false, attempts: attempt };
    }
    const args = ['push', '--porcelain', 'origin', `HEAD:refs/heads/${branch}`];
    if (req.force) args.splice(1, 0, '--force');
    args.unshift(...(await checkGitRemote(repoURL)));
    const res = await mirrors.withLock(mirror, () =>
      git.run(args, {
        cwd: dir,
        access: req,
        remoteURL: repoURL,
        allowFailure: true,
        heartbeat: req.heartbeat,
        signal: req.signal,
      }),
    );
    stats.pushes++;
    if (res.code === 0) return { branch, commit: head, pushed: true, attempts: attempt };
    const rejected = PUSH_REJECTED.test(res.stdout + res.stderr) && !AUTH_FAILURE.test(res.stderr);
    if (!rejected) throw commandError(args, res, req, repoURL);
    if (optimistic) {
      optimistic = false;
      attempt--;
      continue;
    }
    if (attempt >= maxAttempts) {
      throw new Error(
        `push to branch ${JSON.stringify(branch)} of ${displayURL(repoURL)} still rejected after ${attempt} attempts`,
      );
    }
    req.heartbeat?.();
    const jitter = 1 + (Math.random() - 0.5);
    await sleep(Math.min(30_000, delay * jitter), undefined, req.signal ? { signal: req.signal } : undefined);
    delay = Math.min(30_000, delay * 1.5);
  }
}

/** Rebases the checkout onto `onto`; returns the new HEAD. Aborts the rebase on failure. */
export async function rebase(git: GitCommand, dir: string, onto: string, branch: string, repoURL: string): Promise<string> {
  // Commits the rebase rewrites are signed again with the checkout's signingKey, if any.
  const res = await withSigning(git, dir, (signing) =>
    git.run([...(signing?.config ?? []), 'rebase', '--quiet', ...(signing ? [signing.flag] : []), onto], {
      cwd: dir,
      allowFailure: true,
      ...(signing ? { extraEnv: signing.env } : {}),
    }),
  );
  if (res.code !== 0) {
    await git.run(['rebase', '--abort'], { cwd: dir, allowFailure: true });
    const conflict = /conflict/i.test(res.stdout + res.stderr);
    throw new DomainError(
      'StepFailed',
      conflict
        ? `cannot integrate the remote changes on branch ${JSON.stringify(branch)} of ${displayURL(repoURL)}: rebase conflict`
        : `rebase onto branch ${JSON.stringify(branch)} of ${displayURL(repoURL)} failed: ${redact(res.stderr.trim())}`,
    );
  }
  return git.revParse(dir, 'HEAD');
}
