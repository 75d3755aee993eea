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
import { ownCheckoutOf, type Checkout } from './own-checkout.js';
import { hasSigningKey, withSigning } from './signing.js';
import { combineCommits } from './combine-commits.js';
import { sha1Hex } from '../../../core/hash.js';
import type { FormingBatches } from './forming-batches.js';

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
  /** Pushes waiting for one branch's push lock, by branch, remote and credentials. */
  batches: FormingBatches<PushJob>;
}

/** At most this many pushes go to a branch as one. */
export const MAX_PUSHES_TOGETHER = 50;

/** One checkout's push, waiting in its branch's batch. */
export interface PushJob {
  dir: string;
  req: PushRequest;
  /** The commit its own commits were last rebased onto (undefined: not rebased yet). */
  placedOn?: string | undefined;
  /** Its HEAD once placed in the batch's chain: the commit it pushes as. */
  head?: string | undefined;
  /** Its own commit, when combineCommits placed it (its checkout then is at `head`). */
  own?: string | undefined;
  /** Its HEAD and HEAD's parents, read with the remote's tip `remote` (headAndRemote). */
  seen?: { head: string; parents: string[]; remote: string } | undefined;
  settle: (outcome: { result: PushResult } | { error: unknown }) => void;
}

/** Where a batch goes: the same remote, branch, credentials and force for every job in it. */
interface PushTarget extends RemoteAccess {
  repoURL: string;
  branch: string;
  mirror: string;
  force: boolean;
}

/**
 * Pushes HEAD of the checkout at `dir` to a branch of its remote.
 *
 * Idempotent: when the remote branch already contains HEAD nothing is pushed. A remote that
 * moved on is integrated by rebasing onto it (not with `force`), then pushed again, up to
 * `maxAttempts` times with backoff. `checkout` is verified here unless the step already did
 * (own-checkout.ts `Checkout`).
 *
 * Pushes to one branch queue for its push lock. Those of this worker that wait meanwhile, with
 * the same remote and credentials, go as one: each checkout's commit is put on the one before it
 * (all by one fast-import when the paths tell the result, see combine-commits.ts; else a rebase
 * each) and the last is pushed, so N promotions into a shared branch cost one push, not N (each
 * still gets its own commit, and a conflict fails only its own push).
 *
 * @throws DomainError('StepFailed') on a rebase conflict or when there is no branch to push to.
 */
export async function push(deps: PushDeps, checkout: Checkout, req: PushRequest): Promise<PushResult> {
  const { git, mirrors } = deps;
  const info = await ownCheckoutOf(git, mirrors, checkout, { absent: 'undefined' });
  if (!info) throw new DomainError('StepFailed', 'push path is not the top of a git checkout');
  const dir = info.dir;
  if (!info.repoURL) throw new DomainError('StepFailed', 'the checkout has no origin remote');
  const repoURL = info.repoURL;
  const branch = req.targetBranch ?? info.branch;
  if (branch !== undefined && !isValidRefName(branch)) {
    throw new DomainError('StepFailed', `branch ${JSON.stringify(branch)} is not a valid git ref name`);
  }
  if (!branch) {
    throw new DomainError('StepFailed', 'the checkout is not on a branch (commit or tag checkout); set targetBranch');
  }
  if (info.insecureSkipTLSVerify && req.insecureSkipTLSVerify === undefined) {
    req = { ...req, insecureSkipTLSVerify: true };
  }
  const target: PushTarget = {
    repoURL,
    branch,
    mirror: info.commonDir,
    force: req.force === true,
    credentials: req.credentials,
    insecureSkipTLSVerify: req.insecureSkipTLSVerify,
  };
  // A force push goes alone; others only with the same remote and credentials: each project's
  // access is checked by a push made with its own.
  const key = target.force ? undefined : sha1Hex(JSON.stringify([target.mirror, branch, repoURL, req.credentials ?? null, req.insecureSkipTLSVerify ?? false]));
  return new Promise<PushResult>((resolve, reject) => {
    let settled = false;
    const job: PushJob = {
      dir,
      req,
      settle: (outcome) => {
        if (settled) return;
        settled = true;
        req.signal?.removeEventListener('abort', withdraw);
        if ('result' in outcome) resolve(outcome.result);
        else reject(outcome.error);
      },
    };
    const withdraw = (): void => {
      if (key !== undefined && deps.batches.withdraw(key, job)) job.settle({ error: req.signal?.reason });
    };
    req.signal?.addEventListener('abort', withdraw, { once: true });
    const start = (close: () => PushJob[]): void => {
      let jobs: PushJob[] | undefined;
      mirrors
        .withBranchLock(target.mirror, branch, async () => {
          jobs = close();
          await pushTogether(deps, target, jobs);
        })
        .catch((error: unknown) => {
          for (const j of jobs ?? close()) j.settle({ error });
        });
    };
    if (key === undefined) start(() => [job]);
    else deps.batches.add(key, job, start);
  });
}

/**
 * Pushes a batch, with the branch's push lock held (so the remote-tracking ref is the tip this
 * worker last saw or pushed): each checkout is placed on the one before it (the first on the
 * remote's tip; placeTogether, or place for each) and the last one's HEAD is pushed. Settles
 * every job.
 */
async function pushTogether(deps: PushDeps, target: PushTarget, jobs: PushJob[]): Promise<void> {
  const { git, mirrors, stats } = deps;
  const { repoURL, branch, mirror } = target;
  const remoteRef = `refs/remotes/origin/${branch}`;
  const maxAttempts = Math.max(1, ...jobs.map((j) => j.req.maxAttempts ?? 10));
  const hooks = sharedHooks(jobs);
  let open = jobs.filter((job) => !gaveUp(job));
  if (open.length === 0) return;
  let delay = deps.backoffMs;
  // The mirror was fetched when the checkouts were made, usually moments ago: push at once and
  // fetch only if the remote says it moved on (this try counts as no attempt, and costs no wait).
  let remote: string | undefined;
  if (!target.force) {
    const tips = await headAndRemote(git, open[0]!.dir, remoteRef);
    remote = tips.remote;
    if (tips.seen) open[0]!.seen = tips.seen;
  }
  let optimistic = remote !== undefined;

  for (let attempt = 1; ; attempt++) {
    if (!optimistic) {
      await mirrors.withLock(mirror, async () => {
        await mirrors.fetch(mirror, repoURL, target, hooks);
        // A partial (blobless) mirror: what a rebase onto the moved branch needs, with credentials.
        for (const job of open) await mirrors.fetchBlobsForWorktree(job.dir, mirror, repoURL, remoteRef, target, hooks);
      });
      stats.mirrorFetches++;
      remote = await git.tryRevParse(open[0]!.dir, `${remoteRef}^{commit}`);
    }
    // The chain: each checkout on top of the one before it; all at once when the paths tell how
    // (combineCommits), else one rebase after another.
    const placing = open.filter((job) => !gaveUp(job));
    const chained = (await placeTogether(deps, target, placing, remote, attempt)) ?? (await placeOneByOne(deps, target, placing, remote, attempt, optimistic));
    open = chained;
    const last = chained[chained.length - 1];
    if (!last) return;
    const base = last.head!;
    const args = ['push', '--porcelain', 'origin', `${base}:refs/heads/${branch}`];
    if (target.force) args.splice(1, 0, '--force');
    args.unshift(...(await checkGitRemote(repoURL)));
    const res = await mirrors.withLock(mirror, () =>
      git.run(args, { cwd: last.dir, access: target, remoteURL: repoURL, allowFailure: true, ...hooks }),
    );
    stats.pushes++;
    if (res.code === 0) {
      for (const job of chained) job.settle({ result: { branch, commit: job.head!, pushed: true, attempts: attempt } });
      return;
    }
    const rejected = PUSH_REJECTED.test(res.stdout + res.stderr) && !AUTH_FAILURE.test(res.stderr);
    if (!rejected) {
      if (chained.length === 1) {
        last.settle({ error: commandError(args, res, target, repoURL) });
        return;
      }
      // Refused for what one of them holds, perhaps (a hook): each goes again on its own.
      for (const job of chained) await pushTogether(deps, target, [job]);
      return;
    }
    if (optimistic) {
      optimistic = false;
      attempt--;
      continue;
    }
    if (attempt >= maxAttempts) {
      const error = new Error(`push to branch ${JSON.stringify(branch)} of ${displayURL(repoURL)} still rejected after ${attempt} attempts`);
      for (const job of chained) job.settle({ error });
      return;
    }
    hooks.heartbeat();
    const jitter = 1 + (Math.random() - 0.5);
    await sleep(Math.min(30_000, delay * jitter), undefined, hooks.signal ? { signal: hooks.signal } : undefined);
    delay = Math.min(30_000, delay * 1.5);
  }
}

/**
 * Places each job on the one before it (the first on the remote's tip), a rebase each where one
 * is needed; a job whose commit the chain holds already, or that fails, is settled. Returns the
 * jobs to push in chain order.
 */
async function placeOneByOne(deps: PushDeps, target: PushTarget, jobs: PushJob[], remote: string | undefined, attempt: number, optimistic: boolean): Promise<PushJob[]> {
  const chained: PushJob[] = [];
  let base = remote;
  for (const job of jobs) {
    if (gaveUp(job)) continue;
    try {
      const placed = await place(deps, target, job, base, { onRemote: base === remote, optimistic });
      if (placed.contained) {
        job.settle({ result: { branch: target.branch, commit: placed.head, pushed: false, attempts: attempt } });
        continue;
      }
      chained.push(job);
      base = placed.head;
    } catch (error) {
      job.settle({ error });
    }
  }
  return chained;
}

/**
 * Places every job at once with combineCommits, for two or more jobs not placed before, or
 * placed by it in an earlier attempt (then from their own commits again): the commits are made
 * in the mirror, then each checkout is brought to its new commit (all of them at once), as the
 * rebase would have left it. Jobs whose commit the remote holds already are settled. Returns
 * the jobs to push in chain order, or undefined when the jobs are to be rebased one by one
 * (nothing was changed then).
 */
async function placeTogether(deps: PushDeps, target: PushTarget, jobs: PushJob[], remote: string | undefined, attempt: number): Promise<PushJob[] | undefined> {
  const { git, mirrors } = deps;
  if (remote === undefined || target.force || jobs.length < 2 || jobs.some((job) => job.placedOn !== undefined && job.own === undefined)) return undefined;
  // A partial mirror may lack blobs a checkout needs; a signing checkout signs what it makes.
  if ((await mirrors.isPartial(target.mirror)) || (await Promise.all(jobs.map((job) => hasSigningKey(job.dir)))).some(Boolean)) return undefined;
  const known = jobs.map((job) => job.own ?? (job.seen?.remote === remote ? job.seen.head : undefined));
  const combined = await combineCommits(git, jobs.map((job) => job.dir), remote, known);
  if (!combined) return undefined;
  // Where each checkout is now: its own commit, or where an earlier attempt put it.
  const at = jobs.map((job, i) => (job.own !== undefined ? job.head! : combined[i]!.from));
  // Each checkout to its new commit, as a rebase would leave it; like a rebase, not one with
  // changes that are not committed. A checkout carries such changes along and lists them ("M\t<path>"
  // on its output, unless --quiet): one process, where asking `diff-index` first made two.
  const moved = await Promise.all(
    jobs.map(async (job, i): Promise<'clean' | 'carried' | 'refused'> => {
      const { head, contained } = combined[i]!;
      if (contained || head === at[i]) return 'clean';
      const res = await git.run(['checkout', '--detach', head], { cwd: job.dir, allowFailure: true, heartbeat: job.req.heartbeat, signal: job.req.signal });
      if (res.code !== 0) return 'refused';
      return res.stdout.trim() === '' ? 'clean' : 'carried';
    }),
  );
  if (moved.some((m) => m !== 'clean')) {
    // Back to where they were, their changes with them: one rebase after another reports the
    // changes as it always has.
    await Promise.all(
      jobs.map((job, i) => {
        const { head, contained } = combined[i]!;
        if (moved[i] === 'refused' || contained || head === at[i]) return undefined;
        return git.run(['checkout', '--quiet', '--detach', at[i]!], { cwd: job.dir, heartbeat: job.req.heartbeat, signal: job.req.signal });
      }),
    );
    return undefined;
  }
  const chained: PushJob[] = [];
  let tip = remote;
  for (const [i, job] of jobs.entries()) {
    const { from, head, contained } = combined[i]!;
    if (contained) {
      job.settle({ result: { branch: target.branch, commit: head, pushed: false, attempts: attempt } });
      continue;
    }
    job.own = from;
    job.head = head;
    job.placedOn = tip;
    tip = head;
    chained.push(job);
  }
  return chained;
}

/**
 * Puts a job's own commits on `base`: the remote's tip (`onRemote`), or the HEAD of the job
 * before it in the chain. Returns its HEAD afterwards, and whether `base` already held its
 * changes (nothing to push).
 */
async function place(
  deps: PushDeps,
  target: PushTarget,
  job: PushJob,
  base: string | undefined,
  { onRemote, optimistic }: { onRemote: boolean; optimistic: boolean },
): Promise<{ head: string; contained: boolean }> {
  const { git, mirrors } = deps;
  // Nothing to integrate: no branch on the remote yet, a force push, or already on `base`.
  if (base === undefined || target.force || job.placedOn === base) {
    job.head = await git.revParse(job.dir, 'HEAD');
    return { head: job.head, contained: false };
  }
  if (onRemote && job.placedOn === undefined) {
    const seen = job.seen?.remote === base ? job.seen : undefined;
    const head = seen?.head ?? (await git.revParse(job.dir, 'HEAD'));
    job.head = head;
    if (head === base) return { head, contained: true };
    // The usual case first: HEAD is the remote branch plus this promotion's commit.
    if (seen?.parents.includes(base) || (await git.isAncestor(job.dir, base, head))) return { head, contained: false };
    if (await git.isAncestor(job.dir, head, base)) return { head, contained: true };
  }
  // On another job's commit, or placed before (a retry), there is nothing to ask first: the
  // rebase takes only this job's own commits (a HEAD without any fast-forwards to `base`).
  if (optimistic && (await mirrors.isPartial(target.mirror))) {
    // The tip moved since the checkout was made (usually a push queued before this one): a
    // partial mirror may lack blobs of it that the rebase reads. A complete mirror (partial only
    // when made so) has them, and its lock, for which checkouts may queue, is not taken.
    const remoteRef = `refs/remotes/origin/${target.branch}`;
    await mirrors.withLock(target.mirror, () => mirrors.fetchBlobsForWorktree(job.dir, target.mirror, target.repoURL, remoteRef, target, job.req));
  }
  job.head = await rebase(git, job.dir, base, target.branch, target.repoURL, job.placedOn);
  job.placedOn = base;
  return { head: job.head, contained: job.head === base };
}

/**
 * The remote branch's tip as the mirror last saw it (undefined: no such branch) and, when there
 * is one, the checkout's HEAD and HEAD's parents: one git process for what a push usually needs
 * to know (HEAD is that tip plus one commit).
 */
async function headAndRemote(git: GitCommand, dir: string, remoteRef: string): Promise<{ remote?: string; seen?: PushJob['seen'] }> {
  const res = await git.run(['rev-parse', 'HEAD', `${remoteRef}^{commit}`, 'HEAD^@', '--'], { cwd: dir, allowFailure: true });
  const [head, remote, ...rest] = res.code === 0 ? res.stdout.trim().split('\n') : [];
  // No such branch (or no HEAD): git answered nothing, so ask for the branch alone.
  if (!head || !remote || rest.pop() !== '--') return { remote: await git.tryRevParse(dir, `${remoteRef}^{commit}`) };
  return { remote, seen: { head, parents: rest, remote } };
}

/** A job whose activity was cancelled while it waited is settled with that and left out. */
function gaveUp(job: PushJob): boolean {
  if (!job.req.signal?.aborted) return false;
  job.settle({ error: job.req.signal.reason });
  return true;
}

/** Hooks for a batch's shared git commands: every job's heartbeat; cancelled once every job is. */
function sharedHooks(jobs: PushJob[]): { heartbeat: () => void; signal?: AbortSignal } {
  const heartbeat = (): void => {
    for (const job of jobs) job.req.heartbeat?.();
  };
  const signals = jobs.map((job) => job.req.signal);
  if (signals.length === 0 || signals.some((s) => s === undefined)) return { heartbeat };
  if (signals.length === 1) return { heartbeat, signal: signals[0]! };
  const all = new AbortController();
  const check = (): void => {
    if (signals.every((s) => s!.aborted)) all.abort(signals[0]!.reason);
  };
  for (const s of signals) s!.addEventListener('abort', check, { once: true });
  check();
  return { heartbeat, signal: all.signal };
}

/**
 * Rebases the checkout onto `onto` (the commits after `upstream` when given, else those not in
 * `onto`); returns the new HEAD. Aborts the rebase on failure.
 */
export async function rebase(git: GitCommand, dir: string, onto: string, branch: string, repoURL: string, upstream?: string): Promise<string> {
  const target = upstream === undefined ? [onto] : ['--onto', onto, upstream];
  // Commits the rebase rewrites are signed again with the checkout's signingKey, if any.
  const res = await withSigning(git, dir, (signing) =>
    git.run([...(signing?.config ?? []), 'rebase', '--quiet', ...(signing ? [signing.flag] : []), ...target], {
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
